"""Benchmark: a login answers in the same time whether or not the name has an account.

Each kind of attempt — a known name with a wrong password, an unknown name, a disabled
account, a held-back (throttled) attempt, a success — is sent through the login form from
its own address (X-Forwarded-For, read by uvicorn's proxy middleware as behind the
production proxy), and the time of the POST is printed per kind. Target: unknown and disabled
within 10 % of known (each is one argon2 check); throttled answers take no check at all.
Run: `python -m tests.benchmarks.login [--runs N]`; CHAINPLAN_DATABASE_URL picks the database.
"""

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core import accounts, migrate
from core.accounts import Role
from core.db import make_engine, transaction
from core.login_throttle import FREE_PER_NAME
from core.settings import Settings
from seeds.load import load_all
from tests.databases import drop_scratch, scratch_url
from web.app import create_app

PASSWORD = "Bench#login-2613"


def _populate(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        migrate.upgrade(conn)
    with transaction(engine) as session:
        load_all(session=session)
        for name in ("bench-known", "bench-disabled"):
            user = accounts.create_user(
                session=session, username=name, password=PASSWORD, role=Role.viewer
            )
        user.is_active = False
    engine.dispose()


def _attempt(client: TestClient, address: str, username: str, password: str) -> tuple[int, float]:
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    form = {"username": username, "password": password, "csrf_token": found.group(1)}
    started = time.perf_counter()
    headers = {"X-Forwarded-For": address}
    status = client.post("/login", data=form, headers=headers, follow_redirects=False).status_code
    return status, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    base = os.environ.get("CHAINPLAN_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(base, Path(tmp)) if base else f"sqlite:///{tmp}/bench.db"
        try:
            _populate(url)
            app = create_app(Settings(database_url=url, secret_key="bench-" + "k" * 32))
            kinds = {
                "known name, wrong password": ("bench-known", "Wrong#guess-1"),
                "unknown name": ("bench-nobody", "Wrong#guess-1"),
                "disabled account": ("bench-disabled", PASSWORD),
                "success": ("bench-known", PASSWORD),
            }
            times: dict[str, list[float]] = {kind: [] for kind in [*kinds, "throttled"]}
            proxied = ProxyHeadersMiddleware(app, trusted_hosts="*")
            with TestClient(proxied) as client:  # type: ignore[arg-type]
                for run in range(args.runs):
                    for n, (kind, (name, password)) in enumerate(kinds.items()):
                        status, ms = _attempt(client, f"10.{n}.{run}.1", name, password)
                        times[kind].append(ms)
                    held = f"10.9.{run}.1"
                    for _ in range(FREE_PER_NAME):
                        _attempt(client, held, "bench-nobody", "Wrong#guess-1")
                    status, ms = _attempt(client, held, "bench-nobody", "Wrong#guess-1")
                    assert status == 429
                    times["throttled"].append(ms)
            print(f"login, server time over {args.runs} runs (median / p95 ms):")
            for kind, values in times.items():
                p95 = sorted(values)[int(len(values) * 0.95) - 1]
                print(f"  {kind:28} {statistics.median(values):7.1f} / {p95:7.1f}")
        finally:
            if base:
                drop_scratch(url, base)


if __name__ == "__main__":
    main()
