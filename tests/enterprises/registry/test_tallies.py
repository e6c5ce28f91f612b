"""The enterprise list's totals from cached group counts, against counting the registry."""

from itertools import product

from sqlmodel import Session, func, select

from chains import service as chain_service
from core.orgs import get_park_by_code
from enterprises.registry import search, tallies
from enterprises.registry.models import Enterprise, Origin
from enterprises.registry.service import EnterpriseFilter, filter_conditions
from tests.factories import join_segment, make_enterprise


def test_totals_from_tallies_match_counting_the_registry(session: Session) -> None:
    robotics = chain_service.get_by_code(session=session, code="robotics")
    hydrogen = chain_service.get_by_code(session=session, code="hydrogen")
    arm, servo = chain_service.segments_of(session=session, chain_id=robotics.id or 0)[:2]
    tank = chain_service.segments_of(session=session, chain_id=hydrogen.id or 0)[0]
    firms = [
        make_enterprise(session, park="shunde", above_size=True),
        make_enterprise(session, park="shunde"),
        make_enterprise(session, park="nanhai", above_size=True),
        make_enterprise(session, park="nanhai"),
    ]
    for firm, segments in zip(firms, [(arm, servo), (arm, tank), (servo,), ()], strict=True):
        for segment in segments:  # the first firm is in two segments of one chain
            join_segment(session, firm, segment)
    firms[1].origin = Origin.demo
    session.flush()
    parks = [None, *(get_park_by_code(session=session, code=c).id for c in ("shunde", "nanhai"))]
    scopes = [(None, None), (robotics.id, None), (hydrogen.id, None), (None, servo.id)]
    for park, size, demo, (chain, segment) in product(
        parks, (None, True, False), (True, False), scopes
    ):
        flt = EnterpriseFilter(
            park_id=park, above_size=size, include_demo=demo, chain_id=chain, segment_id=segment
        )
        counted = session.exec(
            select(func.count()).select_from(Enterprise).where(*filter_conditions(flt))
        ).one()
        from_tallies = tallies.total(
            session=session,
            park_id=park,
            above_size=size,
            include_demo=demo,
            chain_id=chain,
            segment_id=segment,
        )
        assert from_tallies == counted, flt
        assert search.search(session=session, flt=flt).total == counted, flt
    robotics_total = tallies.total(session=session, chain_id=robotics.id)
    assert robotics_total >= 3  # the three test firms in robotics (and the plan's firms)
