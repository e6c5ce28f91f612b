"""The demo target list: marked 演示, every target suggested for a segment, removable."""

from sqlmodel import Session, col, func, select

from enterprises.prospects.models import Prospect, ProspectSegment
from seeds import demo_prospects


def test_demo_targets_match_segments_and_go_away(session: Session) -> None:
    made = demo_prospects.generate(session=session, seed=7, per_segment=2)
    assert made > 100
    demo = select(Prospect).where(col(Prospect.demo))
    assert len(session.exec(demo).all()) == made
    matched = session.exec(
        select(func.count(func.distinct(ProspectSegment.prospect_id)))
        .join(Prospect, col(Prospect.id) == ProspectSegment.prospect_id)
        .where(col(Prospect.demo))
    ).one()
    assert matched / made > 0.9  # built from a segment's words: found again by the matcher
    assert all("演示" in p.source_list for p in session.exec(demo.limit(20)))
    assert demo_prospects.remove(session=session) == made
    assert session.exec(demo).first() is None
