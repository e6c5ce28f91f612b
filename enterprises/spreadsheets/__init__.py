"""Spreadsheets: lists of firms and recognitions brought in (read, mapped, previewed,
committed, undone) and the registry written out. Uses core, chains, enterprises.registry and
enterprises.cultivation.
"""
