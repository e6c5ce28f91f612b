"""Computing suggested memberships: open ones are replaced, decided ones stay and block."""

import gc

import pytest
from sqlmodel import Session, col, select

from chainmaps import suggestion_review, suggestions
from chainmaps.suggestions import MembershipSuggestion, SuggestionStatus
from chains.models import Chain
from core.accounts import Role
from enterprises.prospects import matching
from tests.enterprises.prospects.factories import make_prospect, worded_chain
from tests.factories import make_enterprise, make_user


def _of(session: Session, firm_id: int | None) -> list[MembershipSuggestion]:
    session.expire_all()  # the rows were written past the ORM
    return list(
        session.exec(
            select(MembershipSuggestion)
            .where(MembershipSuggestion.enterprise_id == firm_id)
            .order_by(col(MembershipSuggestion.segment_id))
        )
    )


def test_a_full_run_replaces_open_suggestions_and_keeps_rejected_ones(session: Session) -> None:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    changing = make_enterprise(session, name="佛山市甲传动有限公司", main_products="RV减速器")
    refused = make_enterprise(session, name="佛山市乙科技有限公司", main_products="协作臂")
    suggestions.compute_all(session=session)
    stale = {r.segment_id: r for r in _of(session, changing.id)}[made["精密减速器"].id]
    assert stale.words == ["RV减速器"]
    assert stale.status == SuggestionStatus.open and stale.computed_at is not None
    found = {r.segment_id: r for r in _of(session, refused.id)}[made["协作机器人"].id]
    chain = session.get_one(Chain, found.chain_id)
    suggestion_review.reject(session=session, actor=admin, chain=chain, suggestion_id=found.id or 0)

    changing.main_products = "伺服电机"
    session.add(changing)
    session.flush()
    total = suggestions.compute_all(session=session)
    fresh = {r.segment_id: r for r in _of(session, changing.id)}
    assert made["精密减速器"].id not in fresh  # the stale open row is gone
    assert fresh[made["伺服系统"].id].words == ["伺服电机"]
    kept = {r.segment_id: r.status for r in _of(session, refused.id)}
    assert kept[made["协作机器人"].id] == SuggestionStatus.rejected
    # A second run changes nothing: no open row is duplicated, the rejected one stays alone.
    assert suggestions.compute_all(session=session) == total
    assert len(_of(session, changing.id)) == len(fresh)
    assert {r.segment_id: r.status for r in _of(session, refused.id)} == kept


def test_a_segments_refresh_replaces_only_that_segments_open_rows(session: Session) -> None:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    firm = make_enterprise(session, name="佛山市丙机电有限公司", main_products="RV减速器、伺服电机")
    suggestions.compute_all(session=session)
    before = {r.segment_id: r for r in _of(session, firm.id)}
    assert {made["精密减速器"].id, made["伺服系统"].id} <= set(before)
    for row in before.values():  # marked, to tell a row written afresh from one left alone
        row.words = ["旧"]
        session.add(row)
    session.flush()
    assert suggestions.refresh_segment(session=session, segment_id=made["伺服系统"].id or 0) >= 1
    after = {r.segment_id: r.words for r in _of(session, firm.id)}
    assert after[made["精密减速器"].id] == ["旧"]  # untouched
    assert after[made["伺服系统"].id] == ["伺服电机"]  # written afresh


def test_the_full_runs_and_a_segments_refresh_run_with_the_collector_paused(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    make_enterprise(session, name="佛山市丁传动有限公司", main_products="RV减速器")
    make_prospect(session, admin, name="苏州市戊减速机有限公司", main_products="RV减速器")
    collecting: list[tuple[str, bool]] = []
    for module in (suggestions, matching):
        scored = module._rows

        def noted(*args, _scored=scored, _name=module.__name__, **kwargs):  # type: ignore[no-untyped-def]
            collecting.append((_name, gc.isenabled()))
            return _scored(*args, **kwargs)

        monkeypatch.setattr(module, "_rows", noted)
    gc.enable()
    suggestions.compute_all(session=session)
    suggestions.refresh_segment(session=session, segment_id=made["精密减速器"].id or 0)
    matching.compute_all(session=session)
    matching.refresh_segment(session=session, segment_id=made["精密减速器"].id or 0)
    assert {name for name, _ in collecting} == {suggestions.__name__, matching.__name__}
    assert [on for _, on in collecting] == [False] * len(collecting)
    assert gc.isenabled()
