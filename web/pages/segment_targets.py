"""按图招商 pages: a segment's words and ranked targets on its panel, and the gaps page.

The segment panel (web.pages.chains) adds `panel_extras`; the chief edits the words there
(POST /chains/{code}/segments/{id}/words), which refreshes the segment's suggested firms and
targets. /prospects/gaps lists every gap of the chains with its targets and outreach coverage.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from chainmaps import figures as chain_figures
from chainmaps import word_edits
from chains import service as chain_service
from chains.graph import STATUS_LABELS, GapStatus
from chains.segment_words import SOURCE_LABELS, WORDS_MAX, words_of
from core import permissions
from core.accounts import User
from core.errors import Conflict, FieldErrors
from enterprises.prospects import outreach
from enterprises.prospects.models import LISTING_LABELS, SIZE_LABELS
from web.deps import CurrentUser, EditableChain, FormDep, SessionDep
from web.render import is_htmx, render
from web.statuses import message_for

router = APIRouter()
GAP_TARGETS = 5  # targets shown per gap on the gaps page


def panel_extras(session: Session, user: User, chain_id: int, segment_id: int) -> dict[str, Any]:
    """What a segment's panel shows for 按图招商: its words, ranked targets and coverage."""
    context: dict[str, Any] = {
        "segment_words": words_of(session=session, segment_ids=[segment_id])[segment_id],
        "word_source_labels": SOURCE_LABELS,
        "words_max": WORDS_MAX,
        "size_labels": SIZE_LABELS,
        "listing_labels": LISTING_LABELS,
    }
    if permissions.sees_prospects(user):
        context["targets"] = outreach.ranked(session=session, segment_id=segment_id, limit=10)
        context["coverage"] = outreach.coverage(session=session, segment_ids=[segment_id])[
            segment_id
        ]
    return context


@router.post("/chains/{code}/segments/{segment_id:int}/words")
def edit_words(
    segment_id: int,
    chain: EditableChain,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: FormDep,
) -> Response:
    """Save the segment's words; its suggested firms and targets follow at once."""
    from web.pages.chains import panel_context

    segment = chain_service.get_segment(session=session, chain=chain, segment_id=segment_id)
    version = str(form.get("version") or "")
    error, status = "", 200
    try:
        word_edits.edit_words(
            session=session,
            actor=user,
            chain=chain,
            segment=segment,
            text=str(form.get("words") or ""),
            version=int(version) if version.isdigit() else 0,
        )
    except (FieldErrors, Conflict) as exc:
        if not is_htmx(request):
            raise  # the error page names what is wrong; the panel is a fragment
        error, status = message_for(exc), 422 if isinstance(exc, FieldErrors) else 409
    if not is_htmx(request):
        target = f"/chains/{chain.code}?segment={segment_id}#segment-panel"
        return RedirectResponse(target, status_code=303)
    view = chain_figures.detail(session=session, code=chain.code)
    context = panel_context(session, user, chain, view, chain_figures.gap_report(view), segment_id)
    context |= {
        "chain": view,
        "can_edit": True,
        "words_error": error,
        "words_text": str(form.get("words") or "") if error else None,
    }
    return render(request, "chains/_segment_panel.html", context, status_code=status)


def _reader(user: CurrentUser) -> User:
    permissions.ensure_sees_prospects(user)
    return user


@router.get("/prospects/gaps")
def gaps_page(
    request: Request,
    session: SessionDep,
    user: Annotated[User, Depends(_reader)],
    chain: Annotated[str, Query(max_length=60)] = "",
) -> Response:
    """Each gap (missing or weak segment) of the chains, its best targets and the coverage."""
    chains = chain_service.get_all(session=session)
    chosen = [c for c in chains if c.code == chain] if chain else chains
    if chain and not chosen:
        chain_service.get_by_code(session=session, code=chain)  # raises NotFound
    rows = []
    for one in chosen:
        view = chain_figures.detail(session=session, code=one.code)
        gaps = [g for g in chain_figures.gap_report(view) if g.status != GapStatus.strong]
        covered = outreach.coverage(session=session, segment_ids=[g.segment_id for g in gaps])
        for gap in gaps:
            rows.append(
                {
                    "chain": one,
                    "gap": gap,
                    "coverage": covered[gap.segment_id],
                    "targets": outreach.ranked(
                        session=session, segment_id=gap.segment_id, limit=GAP_TARGETS
                    ),
                }
            )
    context = {
        "rows": rows,
        "chains": chains,
        "chain": chain,
        "status_labels": STATUS_LABELS,
        "size_labels": SIZE_LABELS,
        "listing_labels": LISTING_LABELS,
        "can_make_project": permissions.can_create_lead(user),
    }
    return render(request, "prospects/gaps.html", context)
