"""Sixteen editors of one chain at once, each in its own transaction holding the chain first
(as web.deps.editable_chain does for every change): what one checked still holds when it
writes, and of editors that read one version of a segment, the settings or a dossier item
exactly one wins."""

from collections.abc import Callable, Iterator
from typing import Any

import networkx as nx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from chains import dossier, editing
from chains import service as chain_service
from chains.models import (
    Chain,
    ChainSettings,
    DossierItem,
    DossierItemFields,
    DossierKind,
    Segment,
    SegmentFields,
    SegmentLink,
    Stream,
)
from core.accounts import Role, User
from core.audit import AuditEntry
from core.db import make_engine
from tests.concurrency import WRITERS, Race
from tests.databases import drop_scratch, seeded_scratch
from tests.factories import make_chain, make_user


@pytest.fixture(scope="module")
def shared(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = seeded_scratch(database_url, tmp_path_factory.mktemp("chains"))
    engine = make_engine(url, pool_size=WRITERS + 1)
    yield engine
    engine.dispose()
    drop_scratch(url, database_url)


def _made(engine: Engine, build: Callable[[Session], Any]) -> Any:
    with Session(engine, expire_on_commit=False) as session:
        made = build(session)
        session.commit()
        return made


def _world(engine: Engine, segments: int = 2) -> tuple[str, list[int], list[int]]:
    """A chain of `segments` segments (no links) and sixteen admins: (code, segment ids, ids)."""

    def build(session: Session) -> tuple[str, list[int], list[int]]:
        names = [(f"环节{n}", Stream.midstream) for n in range(segments)]
        chain, made = make_chain(session, names)
        admins = [make_user(session, Role.admin).id or 0 for _ in range(WRITERS)]
        return chain.code, [made[name].id or 0 for name, _ in names], admins

    return _made(engine, build)  # type: ignore[no-any-return]


def _held(session: Session, code: str, admin_id: int) -> tuple[User, Chain]:
    """What a request changing the chain starts with: its user, and the chain held."""
    actor = session.get(User, admin_id)
    assert actor is not None
    chain = chain_service.get_by_code(session=session, code=code)
    chain_service.hold_for_edit(session=session, chain=chain)
    return actor, chain


def _entries(engine: Engine, object_type: str, action: str, object_id: int | None = None) -> int:
    with Session(engine) as session:
        stmt = select(func.count()).where(
            col(AuditEntry.object_type) == object_type, col(AuditEntry.action) == action
        )
        if object_id is not None:
            stmt = stmt.where(col(AuditEntry.object_id) == str(object_id))
        return int(session.exec(stmt).one())


def test_sixteen_renames_of_a_segment_from_one_version_one_wins(shared: Engine) -> None:
    code, (segment_id, _), admins = _world(shared)

    def write(session: Session, n: int) -> None:
        actor, chain = _held(session, code, admins[n])
        segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
        data = SegmentFields(name=f"改名{n}", stream=Stream.midstream)
        editing.update_segment(
            session=session, actor=actor, chain=chain, segment=segment, data=data, version=1
        )

    outcome = Race(lambda _session, n: n, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert _entries(shared, "segment", "update", segment_id) == 1


def test_sixteen_changes_of_the_settings_from_one_version_one_wins(shared: Engine) -> None:
    code, _, admins = _world(shared)

    def write(session: Session, n: int) -> None:
        actor, chain = _held(session, code, admins[n])
        data = ChainSettings(weak_threshold=n + 4)  # each a change (3 is the default)
        editing.update_settings(session=session, actor=actor, chain=chain, data=data, version=1)

    outcome = Race(lambda _session, n: n, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    with Session(shared) as session:
        chain = chain_service.get_by_code(session=session, code=code)
        assert chain.version == 2
        assert _entries(shared, "chain", "update", chain.id) == 1


def test_sixteen_edits_of_a_dossier_item_from_one_version_one_wins(shared: Engine) -> None:
    code, _, admins = _world(shared)

    def build(session: Session) -> int:
        chain = chain_service.get_by_code(session=session, code=code)
        actor = session.get(User, admins[0])
        data = DossierItemFields(kind=DossierKind.policy, name="并发政策")
        return dossier.create(session=session, actor=actor, chain=chain, data=data).id or 0  # type: ignore[arg-type]

    item_id = _made(shared, build)

    def write(session: Session, n: int) -> None:
        actor, chain = _held(session, code, admins[n])
        item = dossier.get(session=session, chain=chain, item_id=item_id)
        data = DossierItemFields(kind=DossierKind.policy, name="并发政策", summary=f"第 {n} 稿")
        dossier.update(session=session, actor=actor, chain=chain, item=item, data=data, version=1)

    outcome = Race(lambda _session, n: n, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 409: WRITERS - 1}
    assert _entries(shared, "dossier_item", "update", item_id) == 1
    with Session(shared) as session:
        item = session.get(DossierItem, item_id)
        assert item is not None and item.version == 2


def test_sixteen_links_closing_a_ring_at_once_leave_the_graph_acyclic(shared: Engine) -> None:
    code, ids, admins = _world(shared, segments=WRITERS)

    def write(session: Session, n: int) -> None:
        actor, chain = _held(session, code, admins[n])
        editing.add_link(
            session=session,
            actor=actor,
            chain=chain,
            source_id=ids[n],
            target_id=ids[(n + 1) % WRITERS],  # the sixteen together close a ring
        )

    outcome = Race(lambda _session, n: n, write).run(shared)
    # Whichever comes last would close the cycle, and is refused naming it (422).
    assert outcome.errors == [] and outcome.statuses == {200: WRITERS - 1, 422: 1}
    with Session(shared) as session:
        chain = chain_service.get_by_code(session=session, code=code)
        links = session.exec(select(SegmentLink).where(SegmentLink.chain_id == chain.id)).all()
        graph = nx.DiGraph([(link.source_id, link.target_id) for link in links])
        assert len(links) == WRITERS - 1 and nx.is_directed_acyclic_graph(graph)


def test_sixteen_segments_of_one_name_at_once_make_one(shared: Engine) -> None:
    code, _, admins = _world(shared)

    def write(session: Session, n: int) -> None:
        actor, chain = _held(session, code, admins[n])
        data = SegmentFields(name="同名环节", stream=Stream.upstream)
        editing.create_segment(session=session, actor=actor, chain=chain, data=data)

    outcome = Race(lambda _session, n: n, write).run(shared)
    assert outcome.errors == [] and outcome.statuses == {200: 1, 422: WRITERS - 1}
    with Session(shared) as session:
        chain = chain_service.get_by_code(session=session, code=code)
        named = select(func.count()).where(Segment.chain_id == chain.id, Segment.name == "同名环节")
        assert session.exec(named).one() == 1
