import pytest
from sqlmodel import Session, select

from chains.models import Stream
from core import audit
from core.accounts import Role
from core.errors import NotFound, PermissionDenied
from enterprises.registry import membership_review as review
from enterprises.registry.models import Membership, MembershipReview, MembershipSource
from tests.factories import join_segment, make_chain, make_enterprise, make_user


def _chain_with_chief(session: Session):
    chain, seg = make_chain(session, [("减速器", Stream.upstream), ("整机", Stream.midstream)])
    chief = make_user(session, Role.chain_chief, chains=(chain.code,))
    return chain, seg, chief


def _enter(session: Session, firm, segment, source=MembershipSource.project) -> Membership:
    return review.enter(
        session=session,
        actor=make_user(session, Role.promotion),
        enterprise=firm,
        segment_id=segment.id,
        source=source,
        note="项目「减速器」注册落地",
    )


def test_enter_places_a_firm_pending_and_audits_it(session: Session) -> None:
    chain, seg, _ = _chain_with_chief(session)
    firm = make_enterprise(session)
    member = _enter(session, firm, seg["减速器"])
    assert member.review == MembershipReview.pending
    assert member.entered_by == MembershipSource.project
    assert member.entered_note == "项目「减速器」注册落地"
    assert member.entered_at is not None
    [entry] = audit.history(session=session, object_type="membership", object_id=member.id)
    assert entry.action == "create" and entry.after["review"] == "pending"
    [waiting] = review.pending(session=session, chain_id=chain.id)
    assert waiting.enterprise.id == firm.id and waiting.source_label == "项目落地"
    assert review.pending_counts(session=session, chain_ids=[chain.id]) == {chain.id: 1}


def test_enter_leaves_a_place_already_held_as_it_is(session: Session) -> None:
    chain, seg, _ = _chain_with_chief(session)
    firm = make_enterprise(session)
    held = join_segment(session, firm, seg["减速器"])
    assert _enter(session, firm, seg["减速器"]).id == held.id
    assert held.review == MembershipReview.confirmed
    assert review.pending(session=session, chain_id=chain.id) == []


def test_enter_into_a_nonexistent_segment_is_refused(session: Session) -> None:
    firm = make_enterprise(session)
    with pytest.raises(NotFound):
        review.enter(
            session=session,
            actor=None,
            enterprise=firm,
            segment_id=10**9,
            source=MembershipSource.imported,
        )


def test_the_chief_confirms_and_it_is_audited(session: Session) -> None:
    chain, seg, chief = _chain_with_chief(session)
    member = _enter(session, make_enterprise(session), seg["整机"])
    review.confirm(session=session, actor=chief, chain=chain, membership_id=member.id)
    assert member.review == MembershipReview.confirmed
    assert member.reviewed_by_id == chief.id and member.reviewed_at is not None
    entry = audit.history(session=session, object_type="membership", object_id=member.id)[0]
    assert (entry.action, entry.before, entry.after) == (
        "confirm",
        {"review": "pending"},
        {"review": "confirmed"},
    )
    assert review.pending(session=session, chain_id=chain.id) == []
    # A second click changes nothing.
    review.confirm(session=session, actor=chief, chain=chain, membership_id=member.id)
    assert len(audit.history(session=session, object_type="membership", object_id=member.id)) == 2


def test_the_chief_removes_and_the_audit_keeps_what_was_there(session: Session) -> None:
    chain, seg, chief = _chain_with_chief(session)
    firm = make_enterprise(session)
    member = _enter(session, firm, seg["整机"])
    member_id = member.id
    review.remove(session=session, actor=chief, chain=chain, membership_id=member_id)
    assert session.exec(select(Membership).where(Membership.id == member_id)).first() is None
    entry = audit.history(session=session, object_type="membership", object_id=member_id)[0]
    assert entry.action == "delete"
    assert entry.before["enterprise_id"] == firm.id and entry.before["entered_by"] == "project"


@pytest.mark.parametrize("role", [Role.park_bureau, Role.promotion, Role.viewer, Role.leader])
def test_other_roles_may_not_review(session: Session, role: Role) -> None:
    chain, seg, _ = _chain_with_chief(session)
    member = _enter(session, make_enterprise(session), seg["整机"])
    stranger = make_user(session, role)
    for act in (review.confirm, review.remove):
        with pytest.raises(PermissionDenied):
            act(session=session, actor=stranger, chain=chain, membership_id=member.id)
    assert member.review == MembershipReview.pending


def test_another_chains_chief_is_refused_and_a_foreign_id_is_unknown(session: Session) -> None:
    chain, seg, chief = _chain_with_chief(session)
    other, other_seg, other_chief = _chain_with_chief(session)
    member = _enter(session, make_enterprise(session), seg["整机"])
    with pytest.raises(PermissionDenied):
        review.confirm(session=session, actor=other_chief, chain=chain, membership_id=member.id)
    # Through his own chain the other chief cannot reach it either.
    with pytest.raises(NotFound):
        review.confirm(session=session, actor=other_chief, chain=other, membership_id=member.id)
    with pytest.raises(NotFound):
        review.remove(session=session, actor=chief, chain=chain, membership_id=10**9)
    assert member.review == MembershipReview.pending


def test_admin_may_review(session: Session) -> None:
    chain, seg, _ = _chain_with_chief(session)
    member = _enter(session, make_enterprise(session), seg["整机"])
    admin = make_user(session, Role.admin)
    review.confirm(session=session, actor=admin, chain=chain, membership_id=member.id)
    assert member.review == MembershipReview.confirmed
