"""HTML pages (zh-CN)."""

from fastapi import APIRouter

from web.pages import auth, chains, enterprises

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)
router.include_router(chains.router)
router.include_router(enterprises.router)
