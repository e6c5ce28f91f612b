"""The JSON API under /api/v1."""

from fastapi import APIRouter

from web.api import (
    audit,
    auth,
    carriers,
    chain_edit,
    chain_review,
    chains,
    cultivation,
    enterprises,
    imports,
    landmarks,
    lead_imports,
    lead_landing,
    lead_work,
    leads,
    park_discovery,
    plan_tasks,
    plans,
    prospect_imports,
    prospects,
    segment_targets,
    suggestion_review,
    targets,
    users,
)

router = APIRouter()
router.include_router(auth.router)
router.include_router(chains.router)
router.include_router(chain_edit.router)
router.include_router(chain_review.router)
router.include_router(enterprises.router)
router.include_router(cultivation.router)
router.include_router(imports.router)
router.include_router(lead_imports.router)
router.include_router(leads.router)
router.include_router(lead_work.router)
router.include_router(lead_landing.router)
router.include_router(carriers.router)
router.include_router(landmarks.router)
router.include_router(targets.router)
router.include_router(plans.router)
router.include_router(plan_tasks.router)
router.include_router(audit.router)
router.include_router(users.router)
router.include_router(prospect_imports.router)
router.include_router(prospects.router)
router.include_router(segment_targets.router)
router.include_router(suggestion_review.router)
router.include_router(park_discovery.router)
