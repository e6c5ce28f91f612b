"""Cultivation: designations (高企, 专精特新, 瞪羚, 独角兽 …) with their tiers and criteria, each
firm's pipeline toward them (moves, the event log), where firms stand on a date, the roster,
and discovery of candidates. Uses core, chains and enterprises.registry.
"""
