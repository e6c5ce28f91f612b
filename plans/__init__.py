"""Plans and their targets: values on a date (computed from the registry, cultivation and
projects, or reported), series, status and forecast, shares per park and chain, and the
dashboard, monthly report and park progress built on them. Uses core, chains, chainmaps and
enterprises; nothing below uses it.
"""
