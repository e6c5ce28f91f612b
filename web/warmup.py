"""Compute the figures most pages show before a server process takes its first request.

Later they are kept current in the background after each write (core.figure_cache), but a
process that starts has none: at a city's size its first readers would wait seconds each for
them (at 1,000,000 firms the chain figures take 3 s, the dashboard's 11 s) and, under load,
hold the connection pool meanwhile. Seconds of start-up instead; milliseconds at a zone's size.
"""

from sqlalchemy import Engine, inspect
from sqlmodel import Session

from chainmaps import figures as chain_figures
from chains import service as chain_service
from core import figure_cache, versions
from core.db import china_today
from core.orgs import ParkKind, list_parks
from enterprises.cultivation import roster
from enterprises.registry import service as enterprise_service
from enterprises.registry import tallies
from plans import dashboard, park_progress


def warm_up(engine: Engine) -> None:
    """Compute and cache the registry's common figures (nothing on a database not migrated)."""
    if not inspect(engine).has_table(versions.DataVersion.__tablename__):
        return
    today = china_today()
    with Session(engine) as session:
        session.info[figure_cache.CURRENT] = versions.FAMILIES
        tallies.total(session=session)
        enterprise_service.count_by_park(session=session)
        roster.stage_counts(session=session, today=today)
        for chain in chain_service.get_all(session=session):
            chain_figures.detail(session=session, code=chain.code)
        dashboard.standings(session=session, day=today)
        dashboard.park_table(session=session, day=today, year_start=today.replace(month=1, day=1))
        dashboard.chain_table(session=session, day=today, year_start=today.replace(month=1, day=1))
        for park in list_parks(session=session):
            if park.kind == ParkKind.park and park.id is not None:
                roster.stage_counts(session=session, today=today, park_id=park.id)
                park_progress.targets_in(session=session, park_id=park.id, today=today)
