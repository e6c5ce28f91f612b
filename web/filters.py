"""List query parameters, each declared once for its page and its API twin."""

from dataclasses import asdict, dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Query
from sqlmodel import Session

from chains import service as chain_service
from core import bounds, permissions
from core.accounts import User
from core.errors import FieldErrors
from core.orgs import get_park_by_code
from enterprises.cultivation import designations
from enterprises.cultivation.pipeline import Stage
from enterprises.cultivation.roster import RosterFilter
from enterprises.projects.lead_search import LeadFilter
from enterprises.projects.leads import LeadStage, Source
from enterprises.registry.service import EnterpriseFilter


@dataclass(frozen=True)
class EnterpriseQuery:
    """List filters as they arrive in the query string: codes and strings."""

    q: str = ""
    park: str = ""
    chain: str = ""
    segment: str = ""
    size: str = ""
    demo: str = ""

    def params(self) -> dict[str, str]:
        """Return the filters as a dict, for echoing them back into the form."""
        return asdict(self)

    def to_filter(self, session: Session) -> EnterpriseFilter:
        """Resolve codes to ids; an unknown park or chain code raises NotFound."""
        return EnterpriseFilter(
            q=self.q[:100],
            park_id=get_park_by_code(session=session, code=self.park).id if self.park else None,
            chain_id=(
                chain_service.get_by_code(session=session, code=self.chain).id
                if self.chain
                else None
            ),
            segment_id=int(self.segment) if self.segment.isdigit() else None,
            above_size={"above": True, "below": False}.get(self.size),
            include_demo=self.demo != "exclude",
        )


def enterprise_query(
    q: Annotated[str, Query(description="substring of name, products or credit code")] = "",
    park: Annotated[str, Query(description="park code, e.g. shunde")] = "",
    chain: Annotated[str, Query(description="chain code, e.g. robotics")] = "",
    segment: Annotated[str, Query(description="segment id")] = "",
    size: Annotated[str, Query(description="above | below designated size")] = "",
    demo: Annotated[str, Query(description="exclude to leave demo data out")] = "",
) -> EnterpriseQuery:
    """Read the enterprise list filters from the query string."""
    return EnterpriseQuery(q=q, park=park, chain=chain, segment=segment, size=size, demo=demo)


EnterpriseQueryDep = Annotated[EnterpriseQuery, Depends(enterprise_query)]


@dataclass(frozen=True)
class RosterQuery:
    """Cultivation list filters as they arrive in the query string."""

    designation: str = ""
    stage: str = ""
    park: str = ""
    chain: str = ""
    segment: str = ""
    due: str = ""
    q: str = ""

    def params(self) -> dict[str, str]:
        """Return the filters as a dict, for echoing them back into the form."""
        return asdict(self)

    def to_filter(self, session: Session, user: User) -> RosterFilter:
        """Resolve codes to ids; a park bureau always sees its own park only."""
        requested = get_park_by_code(session=session, code=self.park).id if self.park else None
        park_id = permissions.park_scope(user, requested)
        return RosterFilter(
            designation_id=(
                designations.get_by_code(session=session, code=self.designation).id
                if self.designation
                else None
            ),
            stage=Stage(self.stage) if self.stage in Stage.__members__ else None,
            park_id=park_id,
            chain_id=(
                chain_service.get_by_code(session=session, code=self.chain).id
                if self.chain
                else None
            ),
            segment_id=int(self.segment) if self.segment.isdigit() else None,
            due_soon=self.due == "soon",
            q=self.q[:100],
        )


def roster_query(
    designation: Annotated[str, Query(description="designation code, e.g. gazelle")] = "",
    stage: Annotated[str, Query(description="candidate, pool, applied, recognised, …")] = "",
    park: Annotated[str, Query(description="park code (a park bureau sees its own)")] = "",
    chain: Annotated[str, Query(description="chain code")] = "",
    segment: Annotated[str, Query(description="segment id")] = "",
    due: Annotated[str, Query(description="soon: recognitions ending within the reminder")] = "",
    q: Annotated[str, Query(description="substring of the firm's name")] = "",
) -> RosterQuery:
    """Read the cultivation list filters from the query string."""
    return RosterQuery(designation, stage, park, chain, segment, due, q)


RosterQueryDep = Annotated[RosterQuery, Depends(roster_query)]


def _amount(value: str, label: str) -> float | None:
    try:
        number = float(value) if value.strip() else None
    except ValueError as exc:
        raise FieldErrors({label: f"{label}须为数字"}) from exc
    if number is None:
        return None
    return bounds.check(number, low=0, high=bounds.MONEY_WAN, key=label, label=label)


def _day(value: str, label: str) -> date | None:
    try:
        return date.fromisoformat(value) if value.strip() else None
    except ValueError as exc:
        raise FieldErrors({label: f"{label}格式应为 2025-01-31"}) from exc


@dataclass(frozen=True)
class LeadQuery:
    """Lead list filters as they arrive in the query string."""

    q: str = ""
    chain: str = ""
    segment: str = ""
    park: str = ""
    team: str = ""
    owner: str = ""
    stage: str = ""
    source: str = ""
    min: str = ""
    max: str = ""
    start: str = ""
    end: str = ""

    def params(self) -> dict[str, str]:
        """Return the filters as a dict, for echoing them back into the form."""
        return asdict(self)

    def to_filter(self, session: Session, user: User) -> LeadFilter:
        """Resolve codes to ids; "me" as owner is the current user."""
        return LeadFilter(
            q=self.q[:100],
            chain_id=(
                chain_service.get_by_code(session=session, code=self.chain).id
                if self.chain
                else None
            ),
            segment_id=int(self.segment) if self.segment.isdigit() else None,
            park_id=get_park_by_code(session=session, code=self.park).id if self.park else None,
            team_id=int(self.team) if self.team.isdigit() else None,
            owner_id=user.id
            if self.owner == "me"
            else int(self.owner)
            if self.owner.isdigit()
            else None,
            stages=[LeadStage(self.stage)] if self.stage in LeadStage.__members__ else [],
            source=Source(self.source) if self.source in Source.__members__ else None,
            min_amount=_amount(self.min, "计划投资额下限"),
            max_amount=_amount(self.max, "计划投资额上限"),
            created_from=_day(self.start, "登记日期（起）"),
            created_to=_day(self.end, "登记日期（止）"),
        )


def lead_query(
    q: Annotated[str, Query(description="substring of the project's or investor's name")] = "",
    chain: Annotated[str, Query(description="chain code")] = "",
    segment: Annotated[str, Query(description="segment id")] = "",
    park: Annotated[str, Query(description="park code of the intended park")] = "",
    team: Annotated[str, Query(description="team id")] = "",
    owner: Annotated[str, Query(description="owner's user id, or me")] = "",
    stage: Annotated[str, Query(description="lead, contact, visit, …, on_hold, dropped")] = "",
    source: Annotated[str, Query(description="business, fund, expo, online, agency, visit")] = "",
    min: Annotated[str, Query(description="planned investment at least (万元)")] = "",
    max: Annotated[str, Query(description="planned investment at most (万元)")] = "",
    start: Annotated[str, Query(description="logged on or after (YYYY-MM-DD)")] = "",
    end: Annotated[str, Query(description="logged on or before (YYYY-MM-DD)")] = "",
) -> LeadQuery:
    """Read the lead list filters from the query string."""
    return LeadQuery(q, chain, segment, park, team, owner, stage, source, min, max, start, end)


LeadQueryDep = Annotated[LeadQuery, Depends(lead_query)]
