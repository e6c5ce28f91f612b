"""Edits that move firms: deleting a segment with firms, detaching them."""

import pytest
from sqlmodel import Session, select

from chainmaps import membership
from chains import editing
from chains import service as chain_service
from chains.models import Segment, Stream
from core.accounts import Role
from core.audit import history
from core.errors import FieldErrors
from enterprises.registry.models import MemberRole, Membership
from tests.factories import join_segment, make_chain, make_enterprise, make_lead, make_user

UP, DOWN = Stream.upstream, Stream.downstream


def test_deleting_a_segment_with_firms_asks_where_they_go(session: Session) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(session, [("旧环节", UP), ("新环节", UP), ("下游", DOWN)])
    editing.add_link(
        session=session,
        actor=admin,
        chain=chain,
        source_id=seg["旧环节"].id or 0,
        target_id=seg["下游"].id or 0,
    )
    both = make_enterprise(session)
    only_old = make_enterprise(session)
    join_segment(session, both, seg["旧环节"], MemberRole.anchor)
    join_segment(session, both, seg["新环节"], MemberRole.member)
    join_segment(session, only_old, seg["旧环节"])
    lead = make_lead(session, make_user(session, Role.promotion), segment_id=seg["旧环节"].id)
    with pytest.raises(FieldErrors) as refused:
        membership.delete_segment(
            session=session, actor=admin, chain=chain, segment=seg["旧环节"], firms_to=None
        )
    assert refused.value.errors["firms_to"] == "“旧环节”有 2 家企业，请选择把它们转入哪个环节"
    moved = membership.delete_segment(
        session=session,
        actor=admin,
        chain=chain,
        segment=seg["旧环节"],
        firms_to=seg["新环节"].id,
    )
    assert moved == 2
    session.refresh(lead)
    assert lead.segment_id == seg["新环节"].id
    members = session.exec(
        select(Membership).where(Membership.segment_id == seg["新环节"].id)
    ).all()
    roles = {m.enterprise_id: m.role for m in members}
    assert roles == {both.id: MemberRole.anchor, only_old.id: MemberRole.member}
    assert chain_service.links_of(session=session, chain_id=chain.id or 0) == []
    entry = history(session=session, object_type="segment", object_id=seg["旧环节"].id or 0)[0]
    assert entry.action == "delete" and entry.before["firms"] == 2 and entry.before["links"] == 1
    assert entry.after == {"firms_to": "新环节", "firms_detached": False}


def test_detaching_firms_removes_them_from_the_chain_only(session: Session) -> None:
    admin = make_user(session, Role.admin)
    chain, seg = make_chain(session, [("待删环节", UP)])
    firm = make_enterprise(session)
    join_segment(session, firm, seg["待删环节"])
    membership.delete_segment(
        session=session,
        actor=admin,
        chain=chain,
        segment=seg["待删环节"],
        firms_to=None,
        detach_firms=True,
    )
    assert session.get(Segment, seg["待删环节"].id) is None
    assert session.exec(select(Membership).where(Membership.enterprise_id == firm.id)).all() == []
    assert firm.name
