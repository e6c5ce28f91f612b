"""The chief's review of suggested memberships: a partial for the chain's review page.

`chains/_review_suggestions.html` lists a chain's open suggestions with their reasons and a
采纳 / 不采纳 form each; it is served alone at /chains/{code}/suggestions (and to htmx after a
decision) and can be included in any page given `suggestion_context`.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from chainmaps import suggestion_review
from chains.models import Chain
from core import permissions
from core.accounts import User
from core.db import require_id
from core.errors import Conflict, NotFound
from web.deps import ChainDep, CurrentUser, SessionDep
from web.render import is_htmx, render
from web.statuses import message_for

router = APIRouter(prefix="/chains/{code}/suggestions")


def suggestion_context(session: Session, chain: Chain, page: int = 1) -> dict[str, Any]:
    """What _review_suggestions.html needs: one page of the chain's open suggestions."""
    total, rows = suggestion_review.open_for_chain(
        session=session, chain_id=require_id(chain), page=page
    )
    return {
        "review_chain": chain,
        "suggestions": rows,
        "suggestion_total": total,
        "suggestion_page": page,
        "suggestion_pages": max(1, -(-total // suggestion_review.PAGE_SIZE)),
    }


def _shown(
    request: Request, session: Session, chain: Chain, page: int, error: str = "", status: int = 200
) -> Response:
    context = suggestion_context(session, chain, page) | {"suggestion_error": error}
    return render(
        request,
        "chains/suggestions.html",
        context,
        fragment="chains/_review_suggestions.html",
        status_code=status,
    )


@router.get("")
def suggestions(
    chain: ChainDep,
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    """The chain's open suggestions, best first (its chief and admins)."""
    permissions.ensure_can_review_chain(session=session, user=user, chain_id=require_id(chain))
    return _shown(request, session, chain, page)


def _decided(
    request: Request, session: Session, user: User, chain: Chain, suggestion_id: int, accept: bool
) -> Response:
    error, status = "", 200
    try:
        if accept:
            suggestion_review.accept(
                session=session, actor=user, chain=chain, suggestion_id=suggestion_id
            )
        else:
            suggestion_review.reject(
                session=session, actor=user, chain=chain, suggestion_id=suggestion_id
            )
    except (Conflict, NotFound) as exc:
        if not is_htmx(request):
            raise
        error, status = message_for(exc), 409 if isinstance(exc, Conflict) else 404
    if not is_htmx(request):
        return RedirectResponse(f"/chains/{chain.code}/review#review-suggestions", status_code=303)
    return _shown(request, session, chain, 1, error, status)


@router.post("/{suggestion_id:int}/accept")
def accept(
    suggestion_id: int, chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Accept a suggestion: the firm joins the segment, confirmed (采纳)."""
    return _decided(request, session, user, chain, suggestion_id, accept=True)


@router.post("/{suggestion_id:int}/reject")
def reject(
    suggestion_id: int, chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser
) -> Response:
    """Turn a suggestion down (不采纳): it is not made again."""
    return _decided(request, session, user, chain, suggestion_id, accept=False)
