"""The chain chief's review of firms entering his chain (确认 / 移出), as pages and htmx rows.

Anyone who reads the chain sees the list; only its chief (or an admin) acts on it. A row acted
on with htmx is replaced by a line saying what was done; without htmx the page comes back.
"""

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from chainmaps import figures as chain_figures
from core import permissions
from enterprises.registry import membership_review
from web.deps import ChainDep, CurrentUser, SessionDep
from web.pages.suggestion_review import suggestion_context
from web.render import is_htmx, render

router = APIRouter(prefix="/chains/{code}")

DONE = {"confirm": "已确认", "remove": "已移出"}


@router.get("/review")
def review_page(
    chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser, done: str = ""
) -> Response:
    """The chain's pending entries by segment, with their source and note."""
    view = chain_figures.detail(session=session, code=chain.code)
    entries = membership_review.pending(session=session, chain_id=view.id)
    can_review = permissions.can_review_chain(session=session, user=user, chain_id=view.id)
    context = {
        "chain": view,
        "tab": "review",
        "entries": entries,
        "pending_count": len(entries),
        "can_edit": permissions.can_edit_chain(session=session, user=user, chain_id=view.id),
        "can_review": can_review,
        "done": done[:200],
    }
    if can_review:  # suggestions from firms' products are for the chief alone
        context |= suggestion_context(session, chain)
    return render(request, "chains/review.html", context)


def _after(request: Request, code: str, action: str, label: str) -> Response:
    if is_htmx(request):
        context = {"message": f"{DONE[action]}：{label}"}
        return render(request, "chains/_review_done.html", context)
    query = urlencode({"done": f"{DONE[action]}：{label}"})
    return RedirectResponse(f"/chains/{code}/review?{query}", status_code=303)


@router.post("/review/{membership_id:int}/confirm")
def confirm(
    membership_id: int, chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Confirm a firm's place (确认): the map counts it from now on."""
    label = membership_review.describe(session=session, chain=chain, membership_id=membership_id)
    membership_review.confirm(session=session, actor=user, chain=chain, membership_id=membership_id)
    return _after(request, chain.code, "confirm", label)


@router.post("/review/{membership_id:int}/remove")
def remove(
    membership_id: int, chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Move a firm out of the segment (移出)."""
    label = membership_review.describe(session=session, chain=chain, membership_id=membership_id)
    membership_review.remove(session=session, actor=user, chain=chain, membership_id=membership_id)
    return _after(request, chain.code, "remove", label)
