"""Investment projects (招商项目) from lead to landing: the project, its stage moves, contacts,
follow-ups, capital arrivals, duplicates, watch lists and evaluation; and the carriers (载体)
projects land in. Uses core, chains and enterprises.registry.
"""
