"""Shared pieces of Chain Planner: settings, database, accounts, permissions, audit, parks."""
