"""Figures of a chain filled with firms: counts per segment and chain, gaps."""

from sqlmodel import Session

from chainmaps import figures as chain_figures
from enterprises.registry.models import MemberRole
from tests.factories import make_enterprise


def test_counts_follow_memberships(session: Session) -> None:
    before = chain_figures.detail(session=session, code="hydrogen")
    make_enterprise(session, segment=("hydrogen", "storage"), role=MemberRole.anchor)
    after = chain_figures.detail(session=session, code="hydrogen")
    storage = next(s for s in after.segments if s.code == "storage")
    assert after.enterprise_count == before.enterprise_count + 1
    assert after.anchor_count == before.anchor_count + 1
    assert storage.anchor_count == 1


def test_gaps_follow_local_firms_and_links(session: Session) -> None:
    # 制氢 → 储氢 → 运氢 → 加氢站 → 氢能汽车 → 标准, and 加氢站 → 安全: no plan firm in 制氢.
    before = {g.name: g for g in chain_figures.gaps(session=session, code="hydrogen")}
    assert before["制氢"].status == "missing"
    assert before["制氢"].reach == 6
    assert before["制氢"].explanation == "无本地企业；下游 6 个环节依赖"
    make_enterprise(session, segment=("hydrogen", "production"))
    after = {g.name: g for g in chain_figures.gaps(session=session, code="hydrogen")}
    assert (after["制氢"].status, after["制氢"].action) == ("weak", "strengthen")
    assert after["制氢"].score < before["制氢"].score
