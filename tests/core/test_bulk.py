from datetime import date

from sqlmodel import Session, col, select

from core import bulk, versions
from core.audit import AuditEntry
from core.db import table_of, utcnow
from enterprises.registry.models import Enterprise, Origin
from tests.factories import make_enterprise


def _rows(ids: list[int]) -> list[dict[str, object]]:
    return [
        Enterprise(
            name=f"批量写入测试{i}号公司",
            origin=Origin.demo,
            founded_date=date(2020, 1, i % 28 + 1),
        ).model_dump()
        | {"id": i}
        for i in ids
    ]


def test_reserved_ids_are_fresh_and_rows_read_back_as_written(session: Session) -> None:
    existing = make_enterprise(session)
    ids = bulk.reserve_ids(session, Enterprise, 3)
    assert len(set(ids)) == 3 and min(ids) > (existing.id or 0)
    bulk.insert_rows(session, Enterprise, _rows(ids))
    firms = session.exec(select(Enterprise).where(col(Enterprise.id).in_(ids))).all()
    assert sorted(f.id or 0 for f in firms) == sorted(ids)
    assert {f.origin for f in firms} == {Origin.demo}  # the enum went in as its stored value
    assert all(f.founded_date and f.founded_date.year == 2020 for f in firms)
    assert bulk.reserve_ids(session, Enterprise, 1)[0] > max(ids)


def test_json_values_and_left_out_columns(session: Session) -> None:
    ids = bulk.reserve_ids(session, Enterprise, 1)
    bulk.insert_rows(session, Enterprise, _rows(ids))
    bulk.insert_rows(
        session,
        AuditEntry,
        [
            {
                "at": utcnow(),
                "actor_name": "bulk-test",
                "action": "import_create",
                "object_type": "enterprise",
                "object_id": str(ids[0]),
                "after": {"founded_on": date(2020, 1, 5), "name": "甲"},
            }
        ],
    )
    entry = session.exec(select(AuditEntry).where(AuditEntry.actor_name == "bulk-test")).one()
    assert entry.after == {"founded_on": "2020-01-05", "name": "甲"}
    assert entry.before is None and entry.actor_id is None


def test_a_bulk_insert_of_a_tracked_table_changes_the_registry_token(session: Session) -> None:
    before = versions.current(session=session)
    bulk.insert_rows(session, Enterprise, _rows(bulk.reserve_ids(session, Enterprise, 2)))
    assert versions.current(session=session) != before


def test_among_finds_every_value_of_a_list_longer_than_one_statement_takes(
    session: Session,
) -> None:
    ids = bulk.reserve_ids(session, Enterprise, 6)
    bulk.insert_rows(session, Enterprise, _rows(ids))
    wanted = [*ids, *range(10**8, 10**8 + 12_000)]  # past the SQLite chunk of 5,000
    found = [
        firm_id
        for condition in bulk.among(session, Enterprise.id, wanted)
        for firm_id in session.exec(select(Enterprise.id).where(condition))
    ]
    assert sorted(found) == sorted(ids)
    names = [f"批量写入测试{i}号公司" for i in ids[:2]]
    by_name = [
        name
        for condition in bulk.among(session, Enterprise.name, set(names))
        for name in session.exec(select(Enterprise.name).where(condition))
    ]
    assert sorted(by_name) == sorted(names)


def test_a_column_of_repeated_values_and_documents_goes_in_row_by_row(session: Session) -> None:
    ids = bulk.reserve_ids(session, Enterprise, 4)
    bulk.insert_rows(session, Enterprise, _rows(ids))
    at = utcnow()
    # None first, then documents (unhashable), equal documents, and one object shared by rows.
    shared = {"founded_on": date(2021, 2, 3)}
    afters = [None, {"name": "甲"}, shared, shared, {"name": "甲"}]
    bulk.insert_rows(
        session,
        AuditEntry,
        [
            {
                "at": at,
                "actor_name": "bulk-mixed",
                "action": "import_create",
                "object_type": "enterprise",
                "object_id": str(n),
                "after": after,
            }
            for n, after in enumerate(afters)
        ],
    )
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.actor_name == "bulk-mixed").order_by(col(AuditEntry.id))
    ).all()
    assert [e.object_id for e in entries] == ["0", "1", "2", "3", "4"]
    assert [e.after for e in entries] == [
        None,
        {"name": "甲"},
        {"founded_on": "2021-02-03"},
        {"founded_on": "2021-02-03"},
        {"name": "甲"},
    ]
    assert len({e.at.replace(tzinfo=None) for e in entries}) == 1


def test_reread_refreshes_the_held_objects_a_statement_changed(session: Session) -> None:
    held, other = make_enterprise(session), make_enterprise(session)
    session.flush()
    session.execute(table_of(Enterprise).update().values(main_products="伺服电机"))
    bulk.reread(session, Enterprise, [held.id or 0, 10**9])
    assert held.main_products == "伺服电机"
    assert other.main_products != "伺服电机"  # not named: still as the session last read it


def test_values_shared_by_every_row_are_given_once_and_converted(session: Session) -> None:
    at = utcnow()
    bulk.insert_rows(
        session,
        AuditEntry,
        [{"object_id": "1", "after": {"n": 1}}, {"object_id": "2", "after": None}],
        same={
            "at": at,
            "actor_name": "bulk-same",
            "action": "import_create",
            "object_type": "enterprise",
            "before": {"on": date(2022, 5, 6)},  # a document: converted once for both rows
        },
    )
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.actor_name == "bulk-same").order_by(col(AuditEntry.id))
    ).all()
    assert [(e.object_id, e.after) for e in entries] == [("1", {"n": 1}), ("2", None)]
    assert all(e.before == {"on": "2022-05-06"} for e in entries)
    assert all(e.at.replace(tzinfo=None) == at.replace(tzinfo=None) for e in entries)
    assert all(e.source == "" and e.object_label == "" for e in entries)  # defaults still filled
