from sqlalchemy import insert
from sqlmodel import Session

from chainmaps import figures as chain_figures
from chains import service as chain_service
from core import accounts, versions
from core.accounts import Role
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import EnterpriseFields, EnterpriseUpdate, Membership
from tests.factories import make_enterprise, make_user


def _firms(session: Session, code: str, segment: str) -> int:
    view = chain_figures.detail(session=session, code=code)
    return next(s.enterprise_count for s in view.segments if s.code == segment)


def test_cached_chain_figures_follow_every_kind_of_write(session: Session) -> None:
    before = _firms(session, "additive", "slm")
    assert chain_figures.detail(session=session, code="additive") is chain_figures.detail(
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
    chain_figures.summaries(session=session)
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
