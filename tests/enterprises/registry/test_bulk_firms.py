import pytest
from sqlmodel import Session, select

from core import bulk
from core.db import chars_later, utcnow
from enterprises.registry import bulk_firms
from enterprises.registry.char_index import matching_ids
from enterprises.registry.models import Enterprise, Origin
from enterprises.spreadsheets.import_writes import _DEFAULTS
from tests.factories import make_enterprise


def _found(session: Session, term: str) -> set[int]:
    return set(session.scalars(matching_ids(session, term, [])))


def _rows(session: Session, names: list[str]) -> list[dict[str, object]]:
    now = utcnow()
    ids = bulk.reserve_ids(session, Enterprise, len(names))
    common = _DEFAULTS | {"origin": Origin.manual, "version": 1, "created_at": now}
    return [
        common | {"id": i, "name": n, "updated_at": now} for i, n in zip(ids, names, strict=True)
    ]


def test_firms_written_in_bulk_are_searchable_and_gone_once_deleted(session: Session) -> None:
    rows = _rows(session, ["佛山市批量甲骥有限公司", "佛山市批量乙骥有限公司"])
    bulk_firms.insert(session, rows)
    ids = {row["id"] for row in rows}
    assert _found(session, "骥") == ids
    bulk_firms.delete(session, [rows[0]["id"]])  # type: ignore[list-item]
    assert _found(session, "骥") == {rows[1]["id"]}
    assert _found(session, "甲骥") == set()
    assert session.exec(select(Enterprise.id).where(Enterprise.id.in_(ids))).all() == [  # type: ignore[attr-defined]
        rows[1]["id"]
    ]


def test_other_writers_still_index_each_firm_after_a_bulk_write(session: Session) -> None:
    with pytest.raises(RuntimeError), chars_later(session):  # a bulk write that fails midway
        raise RuntimeError
    bulk_firms.insert(session, _rows(session, ["佛山市批量丙鹬有限公司"]))
    firm = make_enterprise(session, name="佛山市逐个丁鹬有限公司")
    assert firm.id in _found(session, "鹬")
    assert len(_found(session, "鹬")) == 2
