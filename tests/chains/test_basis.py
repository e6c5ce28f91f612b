"""The chain map tells what plan 003 says from what was inferred until a chief confirms it."""

from sqlmodel import Session, select

from chainmaps import figures as chain_figures
from chains import basis, editing
from chains import service as chain_service
from chains.models import Segment
from core.accounts import Role
from core.provenance import Basis
from enterprises.registry.models import Enterprise
from tests.factories import make_user


def test_links_are_inferred_until_the_segment_they_supply_is_confirmed(session: Session) -> None:
    view = chain_figures.detail(session=session, code="robotics")
    inferred = basis.inferred_links(session=session, chain=view)
    assert inferred == {(link.source_id, link.target_id) for link in view.links}
    industrial = session.exec(
        select(Segment).where(Segment.chain_id == view.id, Segment.code == "industrial")
    ).one()
    chief = make_user(session, Role.chain_chief, chains=("robotics",))
    chain = chain_service.get_by_code(session=session, code="robotics")
    editing.confirm_segment(session=session, actor=chief, chain=chain, segment=industrial)
    after = basis.inferred_links(
        session=session, chain=chain_figures.detail(session=session, code="robotics")
    )
    assert {t for _, t in inferred - after} == {industrial.id}


def test_a_membership_the_plan_states_is_quoted_and_others_are_inferred(session: Session) -> None:
    view = chain_figures.detail(session=session, code="polymers")
    by_code = {s.code: s for s in session.exec(select(Segment).where(Segment.chain_id == view.id))}
    lesso = session.exec(select(Enterprise).where(Enterprise.name == "联塑科技")).one()
    plastics = basis.segment_bases(
        session=session,
        segment_id=by_code["engineering-plastics"].id or 0,
        firm_ids=[lesso.id or 0],
        confirmed=False,
    )
    stated = plastics["members"][lesso.id]  # type: ignore[index]
    assert stated.basis == Basis.plan and "联塑科技" in stated.quote
    pipes = basis.segment_bases(
        session=session,
        segment_id=by_code["pipes-profiles"].id or 0,
        firm_ids=[lesso.id or 0],
        confirmed=False,
    )
    assert pipes["members"][lesso.id].basis == Basis.inferred  # type: ignore[index]
    assert pipes["parks"][lesso.id].basis == Basis.inferred  # type: ignore[index]
    confirmed = basis.segment_bases(
        session=session,
        segment_id=by_code["pipes-profiles"].id or 0,
        firm_ids=[lesso.id or 0],
        confirmed=True,
    )
    assert confirmed["members"][lesso.id] is None  # type: ignore[index]
