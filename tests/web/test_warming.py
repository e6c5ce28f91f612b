"""Background recomputation of derived figures after a write."""

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session

from chains import service as chain_service
from core import versions
from web.warming import Warmer


def test_the_warmer_caches_every_chain_for_the_current_registry(engine: Engine) -> None:
    versions.forget()
    warmer = Warmer(engine)
    warmer.request()
    warmer.request()  # coalesced with the first
    assert warmer.wait_idle(timeout=60)
    with Session(engine) as session:
        token = versions.current(session=session)
        codes = {c.code for c in chain_service.get_all(session=session)}
    cached = {
        what.removeprefix("registry:chain-detail:")
        for (_, what, key, day) in versions._CACHE
        if key == token and day == date.today() and what.startswith("registry:chain-detail:")
    }
    assert cached == codes and len(codes) == 10
