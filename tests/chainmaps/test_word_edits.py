"""A chief edits a segment's words: suggested firms and ranked targets follow; others refused."""

import pytest
from sqlmodel import Session, select

from chainmaps import word_edits
from chainmaps.suggestions import MembershipSuggestion
from chains.models import Chain, SegmentFields
from core.accounts import Role
from core.errors import Conflict, FieldErrors, PermissionDenied
from enterprises.prospects import outreach
from tests.enterprises.prospects.factories import make_prospect, worded_chain
from tests.factories import make_enterprise, make_user


def test_new_words_suggest_firms_and_rank_targets(session: Session) -> None:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    segment = made["精密减速器"]
    chain = session.get_one(Chain, segment.chain_id)
    firm = make_enterprise(session, name="佛山市行星传动有限公司", main_products="行星减速机")
    target = make_prospect(session, admin, products="行星减速机")
    done = word_edits.edit_words(
        session=session,
        actor=admin,
        chain=chain,
        segment=segment,
        text="精密减速器\n行星减速机、RV减速器",
        version=segment.version,
    )
    assert done.changed and done.firm_suggestions >= 1 and done.targets == 1
    suggestion = session.exec(
        select(MembershipSuggestion).where(MembershipSuggestion.enterprise_id == firm.id)
    ).one()
    assert (suggestion.segment_id, suggestion.words) == (segment.id, ["行星减速机"])
    ranked = outreach.ranked(session=session, segment_id=segment.id or 0)
    assert [t.prospect.id for t in ranked] == [target.id]


def test_only_the_chains_chief_edits_its_words(session: Session) -> None:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    segment = made["伺服系统"]
    chain = session.get_one(Chain, segment.chain_id)
    other_chief = make_user(session, Role.chain_chief, chains=("robotics",))
    with pytest.raises(PermissionDenied):
        word_edits.edit_words(
            session=session, actor=other_chief, chain=chain, segment=segment, text="伺服电机"
        )
    with pytest.raises(PermissionDenied):
        word_edits.edit_words(
            session=session,
            actor=make_user(session, Role.promotion),
            chain=chain,
            segment=segment,
            text="伺服电机",
        )


def test_bad_words_and_stale_forms_are_refused(session: Session) -> None:
    admin = make_user(session, Role.admin)
    made = worded_chain(session, admin)
    segment = made["伺服系统"]
    chain = session.get_one(Chain, segment.chain_id)
    with pytest.raises(FieldErrors, match="太短"):
        word_edits.edit_words(session=session, actor=admin, chain=chain, segment=segment, text="伺")
    version = segment.version
    word_edits.edit_words(
        session=session, actor=admin, chain=chain, segment=segment, text="伺服电机", version=version
    )
    with pytest.raises(Conflict):
        word_edits.edit_words(
            session=session, actor=admin, chain=chain, segment=segment, text="伺服", version=version
        )


def test_a_renamed_segment_rematches_its_firms(session: Session) -> None:
    admin = make_user(session, Role.admin)
    segment = worded_chain(session, admin)["伺服系统"]
    chain = session.get_one(Chain, segment.chain_id)
    firm = make_enterprise(session, name="佛山市丁科技有限公司", main_products="直线电机模组")

    def reasons() -> list[list[str]]:
        session.expire_all()  # the rows were written past the ORM
        return [
            s.words
            for s in session.exec(
                select(MembershipSuggestion).where(
                    MembershipSuggestion.enterprise_id == firm.id,
                    MembershipSuggestion.segment_id == segment.id,
                )
            )
        ]

    before = reasons()
    data = SegmentFields(name="直线电机", stream=segment.stream, description="直线电机及驱动")
    word_edits.edit_segment(session=session, actor=admin, chain=chain, segment=segment, data=data)
    assert reasons() == [["「直线电机」"]] != before


def test_a_new_segment_suggests_firms_and_ranks_targets_at_once(session: Session) -> None:
    admin = make_user(session, Role.admin)
    segment = worded_chain(session, admin)["伺服系统"]
    chain = session.get_one(Chain, segment.chain_id)
    firm = make_enterprise(session, name="佛山市戊科技有限公司", main_products="直线电机模组")
    target = make_prospect(session, admin, products="直线电机及驱动器")
    data = SegmentFields(name="直线电机", stream=segment.stream, description="直线电机及驱动")
    added = word_edits.add_segment(session=session, actor=admin, chain=chain, data=data)
    session.expire_all()  # the suggestions were written past the ORM
    suggested = session.exec(
        select(MembershipSuggestion.segment_id).where(MembershipSuggestion.enterprise_id == firm.id)
    ).all()
    assert added.id in suggested
    assert [t.prospect.id for t in outreach.ranked(session=session, segment_id=added.id or 0)] == [
        target.id
    ]
