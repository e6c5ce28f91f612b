"""Enterprise list, detail and edit pages."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, select
from starlette.datastructures import FormData

from chainmaps import suggestions
from chains import service as chain_service
from core import permissions, personal
from core.accounts import Role, User
from core.db import MAX_ID, china_today, require_id
from core.errors import Conflict, FieldErrors
from core.orgs import Park, list_parks, park_names
from core.validation import parse
from enterprises import merge
from enterprises.cultivation import designations, roster, standing
from enterprises.cultivation.pipeline import STAGE_LABELS, Stage
from enterprises.cultivation.roster import RosterFilter
from enterprises.registry import figures, membership_review
from enterprises.registry import search as enterprise_search
from enterprises.registry import service as enterprise_service
from enterprises.registry.models import FIELD_LABELS, Enterprise, EnterpriseCreate, EnterpriseUpdate
from enterprises.spreadsheets import export as enterprise_export
from web.deps import CurrentUser, FormDep, SessionDep, SettingsDep
from web.downloads import table_download
from web.filters import EnterpriseQueryDep
from web.render import render

router = APIRouter(prefix="/enterprises")


@router.get("")
def enterprise_list(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    query: EnterpriseQueryDep,
    page: int = 1,
    after: str = "",
    before: str = "",
) -> Response:
    """Search and filter the registry; htmx swaps only the results. The 下一页 link carries
    where this page ended (`after`), the 上一页 link where it began (`before`, from page 3 on),
    each with the page number it leads to, for its label."""
    params = query.params()
    flt = query.to_filter(session)
    result = enterprise_search.search(
        session=session,
        flt=flt,
        page=page,
        page_size=settings.page_size,
        after=enterprise_search.parse_position(after, "after"),
        before=enterprise_search.parse_position(before, "before"),
    )
    chains = chain_service.get_all(session=session)
    segments = (
        chain_service.segments_of(session=session, chain_id=flt.chain_id)
        if flt.chain_id is not None
        else []
    )
    context = {
        "result": result,
        "params": params,
        "query_string": urlencode({k: v for k, v in params.items() if v}),
        "parks": list_parks(session=session),
        "park_names": park_names(session=session),
        "chains": chains,
        "segments": segments,
        "memberships": enterprise_service.memberships(
            session=session, enterprise_ids=[e.id for e in result.items if e.id]
        ),
    }
    return render(request, "enterprises/list.html", context, fragment="enterprises/_results.html")


@router.get("/export.{fmt}")
def export(fmt: str, session: SessionDep, user: CurrentUser, query: EnterpriseQueryDep) -> Response:
    """The filtered registry as .xlsx or .csv; phones masked as on screen."""
    _, rows = enterprise_export.enterprise_rows(
        session=session, flt=query.to_filter(session), user=user
    )
    return table_download(
        fmt,
        f"企业名单-{china_today():%Y%m%d}",
        enterprise_export.ENTERPRISE_HEADERS,
        rows,
        enterprise_export.ENTERPRISE_WIDTHS,
        session=session,
        actor=user,
    )


@router.get("/segment-options")
def segment_options(
    request: Request, session: SessionDep, user: CurrentUser, chain: str = ""
) -> Response:
    """The segment choices of a chain, for the filter form."""
    segments = []
    if chain:
        chain_id = require_id(chain_service.get_by_code(session=session, code=chain))
        segments = chain_service.segments_of(session=session, chain_id=chain_id)
    return render(
        request, "enterprises/_segment_options.html", {"segments": segments, "selected": ""}
    )


def _editable_parks(session: Session, user: User) -> list[Park]:
    parks = list_parks(session=session)
    return [p for p in parks if permissions.can_edit_enterprise(user, p.id)]


def _form_values(form: FormData) -> dict[str, Any]:
    """Read the submitted form; blank fields are left out so the model's defaults apply."""
    values: dict[str, Any] = {
        name: str(form[name])
        for name in EnterpriseUpdate.model_fields
        if str(form.get(name) or "").strip()
    }
    values["above_size"] = form.get("above_size") == "on"
    return values


def _form_page(
    request: Request,
    session: Session,
    user: User,
    values: dict[str, Any],
    errors: dict[str, str],
    enterprise_id: int | None,
    status: int = 200,
    conflict: str = "",
) -> Response:
    return render(
        request,
        "enterprises/form.html",
        {
            "values": values,
            "errors": errors,
            "enterprise_id": enterprise_id,
            "parks": _editable_parks(session, user),
            "labels": FIELD_LABELS,
            "conflict": conflict,
        },
        status_code=status,
    )


@router.get("/new")
def new_form(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """An empty enterprise form, the park preset for a park bureau."""
    permissions.ensure_can_edit_enterprise(
        user, user.park_id if user.role == Role.park_bureau else None
    )
    values = {"park_id": user.park_id, "kind": "enterprise", "above_size": False}
    return _form_page(request, session, user, values, {}, None)


@router.post("/new")
def create(request: Request, session: SessionDep, user: CurrentUser, form: FormDep) -> Response:
    """Create an enterprise from the form, or show the form again with its errors."""
    values = _form_values(form)
    try:
        data = parse(EnterpriseCreate, values, FIELD_LABELS)
        enterprise = enterprise_service.create(session=session, actor=user, data=data)
        suggestions.refresh_firms(session=session, enterprise_ids=[enterprise.id or 0])
    except FieldErrors as exc:
        return _form_page(request, session, user, values, exc.errors, None, 422)
    return RedirectResponse(f"/enterprises/{enterprise.id}", status_code=303)


@router.post("/{enterprise_id:int}/phone")
def reveal_phone(
    request: Request, enterprise_id: int, session: SessionDep, user: CurrentUser
) -> Response:
    """The firm's whole contact phone (logged), swapped in for the masked one."""
    enterprise = enterprise_service.get(session=session, enterprise_id=enterprise_id)
    phone = enterprise_service.reveal_phone(session=session, actor=user, enterprise=enterprise)
    return render(request, "_phone.html", {"phone": phone})


@router.get("/{enterprise_id}")
def detail(
    enterprise_id: int, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """One enterprise: figures, chain memberships, designations with their timelines, history."""
    return detail_page(request, session, user, enterprise_id)


def _segment_choices(session: Session) -> list[tuple[str, list[tuple[int, str]]]]:
    """Every chain's segments, for placing a firm in one (pending the chief's review)."""
    return [
        (
            c.name,
            [
                (require_id(s), s.name)
                for s in chain_service.segments_of(session=session, chain_id=require_id(c))
            ],
        )
        for c in chain_service.get_all(session=session)
    ]


def detail_page(
    request: Request,
    session: Session,
    user: User,
    enterprise_id: int,
    move_error: tuple[int, str] | None = None,
    status: int = 200,
) -> Response:
    """Render the enterprise page; a refused move shows its message beside that designation."""
    enterprise = enterprise_service.get(session=session, enterprise_id=enterprise_id)
    view = enterprise_service.public_views(session=session, user=user, enterprises=[enterprise])[0]
    # Everyone reads a firm's history; the phones in it are masked like the current one.
    history = [
        (entry, *personal.masked_entry(entry))
        for entry in merge.history(session=session, enterprise_id=enterprise_id)
    ]
    today = china_today()
    yearly = figures.of(session=session, enterprise_id=enterprise_id)
    tiers = {
        d.code: designations.tiers_of(session=session, designation_id=d.id or 0)
        for d in designations.get_all(session=session)
    }
    cultivations = roster.search(
        session=session, flt=RosterFilter(enterprise_id=enterprise_id), today=today
    )[1]
    return render(
        request,
        "enterprises/detail.html",
        {
            "e": view,
            "history": history,
            "labels": FIELD_LABELS,
            "can_edit": permissions.can_edit_enterprise(user, enterprise.park_id),
            "can_force": permissions.can_move_out_of_order(user),
            "cultivations": cultivations,
            "events": standing.events_of(
                session=session, cultivation_ids=[c.cultivation_id for c in cultivations]
            ),
            "designations": designations.get_all(session=session, include_inactive=False),
            "tiers": tiers,
            "tier_names": {t.id: t.name for group in tiers.values() for t in group},
            "chains": chain_service.get_all(session=session),
            "segment_choices": _segment_choices(session)
            if permissions.can_edit_enterprise(user, enterprise.park_id)
            else [],
            "figures": yearly,
            "current": figures.current(enterprise, yearly),
            "stage_labels": STAGE_LABELS,
            "stages": list(Stage),
            "move_error": move_error,
            "can_merge": permissions.can_merge(user),
            "today": today.isoformat(),
        },
        status_code=status,
    )


@router.post("/{enterprise_id}/merge")
def merge_into(
    enterprise_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Fold another record of the same company (by id or credit code) into this one."""
    kept = enterprise_service.get(session=session, enterprise_id=enterprise_id)
    other = str(form.get("other") or "").strip().upper()
    found = (
        session.get(Enterprise, int(other))
        if other.isdigit()
        else session.exec(select(Enterprise).where(Enterprise.credit_code == other)).first()
    )
    if found is None:
        raise FieldErrors({"other": f"找不到编号或信用代码为“{other}”的企业"})
    merge.merge(session=session, actor=user, kept=kept, absorbed=found)
    return RedirectResponse(f"/enterprises/{enterprise_id}", status_code=303)


@router.post("/{enterprise_id}/segments")
def enter_segment(
    enterprise_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Place the firm in a chain segment, pending the chain chief's review."""
    segment = str(form.get("segment_id") or "")
    if not segment.isdigit() or int(segment) > MAX_ID:
        raise FieldErrors({"segment_id": "请选择产业链环节"})
    membership_review.enter_by_edit(
        session=session,
        actor=user,
        enterprise_id=enterprise_id,
        segment_id=int(segment),
        note=str(form.get("note") or "")[:200],
    )
    return RedirectResponse(f"/enterprises/{enterprise_id}#chains", status_code=303)


@router.get("/{enterprise_id}/edit")
def edit_form(
    enterprise_id: int, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """The enterprise form filled with the current values and version."""
    enterprise = enterprise_service.get(session=session, enterprise_id=enterprise_id)
    permissions.ensure_can_edit_enterprise(user, enterprise.park_id)
    # The phone stays masked here too (its whole value is one logged click away on the firm's
    # page); saved unchanged, the stored number is kept.
    values = personal.masked(enterprise.model_dump())
    return _form_page(request, session, user, values, {}, enterprise_id)


@router.post("/{enterprise_id}/edit")
def update(
    enterprise_id: int, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Save an edit; a conflicting edit shows the other person's values."""
    values = _form_values(form)
    try:
        data = parse(EnterpriseUpdate, values, FIELD_LABELS)
        enterprise_service.update(
            session=session, actor=user, enterprise_id=enterprise_id, data=data
        )
        suggestions.refresh_firms(session=session, enterprise_ids=[enterprise_id])  # 按图招商
    except FieldErrors as exc:
        return _form_page(request, session, user, values, exc.errors, enterprise_id, 422)
    except Conflict as exc:
        # Keep what this user typed, but move to the current version so a resave is deliberate.
        values["version"] = exc.current.get("version")
        changed = [
            FIELD_LABELS.get(k, k) + "：" + str(v)
            for k, v in exc.current.items()
            if k != "version" and str(v or "") != str(values.get(k) or "")
        ]
        return _form_page(
            request,
            session,
            user,
            values,
            {},
            enterprise_id,
            409,
            conflict=exc.message + ("。对方保存的值——" + "；".join(changed) if changed else ""),
        )
    return RedirectResponse(f"/enterprises/{enterprise_id}", status_code=303)
