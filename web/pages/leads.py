"""The project library pages: list, board, the lead form and the lead page."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from chains import service as chain_service
from core import audit, permissions, personal
from core.accounts import Role, Team, User
from core.db import china_today, require_id
from core.errors import Conflict, FieldErrors
from core.orgs import list_parks
from core.validation import parse
from enterprises.projects import (
    carriers,
    followups,
    lead_contacts,
    lead_duplicates,
    lead_search,
    lead_stages,
    leads,
)
from enterprises.projects.carriers import CARRIER_KIND_LABELS, CARRIER_STATUS_LABELS
from enterprises.projects.followups import FOLLOW_UP_KIND_LABELS
from enterprises.projects.lead_stages import DROP_REASON_LABELS
from enterprises.projects.leads import (
    LEAD_LABELS,
    LEAD_STAGE_LABELS,
    SOURCE_LABELS,
    SPACE_KIND_LABELS,
    SPACE_UNIT_LABELS,
    Lead,
    LeadFields,
)
from enterprises.registry.models import Enterprise
from web.deps import CurrentUser, FormDep, SessionDep, lead_reader
from web.downloads import table_download
from web.filters import LeadQuery, LeadQueryDep
from web.render import render

router = APIRouter(prefix="/leads", dependencies=[Depends(lead_reader)])

LABELS = {
    "stage_labels": LEAD_STAGE_LABELS,
    "source_labels": SOURCE_LABELS,
    "space_unit_labels": SPACE_UNIT_LABELS,
    "space_kind_labels": SPACE_KIND_LABELS,
    "drop_reason_labels": DROP_REASON_LABELS,
    "follow_up_kind_labels": FOLLOW_UP_KIND_LABELS,
    "carrier_kind_labels": CARRIER_KIND_LABELS,
    "carrier_status_labels": CARRIER_STATUS_LABELS,
}


HISTORY_LABELS = {
    "stage": "阶段",
    "stage_since": "进入阶段日期",
    "resume_stage": "原阶段",
    "enterprise_id": "落地企业",
    "site_on": "场地落实日期",
}


def _choices(session: Session) -> dict[str, Any]:
    """The chains, segments, parks, teams and promotion staff the forms and filters offer."""
    chains = chain_service.get_all(session=session)
    return {
        "chains": chains,
        "segments_by_chain": chain_service.segments_by_chain(session=session),
        "parks": [p for p in list_parks(session=session) if p.kind == "park"],
        "teams": list(session.exec(select(Team).order_by(col(Team.name)))),
        "owners": list(
            session.exec(
                select(User)
                .where(col(User.role).in_([Role.promotion, Role.admin]), col(User.is_active))
                .order_by(col(User.username))
            )
        ),
    }


def _list_context(session: Session, query: LeadQuery) -> dict[str, Any]:
    params = query.params()
    return {
        "params": params,
        "query_string": urlencode({k: v for k, v in params.items() if v}),
        "names": lead_search.names(session=session),
        **_choices(session),
        **LABELS,
    }


@router.get("")
def lead_list(
    request: Request, session: SessionDep, user: CurrentUser, query: LeadQueryDep, page: int = 1
) -> Response:
    """The project library as a filtered list; htmx swaps only the results."""
    result = lead_search.search(
        session=session, user=user, flt=query.to_filter(session, user), page=page
    )
    context = _list_context(session, query) | {"result": result, "rows": result.items}
    return render(request, "leads/list.html", context, fragment="leads/_results.html")


@router.get("/board")
def board(
    request: Request, session: SessionDep, user: CurrentUser, query: LeadQueryDep, moved: str = ""
) -> Response:
    """Leads by stage; each card moves on with a plain form."""
    columns = lead_search.board(session=session, user=user, flt=query.to_filter(session, user))
    return _board_page(request, session, user, query, columns, moved=moved)


def _board_page(
    request: Request,
    session: Session,
    user: User,
    query: LeadQuery,
    columns: list[lead_search.Column],
    moved: str = "",
    error: str = "",
    status: int = 200,
) -> Response:
    context = _list_context(session, query) | {
        "columns": columns,
        "next_stages": lambda lead: lead_stages.next_stages(lead, jumps=False),
        "moved": moved,
        "error": error,
        "today": china_today().isoformat(),
        "card_limit": lead_search.BOARD_CARDS,
    }
    return render(request, "leads/board.html", context, status_code=status)


@router.get("/export.{fmt}")
def export(fmt: str, session: SessionDep, user: CurrentUser, query: LeadQueryDep) -> Response:
    """The filtered library as .xlsx or .csv; phones only where the exporter may see them."""
    _, rows = lead_search.export_rows(
        session=session, user=user, flt=query.to_filter(session, user)
    )
    return table_download(
        fmt,
        f"招商项目-{china_today():%Y%m%d}",
        lead_search.EXPORT_HEADERS,
        rows,
        lead_search.EXPORT_WIDTHS,
        session=session,
        actor=user,
    )


@router.get("/duplicates")
def duplicate_check(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    investor_name: str = "",
    investor_credit_code: str = "",
    lead_id: int | None = None,
) -> Response:
    """Possible duplicates of an investor, shown under the form as the user types."""
    found = lead_duplicates.duplicates(
        session=session,
        user=user,
        investor_name=investor_name,
        credit=investor_credit_code.strip().upper() or None,
        exclude=lead_id,
    )
    return render(request, "leads/_duplicates.html", {"duplicates": found})


def form_values(form: FormData) -> dict[str, Any]:
    """Read the lead form; blank fields are left out so the model's defaults apply."""
    values: dict[str, Any] = {
        name: str(form[name]).strip()
        for name in LeadFields.model_fields
        if str(form.get(name) or "").strip()
    }
    values["confidential"] = form.get("confidential") == "on"
    return values


def form_page(
    request: Request,
    session: Session,
    values: dict[str, Any],
    errors: dict[str, str],
    lead: Lead | None,
    duplicates: list[lead_duplicates.Duplicate] | None = None,
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> Response:
    """The lead form (a new lead's form also asks for its contact and first step: `extra`)."""
    choices = _choices(session)
    context = {
        "values": values,
        "errors": errors,
        "lead": lead,
        "labels": LEAD_LABELS,
        "duplicates": duplicates or [],
        "today": china_today().isoformat(),
        "park_options": [(p.id, p.name) for p in choices["parks"]],
        "chain_options": [(c.id, c.name) for c in choices["chains"]],
        "owner_options": [(u.id, u.display_name or u.username) for u in choices["owners"]],
        **choices,
        **LABELS,
        **(extra or {}),
    }
    return render(request, "leads/form.html", context, status_code=status)


@router.get("/{lead_id:int}/edit")
def edit_form(request: Request, lead_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """The lead form filled with the lead."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    permissions.ensure_can_edit_lead(user, lead.owner_id)
    values = lead.model_dump(include=set(LeadFields.model_fields) | {"version"})
    return form_page(request, session, values, {}, lead)


@router.post("/{lead_id:int}/edit")
def edit(
    request: Request, lead_id: int, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Save an edit; a stale version is refused with the form kept."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    values = form_values(form)
    version = str(form.get("version") or "")
    try:
        data = parse(LeadFields, values, LEAD_LABELS)
        leads.update(
            session=session,
            actor=user,
            lead=lead,
            data=data,
            version=int(version) if version.isdigit() else 0,
        )
    except FieldErrors as exc:
        return form_page(
            request, session, values | {"version": version}, exc.errors, lead, status=422
        )
    except Conflict as exc:
        errors = {"version": exc.message}
        return form_page(
            request, session, values | {"version": lead.version}, errors, lead, status=409
        )
    return RedirectResponse(f"/leads/{lead_id}", status_code=303)


def _shown_value(key: str, value: Any, names: lead_search.Names) -> str:
    """An audited value as a reader expects it: names, not ids or codes."""
    lookups: dict[str, dict[Any, str]] = {
        "stage": dict(LEAD_STAGE_LABELS),
        "resume_stage": dict(LEAD_STAGE_LABELS),
        "source": dict(SOURCE_LABELS),
        "space_unit": dict(SPACE_UNIT_LABELS),
        "space_kind": dict(SPACE_KIND_LABELS),
        "chain_id": names.chains,
        "segment_id": names.segments,
        "park_id": names.parks,
        "owner_id": names.users,
    }
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return lookups.get(key, {}).get(value, str(value))


def _history(session: Session, lead: Lead, names: lead_search.Names) -> list[dict[str, Any]]:
    """The lead's audit entries, newest first, with readable changes."""
    entries = audit.history(session=session, object_type="lead", object_id=require_id(lead))
    labels = LEAD_LABELS | HISTORY_LABELS
    shown = []
    # An id may have belonged to removed demo data; only this lead's own life counts.
    for entry in (e for e in entries if e.at >= lead.created_at.replace(microsecond=0)):
        changes = []
        if entry.action != "create":
            changes = [
                (
                    labels.get(key, key),
                    _shown_value(key, (entry.before or {}).get(key), names),
                    _shown_value(key, value, names),
                )
                for key, value in (entry.after or {}).items()
            ]
        shown.append({"entry": entry, "changes": changes})
    return shown[:30]


def detail_page(
    request: Request,
    session: Session,
    user: User,
    lead: Lead,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The lead page; `errors` are keyed by the form they belong to (move, followup, …)."""
    lead_id = require_id(lead)
    editable = permissions.can_edit_lead(user, lead.owner_id)
    names = lead_search.names(session=session)
    people = lead_contacts.contacts(session=session, lead_id=lead_id)
    landed = session.get(Enterprise, lead.enterprise_id) if lead.enterprise_id else None
    context = {
        "lead": lead,
        "shown": names.of(lead),
        "editable": editable,
        "contacts": [(c, personal.mask_phone(c.phone)) for c in people],
        "can_see_phones": permissions.can_see_lead_contacts(user, lead.team_id),
        "timeline": followups.timeline(session=session, lead=lead),
        "next_stages": lead_stages.next_stages(lead),
        "skipped": lambda stage: lead_stages.skipped(lead, stage),
        "all_stages": list(LEAD_STAGE_LABELS),
        "reserved": carriers.reserved_for(session=session, lead_id=lead_id),
        "fitting": carriers.fitting(session=session, lead=lead) if editable else [],
        "can_reserve": lead.reached >= lead_stages.SIGNED and lead.stage != "dropped",
        "need_m2": carriers.need_in_square_metres(lead),
        "landed": landed,
        "duplicates": lead_duplicates.duplicates(
            session=session,
            user=user,
            investor_name=lead.investor_name,
            credit=lead.investor_credit_code,
            exclude=lead_id,
            own_firm=lead.enterprise_id,
        ),
        "history": _history(session, lead, names),
        "moves": (
            lead_stages.moves(session=session, lead_id=lead_id)
            if permissions.can_correct_move_dates(user)
            else []
        ),
        "errors": errors or {},
        "today": china_today().isoformat(),
        "labels": LEAD_LABELS | HISTORY_LABELS,
        **LABELS,
    }
    return render(request, "leads/detail.html", context, status_code=status)


@router.get("/{lead_id:int}")
def lead_page(request: Request, lead_id: int, session: SessionDep, user: CurrentUser) -> Response:
    """One lead: its facts, stage, timeline, contacts, capital and carriers."""
    lead = leads.get(session=session, user=user, lead_id=lead_id)
    return detail_page(request, session, user, lead)
