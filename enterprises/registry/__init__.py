"""The registry: firms, institutes and platforms, their place in chain segments, their yearly
figures, search and counts. Uses core and chains only.
"""
