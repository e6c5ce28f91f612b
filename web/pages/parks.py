"""A park's own page: its progress against its share of the targets, pipeline and projects."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response

from core.orgs import get_park_by_code, landmark_views
from enterprises.cultivation import designations, roster
from enterprises.cultivation.pipeline import ORDER, STAGE_LABELS
from enterprises.registry.service import count_by_park
from plans import figures, park_progress
from web.deps import CurrentUser, SessionDep
from web.render import render

router = APIRouter()


@router.get("/parks/{code}")
def park_page(code: str, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Firms, targets against the park's shares, landmarks, pipeline, projects, carriers."""
    park = get_park_by_code(session=session, code=code)
    park_id = park.id or 0
    today = date.today()
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
