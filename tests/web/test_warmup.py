"""The figures a server process computes before its first request."""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, inspect
from sqlmodel import Session

from chainmaps import figures as chain_figures
from chains import service as chain_service
from core import figure_cache
from core.db import china_today, make_engine
from plans import dashboard
from tests.databases import drop_scratch, scratch_url
from web.warmup import warm_up


def test_after_the_warm_up_chain_pages_and_the_dashboard_need_only_the_version(
    engine: Engine,
) -> None:
    figure_cache.forget()
    warm_up(engine)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    with Session(engine) as session:
        codes = [c.code for c in chain_service.get_all(session=session)]
        event.listen(engine, "before_cursor_execute", count)
        try:
            for code in codes:
                chain_figures.detail(session=session, code=code)
            dashboard.standings(session=session, day=china_today())
        finally:
            event.remove(engine, "before_cursor_execute", count)
    # One read of the registry's version token each: every figure was already computed.
    assert len(codes) == 10 and len(statements) == len(codes) + 1
    assert all("data_version" in s for s in statements)


def test_a_database_not_yet_migrated_is_left_alone(database_url: str, tmp_path: Path) -> None:
    url = scratch_url(database_url, tmp_path)
    empty = make_engine(url)
    warm_up(empty)  # no error
    assert inspect(empty).get_table_names() == []
    empty.dispose()
    drop_scratch(url, database_url)
