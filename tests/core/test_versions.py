import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import Engine, insert
from sqlmodel import Session

from chains import service as chain_service
from core import accounts, figure_store, versions
from core.accounts import Role
from enterprises import service as enterprise_service
from enterprises.models import EnterpriseFields, EnterpriseUpdate, Membership
from tests.factories import make_enterprise, make_user


def _firms(session: Session, code: str, segment: str) -> int:
    view = chain_service.detail(session=session, code=code)
    return next(s.enterprise_count for s in view.segments if s.code == segment)


def test_cached_chain_figures_follow_every_kind_of_write(session: Session) -> None:
    before = _firms(session, "additive", "slm")
    assert chain_service.detail(session=session, code="additive") is chain_service.detail(
        session=session, code="additive"
    )
    firm = make_enterprise(session, segment=("additive", "slm"))
    assert _firms(session, "additive", "slm") == before + 1
    pcm = next(
        s
        for s in chain_service.segments_of(
            session=session,
            chain_id=chain_service.get_by_code(session=session, code="additive").id or 0,
        )
        if s.code == "pcm"
    )
    pcm_before = _firms(session, "additive", "pcm")
    session.execute(insert(Membership), [{"enterprise_id": firm.id, "segment_id": pcm.id}])
    assert _firms(session, "additive", "pcm") == pcm_before + 1


def test_a_token_is_never_reused_after_a_rollback(session: Session) -> None:
    start = versions.current(session=session)
    seen = set()
    for _ in range(3):
        nested = session.begin_nested()
        make_user(session, Role.viewer)
        seen.add(versions.current(session=session))
        nested.rollback()
        assert versions.current(session=session) == start
    assert len(seen) == 3 and start not in seen


def test_logins_and_reads_keep_the_token(session: Session) -> None:
    user = make_user(session, Role.viewer)
    token = versions.current(session=session)
    accounts.start_session(session=session, user=user)
    chain_service.summaries(session=session)
    assert versions.current(session=session) == token


def test_edits_no_cached_figure_reads_keep_the_token(session: Session) -> None:
    admin = make_user(session, Role.admin)
    firm = make_enterprise(session, actor=admin, contact_phone="13800000000")
    fields = EnterpriseFields.model_validate(
        firm.model_dump(include=set(EnterpriseFields.model_fields))
    )

    def edit(**changes: object) -> None:
        data = EnterpriseUpdate(**(fields.model_dump() | changes), version=firm.version)
        enterprise_service.update(
            session=session, actor=admin, enterprise_id=firm.id or 0, data=data
        )

    token = versions.current(session=session)
    edit(contact_phone="13900000000", employees=120)
    assert versions.current(session=session) == token
    firm.address = "佛山市顺德区北滘镇科技路1号"  # through the ORM as well
    session.flush()
    assert versions.current(session=session) == token
    edit(contact_phone="13900000000", employees=120, above_size=True)
    assert versions.current(session=session) != token


def test_readers_wanting_a_value_being_computed_wait_for_it(engine: Engine) -> None:
    computed = []

    def compute() -> str:
        computed.append(1)
        time.sleep(0.3)
        return "figures"

    def read() -> str:
        with Session(engine) as own:
            return versions.cached(session=own, what=f"slow-{id(computed)}", compute=compute)

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: read(), range(4)))
    assert answers == ["figures"] * 4 and len(computed) == 1


def test_while_a_new_version_is_computed_others_get_the_previous_one(engine: Engine) -> None:
    what = f"standings-{uuid.uuid4().hex}"
    inside, release = threading.Event(), threading.Event()

    def read(compute: Callable[[], str], stale: bool = True) -> str:
        with Session(engine) as own:
            return versions.cached(
                session=own, what=what, compute=compute, stale_while_computing=stale
            )

    def new_figures() -> str:
        inside.set()
        release.wait(5)
        return "new"

    def never() -> str:
        raise AssertionError("computed twice")

    assert read(lambda: "old") == "old"
    with Session(engine) as writer:  # a write elsewhere: the registry has a new version
        versions._bump(writer, [versions.REGISTRY])
        writer.commit()
    with ThreadPoolExecutor(2) as pool:
        computing = pool.submit(read, new_figures)
        assert inside.wait(5)
        assert read(never) == "old"  # served at once, seconds old, not computed again
        fresh_only = pool.submit(read, never, False)  # a figure that must be current waits
        time.sleep(0.2)
        assert not fresh_only.done()
        release.set()
        assert computing.result() == "new" and fresh_only.result() == "new"
    assert read(never) == "new"


def test_a_figure_computed_by_one_process_is_read_by_the_others(engine: Engine) -> None:
    what = f"chain-detail:{uuid.uuid4().hex}"
    with Session(engine) as own:
        versions.cached(session=own, what=what, compute=lambda: {"segments": 19})
    versions.forget()  # what another process starts with: nothing in memory
    with Session(engine) as other:
        if other.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite serves one process; figures are shared on PostgreSQL")
        again = versions.cached(session=other, what=what, compute=lambda: {"segments": -1})
        assert again == {"segments": 19}
        versions._bump(other, [versions.REGISTRY])  # a write, anywhere: a new version
        assert versions.cached(session=other, what=what, compute=lambda: {"segments": 20}) == {
            "segments": 20
        }
        other.rollback()


def test_while_another_process_computes_a_figure_readers_get_the_previous_one(
    engine: Engine,
) -> None:
    what = f"standings-{uuid.uuid4().hex}"

    def read(compute: Callable[[], str]) -> str:
        with Session(engine) as own:
            return versions.cached(
                session=own, what=what, compute=compute, stale_while_computing=True
            )

    def never() -> str:
        raise AssertionError("computed while another process computes it")

    assert read(lambda: "old") == "old"
    with Session(engine) as other:
        if other.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite serves one process; processes coordinate on PostgreSQL")
        versions._bump(other, [versions.REGISTRY])  # a write, anywhere: a new version
        other.commit()
        token = versions.current(session=other)
        # What another process's warmer does first: claim the figure for its transaction.
        assert figure_store.claim(other, f"registry:{what}:{date.today()}", token)
        assert read(never) == "old"
        other.rollback()  # it finished (here: gave up) and released its claim
    assert read(lambda: "new") == "new"
