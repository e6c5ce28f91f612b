"""A park's own page: its progress against its share of the targets, pipeline and projects."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from core import permissions
from core.accounts import User
from core.db import china_today
from core.errors import DomainError
from core.orgs import Park, get_park_by_code, landmark_views
from enterprises.cultivation import designations, discovery, roster
from enterprises.cultivation.pipeline import ORDER, STAGE_LABELS
from enterprises.registry.service import count_by_park
from plans import figures, park_progress
from web.deps import CurrentUser, FormDep, SessionDep
from web.render import render
from web.statuses import message_for, status_for

router = APIRouter()


@router.get("/parks/{code}")
def park_page(code: str, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Firms, targets against the park's shares, landmarks, pipeline, projects, carriers."""
    park = get_park_by_code(session=session, code=code)
    park_id = park.id or 0
    today = china_today()
    counts = roster.stage_counts(session=session, today=today, park_id=park_id)
    context = {
        "park": park,
        "firms": count_by_park(session=session).get(park_id, (0, 0)),
        "figures": figures.in_park(session=session, park_id=park_id, day=today),
        "targets": park_progress.targets_in(session=session, park_id=park_id, today=today),
        "projects": park_progress.projects_in(session=session, park_id=park_id, today=today),
        "landmarks": landmark_views(session=session, park_id=park_id),
        "designations": designations.get_all(session=session),
        "counts": counts,
        "stages": ORDER,
        "stage_labels": STAGE_LABELS,
        "today": today,
    }
    return render(request, "parks/detail.html", context)


def _discovery(
    request: Request,
    session: Session,
    user: User,
    park: Park,
    added: int = 0,
    error: str = "",
    status: int = 200,
) -> Response:
    """候选发现: a park's firms that meet a designation's criteria, not yet in its pipeline."""
    return render(
        request,
        "parks/discovery.html",
        {
            "park": park,
            "found": discovery.in_park(session=session, park_id=park.id or 0, today=china_today()),
            "can_add": permissions.can_edit_enterprise(user, park.id),
            "added": added,
            "error": error,
        },
        fragment="parks/_discovery.html",
        status_code=status,
    )


@router.get("/parks/{code}/discovery")
def park_discovery(
    code: str, request: Request, session: SessionDep, user: CurrentUser, added: int = 0
) -> Response:
    """The park's discovered candidates per designation (the park page loads it on a click)."""
    park = get_park_by_code(session=session, code=code)
    return _discovery(request, session, user, park, added=max(added, 0))


@router.post("/parks/{code}/discovery")
def add_park_candidates(
    code: str, request: Request, session: SessionDep, user: CurrentUser, form: FormDep
) -> Response:
    """Make the chosen discovered firms candidates (候选) in one step; all or none."""
    park = get_park_by_code(session=session, code=code)
    ids = [int(str(v)) for v in form.getlist("ids") if str(v).isdigit() and len(str(v)) < 19]
    try:
        permissions.ensure_can_edit_enterprise(user, park.id)
        designation = designations.get_by_code(
            session=session, code=str(form.get("designation") or "")
        )
        added = discovery.add_candidates(
            session=session,
            actor=user,
            designation=designation,
            park_id=park.id or 0,
            enterprise_ids=ids,
            today=china_today(),
        )
    except DomainError as exc:  # the starts were in a savepoint, rolled back
        return _discovery(
            request, session, user, park, error=message_for(exc), status=status_for(exc)
        )
    if request.headers.get("hx-request") == "true":
        return _discovery(request, session, user, park, added=added)
    return RedirectResponse(f"/parks/{code}/discovery?added={added}", status_code=303)
