"""A chain chief's pages: "my chain", the work page of a chain, and the chain's dossier."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import col, select

from chainmaps import figures as chain_figures
from chainmaps import overview
from chains import dossier as dossier_service
from chains.models import DOSSIER_LABELS, Chain, DossierKind
from core import permissions
from core.accounts import UserChain
from core.db import require_id, utcnow
from enterprises.projects import lead_search
from enterprises.projects.leads import LEAD_STAGE_LABELS
from web.deps import ChainDep, CurrentUser, SessionDep
from web.render import render

router = APIRouter()


@router.get("/my-chain")
def my_chain(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """A chain chief's own chain; with several chains, a choice; others go to the chain list."""
    chains = list(
        session.exec(
            select(Chain)
            .join(UserChain, col(UserChain.chain_id) == Chain.id)
            .where(UserChain.user_id == user.id)
            .order_by(col(Chain.position))
        )
    )
    if len(chains) == 1:
        return RedirectResponse(f"/chains/{chains[0].code}/work", status_code=303)
    if not chains:
        return RedirectResponse("/chains", status_code=303)
    return render(request, "chains/my_chains.html", {"chains": chains})


@router.get("/chains/{code}/work")
def work(chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """Headline figures against the chain's targets, ranked gaps, key projects, stale data."""
    view = chain_figures.detail(session=session, code=chain.code)
    chain_id = require_id(chain)
    lead_total, leads = lead_search.targeting(session=session, user=user, chain_id=chain_id)
    return render(
        request,
        "chains/work.html",
        {
            "chain": view,
            "tab": "work",
            "headline": overview.headline(session=session, chain_id=chain_id),
            "gaps": chain_figures.gap_report(view),
            "projects": dossier_service.items_of(session=session, chain_id=chain_id)[
                DossierKind.project
            ],
            "stale": overview.unconfirmed(view.segments, utcnow()),
            "stale_days": overview.STALE_AFTER_DAYS,
            "lead_total": lead_total,
            "leads": leads,
            "lead_names": lead_search.names(session=session),
            "lead_stage_labels": LEAD_STAGE_LABELS,
            "lead_counts": lead_search.open_counts(session=session, user=user, chain_id=chain_id),
            "can_edit": permissions.can_edit_chain(session=session, user=user, chain_id=chain_id),
        },
    )


@router.get("/chains/{code}/dossier")
def dossier(chain: ChainDep, request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The chain's dossier (五个一): firm table, key projects, innovation system, policies,
    advisory bodies and responsible units."""
    view = chain_figures.detail(session=session, code=chain.code)
    chain_id = require_id(chain)
    lead_total, leads = lead_search.targeting(session=session, user=user, chain_id=chain_id)
    return render(
        request,
        "chains/dossier.html",
        {
            "chain": view,
            "tab": "dossier",
            "firms": overview.leading_firms(session=session, chain_id=chain_id),
            "bodies": overview.innovation_bodies(session=session, chain_id=chain_id),
            "items": dossier_service.items_of(session=session, chain_id=chain_id),
            "dossier_labels": DOSSIER_LABELS,
            "can_edit": permissions.can_edit_chain(session=session, user=user, chain_id=chain_id),
        },
    )
