"""The chief's review of suggested memberships: accept confirms a place, reject is final."""

import pytest
from sqlmodel import Session, select

from chainmaps import suggestion_review, suggestions
from chainmaps.suggestions import MembershipSuggestion, SuggestionStatus
from chains.models import Chain
from core.accounts import Role
from core.errors import Conflict, NotFound, PermissionDenied
from enterprises.registry.models import Membership, MembershipReview
from tests.enterprises.prospects.factories import worded_chain
from tests.factories import make_enterprise, make_user


def _suggested(session: Session) -> tuple[Chain, MembershipSuggestion]:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    firm = make_enterprise(session, name="佛山市协作臂科技有限公司", main_products="协作臂")
    suggestions.refresh_firms(session=session, enterprise_ids=[firm.id or 0])
    found = session.exec(
        select(MembershipSuggestion).where(MembershipSuggestion.enterprise_id == firm.id)
    ).one()
    assert found.segment_id == made["协作机器人"].id
    return session.get_one(Chain, found.chain_id), found


def test_accepting_confirms_the_place_and_closes_the_suggestion(session: Session) -> None:
    chain, found = _suggested(session)
    admin = make_user(session, Role.admin)
    total, rows = suggestion_review.open_for_chain(session=session, chain_id=chain.id or 0)
    assert total == 1 and rows[0].suggestion.words == ["协作臂"]
    member = suggestion_review.accept(
        session=session, actor=admin, chain=chain, suggestion_id=found.id or 0
    )
    assert (member.review, member.entered_by) == (MembershipReview.confirmed, "suggestion")
    assert found.status == SuggestionStatus.accepted and found.decided_by_id == admin.id
    assert suggestion_review.open_for_chain(session=session, chain_id=chain.id or 0)[0] == 0
    with pytest.raises(Conflict):
        suggestion_review.reject(
            session=session, actor=admin, chain=chain, suggestion_id=found.id or 0
        )


def test_a_rejected_suggestion_is_not_made_again(session: Session) -> None:
    chain, found = _suggested(session)
    admin = make_user(session, Role.admin)
    suggestion_review.reject(session=session, actor=admin, chain=chain, suggestion_id=found.id or 0)
    suggestions.refresh_firms(session=session, enterprise_ids=[found.enterprise_id])
    rows = session.exec(
        select(MembershipSuggestion).where(
            MembershipSuggestion.enterprise_id == found.enterprise_id
        )
    ).all()
    assert [r.status for r in rows] == [SuggestionStatus.rejected]
    assert (
        session.exec(
            select(Membership).where(Membership.enterprise_id == found.enterprise_id)
        ).all()
        == []
    )


def test_only_the_chains_chief_decides(session: Session) -> None:
    chain, found = _suggested(session)
    for user in (
        make_user(session, Role.chain_chief, chains=("robotics",)),
        make_user(session, Role.promotion),
        make_user(session, Role.leader),
    ):
        with pytest.raises(PermissionDenied):
            suggestion_review.accept(
                session=session, actor=user, chain=chain, suggestion_id=found.id or 0
            )
    robotics = session.exec(select(Chain).where(Chain.code == "robotics")).one()
    with pytest.raises(NotFound):  # a suggestion of another chain is unknown here
        suggestion_review.accept(
            session=session,
            actor=make_user(session, Role.admin),
            chain=robotics,
            suggestion_id=found.id or 0,
        )
