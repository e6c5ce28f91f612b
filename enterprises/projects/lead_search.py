"""Finding leads: the filtered list, the board by stage, and the export rows."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, or_, union_all
from sqlmodel import Session, col, select

from chains.models import Chain, Segment
from core import paging, permissions, personal
from core.accounts import Team, User
from core.db import chunks, contains_text, require_id
from core.orgs import Park
from core.paging import Page
from enterprises.projects.lead_contacts import LeadContact
from enterprises.projects.leads import (
    LEAD_STAGE_LABELS,
    SOURCE_LABELS,
    SPACE_UNIT_LABELS,
    Lead,
    LeadStage,
    Source,
    stage_label,
    visible,
)

PAGE_SIZE = 50
# Eleven lanes of 20 cards are more than a person scans; each lane links to all of its leads.
# (30 a lane made rendering the board's cards most of its 100 ms at 50,000 leads.)
BOARD_CARDS = 20
EXPORT_LIMIT = 50_000


@dataclass
class LeadFilter:
    """What the list, the board and the export are narrowed to."""

    q: str = ""
    chain_id: int | None = None
    segment_id: int | None = None
    park_id: int | None = None
    team_id: int | None = None
    owner_id: int | None = None
    stages: list[LeadStage] = field(default_factory=list)
    source: Source | None = None
    min_amount: float | None = None
    max_amount: float | None = None
    created_from: date | None = None
    created_to: date | None = None


def conditions(*, session: Session, user: User, flt: LeadFilter) -> list[Any]:
    """The SQL conditions of a filter, always within what the user may see."""
    result = [visible(permissions.lead_scope(session=session, user=user))]
    if flt.q.strip():
        words = flt.q.strip()
        result.append(
            or_(contains_text(Lead.name, words), contains_text(Lead.investor_name, words))
        )
    equal = {
        Lead.chain_id: flt.chain_id,
        Lead.segment_id: flt.segment_id,
        Lead.park_id: flt.park_id,
        Lead.team_id: flt.team_id,
        Lead.owner_id: flt.owner_id,
        Lead.source: flt.source,
    }
    result.extend(col(column) == value for column, value in equal.items() if value is not None)
    if flt.stages:
        result.append(col(Lead.stage).in_(flt.stages))
    if flt.min_amount is not None:
        result.append(col(Lead.planned_investment) >= flt.min_amount)
    if flt.max_amount is not None:
        result.append(col(Lead.planned_investment) <= flt.max_amount)
    if flt.created_from is not None:
        result.append(col(Lead.created_on) >= flt.created_from)
    if flt.created_to is not None:
        result.append(col(Lead.created_on) <= flt.created_to)
    return result


@dataclass(frozen=True)
class Names:
    """Display names of the small tables a lead refers to."""

    chains: dict[int, str]
    segments: dict[int, str]
    parks: dict[int, str]
    teams: dict[int, str]
    users: dict[int, str]

    def of(self, lead: Lead) -> dict[str, str]:
        """The names a lead row shows."""
        return {
            "chain": self.chains.get(lead.chain_id or 0, ""),
            "segment": self.segments.get(lead.segment_id or 0, ""),
            "park": self.parks.get(lead.park_id or 0, ""),
            "team": self.teams.get(lead.team_id or 0, ""),
            "owner": self.users.get(lead.owner_id or 0, ""),
        }


def names(*, session: Session) -> Names:
    """Load the display names (a few hundred rows at most)."""
    return Names(
        chains={c.id: c.name for c in session.exec(select(Chain)) if c.id},
        segments={i: n for i, n in session.exec(select(Segment.id, Segment.name)) if i},
        parks={p.id: p.name for p in session.exec(select(Park)) if p.id},
        teams={t.id: t.name for t in session.exec(select(Team)) if t.id},
        users={u.id: u.display_name or u.username for u in session.exec(select(User)) if u.id},
    )


def search(
    *,
    session: Session,
    user: User,
    flt: LeadFilter,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    cap: int | None = None,
) -> Page[Lead]:
    """One page of matching leads, most recently changed first; the total exact up to cap."""
    where = conditions(session=session, user=user, flt=flt)
    rows = select(Lead).where(*where).order_by(col(Lead.updated_at).desc(), col(Lead.id).desc())
    return paging.paginate(session, rows, select(Lead.id).where(*where), page, page_size, cap)


@dataclass(frozen=True)
class Column:
    """One stage column of the board: how many leads, and the most recently changed ones."""

    stage: LeadStage
    label: str
    count: int
    amount: float
    cards: list[Lead]


def board(*, session: Session, user: User, flt: LeadFilter) -> list[Column]:
    """The board: every stage with its count, planned investment and newest cards."""
    where = conditions(session=session, user=user, flt=LeadFilter(**{**flt.__dict__, "stages": []}))
    totals = {
        stage: (count, amount or 0.0)
        for stage, count, amount in session.exec(
            select(Lead.stage, func.count(), func.sum(Lead.planned_investment))
            .where(*where)
            .group_by(col(Lead.stage))
        )
    }
    stages = [stage for stage in flt.stages or list(LeadStage) if totals.get(stage)]
    # Each stage's newest cards, all in one statement (a round trip per column adds up).
    newest = [
        select(Lead)
        .where(*where, col(Lead.stage) == stage)
        .order_by(col(Lead.updated_at).desc(), col(Lead.id).desc())
        .limit(BOARD_CARDS)
        for stage in stages
    ]
    cards: dict[LeadStage, list[Lead]] = {stage: [] for stage in stages}
    if newest:
        # Each part a subquery: SQLite takes no ORDER BY or LIMIT on the parts of a UNION.
        parts = union_all(*(sa.select(part.subquery()) for part in newest))
        for lead in session.scalars(select(Lead).from_statement(parts)):
            cards[LeadStage(lead.stage)].append(lead)
    columns = []
    for stage in flt.stages or list(LeadStage):
        count, amount = totals.get(stage, (0, 0.0))
        ordered = sorted(
            cards.get(stage, []), key=lambda lead: (lead.updated_at, lead.id), reverse=True
        )
        columns.append(Column(stage, LEAD_STAGE_LABELS[stage], count, amount, ordered))
    return columns


EXPORT_HEADERS = [
    "项目编号",
    "项目名称",
    "投资方",
    "投资方信用代码",
    "招商渠道",
    "目标产业链",
    "目标环节",
    "意向园区",
    "阶段",
    "进入阶段日期",
    "计划投资额（万元）",
    "预计年产值（万元）",
    "预计年税收（万元）",
    "空间需求",
    "已到资（万元）",
    "负责人",
    "招商小组",
    "联系人",
    "联系电话",
    "下一步",
    "下一步截止",
    "登记日期",
]
EXPORT_WIDTHS = [
    10,
    30,
    30,
    22,
    14,
    16,
    16,
    12,
    12,
    14,
    14,
    14,
    14,
    14,
    12,
    12,
    12,
    12,
    16,
    24,
    14,
    12,
]


def export_rows(*, session: Session, user: User, flt: LeadFilter) -> tuple[int, list[list[Any]]]:
    """The matching leads as table rows (up to EXPORT_LIMIT); phones only where the user may.

    A whole phone in an export is a look like 显示完整号码: each is logged under its contact.
    """
    where = conditions(session=session, user=user, flt=flt)
    total = session.exec(select(func.count()).select_from(Lead).where(*where)).one()
    stmt = select(Lead).where(*where).order_by(col(Lead.id)).limit(EXPORT_LIMIT)
    leads = list(session.exec(stmt))
    first_contact: dict[int, LeadContact] = {}
    ids = [lead.id for lead in leads if lead.id]
    for chunk in chunks(ids):
        stmt_c = select(LeadContact).where(col(LeadContact.lead_id).in_(chunk))
        for person in session.exec(stmt_c.order_by(col(LeadContact.id).desc())):
            first_contact[person.lead_id] = person
    lookup = names(session=session)
    rows = []
    revealed: list[tuple[int, str]] = []
    for lead in leads:
        shown = lookup.of(lead)
        contact = first_contact.get(lead.id or 0)
        may_see = permissions.can_see_lead_contacts(user, lead.team_id)
        if contact and contact.phone and may_see:
            revealed.append((require_id(contact), f"{lead.name} · {contact.name}"))
        space = (
            f"{lead.space_need:g} {SPACE_UNIT_LABELS[lead.space_unit]}" if lead.space_need else ""
        )
        rows.append(
            [
                lead.id,
                lead.name,
                lead.investor_name,
                lead.investor_credit_code or "",
                SOURCE_LABELS[lead.source],
                shown["chain"],
                shown["segment"],
                shown["park"],
                stage_label(lead),
                lead.stage_since,
                lead.planned_investment,
                lead.expected_output,
                lead.expected_tax,
                space,
                lead.capital_arrived,
                shown["owner"],
                shown["team"],
                contact.name if contact else "",
                (contact.phone if may_see else "") if contact else "",
                lead.next_step,
                lead.next_due,
                lead.created_on,
            ]
        )
    personal.record_reveals(
        session=session, actor=user, object_type="lead_contact", shown=revealed, via="export"
    )
    return total, rows


def targeting(
    *, session: Session, user: User, chain_id: int, segment_id: int | None = None, limit: int = 15
) -> tuple[int, list[Lead]]:
    """Open leads the user may see aimed at a chain (or one segment), largest first."""
    where = conditions(
        session=session, user=user, flt=LeadFilter(chain_id=chain_id, segment_id=segment_id)
    )
    where.append(col(Lead.stage) != LeadStage.dropped)
    total = session.exec(select(func.count()).select_from(Lead).where(*where)).one()
    stmt = (
        select(Lead)
        .where(*where)
        .order_by(col(Lead.planned_investment).desc().nulls_last(), col(Lead.id))
        .limit(limit)
    )
    return total, list(session.exec(stmt))


def open_counts(*, session: Session, user: User, chain_id: int) -> dict[int, int]:
    """Open leads the user may see per segment of a chain."""
    where = conditions(session=session, user=user, flt=LeadFilter(chain_id=chain_id))
    stmt = (
        select(Lead.segment_id, func.count())
        .where(*where, col(Lead.stage) != LeadStage.dropped, col(Lead.segment_id).is_not(None))
        .group_by(col(Lead.segment_id))
    )
    return {segment: count for segment, count in session.exec(stmt) if segment is not None}
