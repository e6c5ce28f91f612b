"""The command line (`chainplan`): migrate, seed, demo data, accounts, backups, serving.

It composes every other package, so it stands on the top floor beside the web app.
"""
