"""HTML pages (zh-CN)."""

from fastapi import APIRouter

from web.pages import (
    audit_log,
    auth,
    carriers,
    chain_dossier,
    chain_edit,
    chain_review,
    chain_work,
    chains,
    cultivation,
    dashboard,
    designations,
    enterprises,
    imports,
    lead_imports,
    lead_intake,
    lead_landing,
    lead_watch,
    lead_work,
    leads,
    parks,
    plan_tasks,
    plans,
    prospect_imports,
    prospects,
    segment_targets,
    suggestion_review,
    target_plan,
    users,
)

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(chains.router)
router.include_router(chain_work.router)
router.include_router(chain_edit.router)
router.include_router(chain_review.router)
router.include_router(chain_dossier.router)
router.include_router(enterprises.router)
router.include_router(cultivation.router)
router.include_router(designations.router)
router.include_router(imports.router)
router.include_router(lead_imports.router)
router.include_router(leads.router)
router.include_router(lead_intake.router)
router.include_router(lead_work.router)
router.include_router(lead_landing.router)
router.include_router(lead_watch.router)
router.include_router(carriers.router)
router.include_router(dashboard.router)
router.include_router(target_plan.router)
router.include_router(plans.router)
router.include_router(parks.router)
router.include_router(plan_tasks.router)
router.include_router(audit_log.router)
router.include_router(users.router)
router.include_router(prospects.router)
router.include_router(prospect_imports.router)
router.include_router(segment_targets.router)
router.include_router(suggestion_review.router)
