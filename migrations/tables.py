"""The schema's table modules, declared once: importing them all completes SQLModel.metadata.

Alembic (migrations/env.py), the command line, the web app and the tests load them from here,
so no package below has to know every other package to see the whole schema.
"""

import importlib

TABLE_MODULES = (
    "chainmaps.suggestions",
    "chains.models",
    "chains.segment_words",
    "core.accounts",
    "core.audit",
    "core.figure_store",
    "core.login_throttle",
    "core.orgs",
    "core.progress",
    "core.provenance",
    "core.versions",
    "enterprises.cultivation.designations",
    "enterprises.cultivation.pipeline",
    "enterprises.projects.carriers",
    "enterprises.projects.followups",
    "enterprises.projects.lead_contacts",
    "enterprises.projects.lead_stages",
    "enterprises.projects.lead_watch",
    "enterprises.projects.leads",
    "enterprises.prospects.models",
    "enterprises.registry.figures",
    "enterprises.registry.models",
    "enterprises.spreadsheets.imports",
    "plans.target_shares",
    "plans.tasks",
    "plans.targets",
)


def import_tables() -> None:
    """Import every table module so that SQLModel.metadata holds the whole schema."""
    for name in TABLE_MODULES:
        importlib.import_module(name)
