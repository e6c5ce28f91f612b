"""The enterprise registry as JSON."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from chainmaps import suggestions
from core.db import china_today
from enterprises import merge
from enterprises.registry import membership_review
from enterprises.registry import search as enterprise_search
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import (
    EnterpriseCreate,
    EnterprisePage,
    EnterprisePublic,
    EnterpriseUpdate,
    MembershipReview,
)
from enterprises.spreadsheets import export as enterprise_export
from web.deps import CurrentUser, Id, PathId, SessionDep
from web.downloads import table_download
from web.filters import EnterpriseQueryDep

router = APIRouter(prefix="/enterprises", tags=["enterprises"])


@router.get(
    "",
    response_model=EnterprisePage,
    responses={400: {"description": "after 或 before 无效（被改动过），或两者同时给出"}},
)
def list_enterprises(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    query: EnterpriseQueryDep,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    after: Annotated[
        str,
        Query(
            max_length=60,
            description="the previous page's `next_after`: the page is read from there "
            "(keyset), as cheap deep in the list as on page 1; `page` only numbers it",
        ),
    ] = "",
    before: Annotated[
        str,
        Query(
            max_length=60,
            description="the next page's `prev_before`: the page is the firms before there, "
            "read backwards as cheaply as `after` reads on; `page` only numbers it",
        ),
    ] = "",
) -> EnterprisePage:
    """Search and filter enterprises, largest output first, one page at a time.

    To walk the list follow `next` (or pass `next_after` as `after` and `page` + 1): each page
    is then read from where the previous one ended; back, follow `prev` (`prev_before` as
    `before` and `page` - 1). `page` alone (without `after` or `before`) skips the pages
    before it, which costs more the deeper the page. `total` is exact up to 1,000; beyond it
    `total_is_lower_bound` is true and `has_next` says whether another page follows.
    """
    flt = query.to_filter(session)
    result = enterprise_search.search(
        session=session,
        flt=flt,
        page=page,
        page_size=page_size,
        after=enterprise_search.parse_position(after, "after"),
        before=enterprise_search.parse_position(before, "before"),
    )
    items = enterprise_service.public_views(session=session, user=user, enterprises=result.items)
    filters: dict[str, object] = {k: v for k, v in query.params().items() if v}
    filters["page_size"] = page_size
    next_after = result.next_after.text() if result.next_after else None
    onward = {"after": next_after, "page": result.page + 1}
    prev_before = result.prev_before.text() if result.prev_before else None
    back = ({"before": prev_before} if prev_before else {}) | {"page": result.page - 1}
    return EnterprisePage(
        total=result.total,
        total_is_lower_bound=result.total_is_lower_bound,
        has_next=result.has_next,
        page=result.page,
        page_size=page_size,
        items=items,
        next_after=next_after,
        next=next_after and f"{request.url.path}?{urlencode(filters | onward)}",
        prev_before=prev_before,
        prev=f"{request.url.path}?{urlencode(filters | back)}" if result.page > 1 else None,
    )


@router.get("/export", response_class=Response)
def export_enterprises(
    session: SessionDep,
    user: CurrentUser,
    query: EnterpriseQueryDep,
    format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx",
) -> Response:
    """The filtered registry as a .xlsx or .csv file with Chinese headers."""
    _, rows = enterprise_export.enterprise_rows(
        session=session, flt=query.to_filter(session), user=user
    )
    return table_download(
        format,
        f"企业名单-{china_today():%Y%m%d}",
        enterprise_export.ENTERPRISE_HEADERS,
        rows,
        enterprise_export.ENTERPRISE_WIDTHS,
        session=session,
        actor=user,
    )


@router.get("/{enterprise_id}", response_model=EnterprisePublic)
def get_enterprise(
    enterprise_id: PathId, session: SessionDep, user: CurrentUser
) -> EnterprisePublic:
    """One enterprise with its chain memberships."""
    enterprise = enterprise_service.get(session=session, enterprise_id=enterprise_id)
    return enterprise_service.public_views(session=session, user=user, enterprises=[enterprise])[0]


class PhoneOut(BaseModel):
    """A whole contact phone; every look is in the audit log."""

    phone: str


@router.post("/{enterprise_id}/phone", response_model=PhoneOut)
def reveal_phone(enterprise_id: PathId, session: SessionDep, user: CurrentUser) -> PhoneOut:
    """The firm's whole contact phone, for those who maintain it (lists show it masked)."""
    enterprise = enterprise_service.get(session=session, enterprise_id=enterprise_id)
    return PhoneOut(
        phone=enterprise_service.reveal_phone(session=session, actor=user, enterprise=enterprise)
    )


@router.post("", response_model=EnterprisePublic, status_code=201)
def create_enterprise(
    data: EnterpriseCreate, session: SessionDep, user: CurrentUser
) -> EnterprisePublic:
    """Create an enterprise (admin, or the park bureau of its park)."""
    enterprise = enterprise_service.create(session=session, actor=user, data=data)
    suggestions.refresh_firms(session=session, enterprise_ids=[enterprise.id or 0])  # 按图招商
    return enterprise_service.public_views(session=session, user=user, enterprises=[enterprise])[0]


@router.put("/{enterprise_id}", response_model=EnterprisePublic)
def update_enterprise(
    enterprise_id: PathId, data: EnterpriseUpdate, session: SessionDep, user: CurrentUser
) -> EnterprisePublic:
    """Replace an enterprise's fields; send the version you read, a stale one gets 409."""
    enterprise = enterprise_service.update(
        session=session, actor=user, enterprise_id=enterprise_id, data=data
    )
    suggestions.refresh_firms(session=session, enterprise_ids=[enterprise_id])  # 按图招商
    return enterprise_service.public_views(session=session, user=user, enterprises=[enterprise])[0]


class MergeIn(BaseModel):
    """The record to fold into this one."""

    other_id: Id


@router.post("/{enterprise_id}/merge", response_model=EnterprisePublic)
def merge_enterprises(
    enterprise_id: PathId, data: MergeIn, session: SessionDep, user: CurrentUser
) -> EnterprisePublic:
    """Fold another record of the same company into this one (admin); nothing is lost."""
    kept = enterprise_service.get(session=session, enterprise_id=enterprise_id)
    absorbed = enterprise_service.get(session=session, enterprise_id=data.other_id)
    merge.merge(session=session, actor=user, kept=kept, absorbed=absorbed)
    return enterprise_service.public_views(session=session, user=user, enterprises=[kept])[0]


class SegmentEntryIn(BaseModel):
    """A segment the firm works in, with a note for the chain chief who reviews it."""

    segment_id: Id
    note: str = Field(default="", max_length=200)


class SegmentEntryOut(BaseModel):
    """The firm's place in the segment: pending (待确认) until the chain chief confirms it."""

    membership_id: int
    segment_id: int
    review: MembershipReview


@router.post("/{enterprise_id}/segments", response_model=SegmentEntryOut, status_code=201)
def enter_segment(
    enterprise_id: PathId, data: SegmentEntryIn, session: SessionDep, user: CurrentUser
) -> SegmentEntryOut:
    """Place the firm in a chain segment (its park bureau or an admin); it waits for the chain
    chief's review (/api/v1/chains/{code}/review) before the chain map counts it."""
    member = membership_review.enter_by_edit(
        session=session,
        actor=user,
        enterprise_id=enterprise_id,
        segment_id=data.segment_id,
        note=data.note,
    )
    return SegmentEntryOut(
        membership_id=member.id or 0,
        segment_id=member.segment_id,
        review=MembershipReview(member.review),
    )
