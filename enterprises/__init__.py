"""The enterprise registry: firms, institutes and platforms, and their place in the chains."""
