"""From a gap to the firms to approach and back (按图招商): ranked targets, coverage, projects.

A segment's targets are the firms suggested for it, ranked by how well their products match,
then size and listing. Coverage counts, per segment, the targets that became projects and how
far those got (via lead.prospect_id). One call turns a target into a project with its data.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from chains.models import Segment
from core import audit, permissions
from core.accounts import User
from enterprises.projects import leads
from enterprises.projects.leads import FLOW, Lead, LeadFields, LeadStage, Source
from enterprises.prospects.models import SIZE_RANK, Listing, Prospect, ProspectSegment

RANKED = 20  # targets shown per gap


@dataclass(frozen=True)
class RankedTarget:
    """A target firm for a segment, with why: the matched words, size, listing, region."""

    prospect: Prospect
    score: float
    words: tuple[str, ...]
    lead_id: int | None  # its project, if it is one


@dataclass(frozen=True)
class Coverage:
    """How far promotion got with a segment's targets."""

    segment_id: int
    targets: int = 0
    projects: int = 0
    contacted: int = 0
    negotiating: int = 0
    signed: int = 0
    landed: int = 0

    def sentence(self, segment_name: str, status: str = "") -> str:
        """精密减速器 缺失：目标企业 12 家，已接触 3，洽谈 1 — as a chief reads it."""
        head = f"{segment_name} {status}：" if status else f"{segment_name}："
        return (
            f"{head}目标企业 {self.targets} 家，已立项 {self.projects}，已接触 {self.contacted}，"
            f"洽谈 {self.negotiating}，签约 {self.signed}，落地 {self.landed}"
        )


def _rank_key(target: RankedTarget) -> tuple[float, int, int]:
    prospect = target.prospect
    return (-target.score, -SIZE_RANK.get(prospect.size, 0), prospect.listing == Listing.none)


def ranked(*, session: Session, segment_id: int, limit: int = RANKED) -> list[RankedTarget]:
    """A segment's target firms, best first: score, then size, then listed before not."""
    stmt = (
        select(Prospect, ProspectSegment.score, ProspectSegment.words)
        .join(ProspectSegment, col(ProspectSegment.prospect_id) == Prospect.id)
        .where(ProspectSegment.segment_id == segment_id)
        .order_by(col(ProspectSegment.score).desc(), col(Prospect.id))
        .limit(limit * 5)  # ties on score are ordered by size and listing below
    )
    rows = list(session.exec(stmt))
    ids = [p.id or 0 for p, _s, _w in rows]
    project = lead_of(session=session, prospect_ids=ids)
    targets = [
        RankedTarget(prospect=p, score=s, words=tuple(w), lead_id=project.get(p.id or 0))
        for p, s, w in rows
    ]
    return sorted(targets, key=_rank_key)[:limit]


def lead_of(*, session: Session, prospect_ids: Sequence[int]) -> dict[int, int]:
    """The (first) project made from each given target, by target id."""
    if not prospect_ids:
        return {}
    stmt = (
        select(Lead.prospect_id, func.min(Lead.id))
        .where(col(Lead.prospect_id).in_(list(prospect_ids)))
        .group_by(col(Lead.prospect_id))
    )
    return {p: lead for p, lead in session.exec(stmt) if p is not None and lead is not None}


def coverage(*, session: Session, segment_ids: Sequence[int]) -> dict[int, Coverage]:
    """Each segment's targets and how far the projects made from them got."""
    ids = list(segment_ids)
    result = {i: Coverage(segment_id=i) for i in ids}
    if not ids:
        return result
    targets = select(ProspectSegment.segment_id, func.count()).where(
        col(ProspectSegment.segment_id).in_(ids)
    )
    counts = dict(session.exec(targets.group_by(col(ProspectSegment.segment_id))).all())
    # A target's furthest project: the one that got furthest among those made from it.
    furthest = (
        select(Lead.prospect_id, func.max(Lead.reached).label("reached"))
        .where(col(Lead.prospect_id).is_not(None))
        .group_by(col(Lead.prospect_id))
        .subquery()
    )
    stmt = (
        select(ProspectSegment.segment_id, furthest.c.reached)
        .join(furthest, furthest.c.prospect_id == ProspectSegment.prospect_id)
        .where(col(ProspectSegment.segment_id).in_(ids))
    )
    reached: dict[int, list[int]] = {i: [] for i in ids}
    for segment_id, level in session.exec(stmt):
        reached[segment_id].append(level or 0)
    contact = FLOW.index(LeadStage.contact)
    negotiation = FLOW.index(LeadStage.negotiation)
    signed = FLOW.index(LeadStage.signed)
    registered = FLOW.index(LeadStage.registered)
    for i in ids:
        levels = reached[i]
        result[i] = Coverage(
            segment_id=i,
            targets=counts.get(i, 0),
            projects=len(levels),
            contacted=sum(1 for r in levels if r >= contact),
            negotiating=sum(1 for r in levels if r >= negotiation),
            signed=sum(1 for r in levels if r >= signed),
            landed=sum(1 for r in levels if r >= registered),
        )
    return result


def projects_of(*, session: Session, user: User, prospect_id: int) -> list[Lead]:
    """The projects made from a target that the user may see."""
    if not permissions.sees_leads(user):
        return []
    scope = permissions.lead_scope(session=session, user=user)
    stmt = select(Lead).where(Lead.prospect_id == prospect_id, leads.visible(scope))
    return list(session.exec(stmt.order_by(col(Lead.id))))


def make_project(
    *, session: Session, actor: User, prospect: Prospect, segment_id: int | None = None
) -> tuple[Lead, bool]:
    """Turn a target into a project with its data; return (project, whether it is new).

    A target already a project gives that project back (the first one the actor may see).
    The segment is the one given (a gap's panel) or the target's best suggested one.
    """
    permissions.ensure_can_create_lead(actor)
    existing = projects_of(session=session, user=actor, prospect_id=prospect.id or 0)
    if existing:
        return existing[0], False
    if segment_id is None:
        best = session.exec(
            select(ProspectSegment.segment_id)
            .where(ProspectSegment.prospect_id == prospect.id)
            .order_by(col(ProspectSegment.score).desc())
            .limit(1)
        ).first()
        segment_id = best
    segment = session.get(Segment, segment_id) if segment_id else None
    source = Source.expo if "展" in prospect.source_list else Source.other
    note = f"来自招商目标库（{prospect.source_list or '手工录入'}）"
    if prospect.products:
        note += f"。主营：{prospect.products[:300]}"
    data = LeadFields(
        name=f"{prospect.name}{'·' + segment.name if segment else ''}项目"[:100],
        investor_name=prospect.name,
        investor_credit_code=prospect.credit_code,
        source=source,
        chain_id=segment.chain_id if segment else None,
        segment_id=segment.id if segment else None,
        description=note[:2000],
    )
    lead = leads.create(session=session, actor=actor, data=data)
    lead.prospect_id = prospect.id
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="project",
        obj=prospect,
        label=prospect.name,
        after={"lead_id": lead.id, "segment_id": data.segment_id},
    )
    return lead, True
