"""Chain maps: a chain's structure filled with the zone's firms.

Owns what needs both a chain and the registry: firms per segment and per chain, summaries and
the map's detail, gaps (figures), the chain pages' panels and overviews (overview), and edits
that move firms between segments (membership). Uses core, chains and enterprises; neither of
those uses it.
"""
