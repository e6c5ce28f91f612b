"""Benchmark: what a browser downloads per page, and when htmx is ready (issue 21).

Starts the app as `chainplan serve` would (uvicorn in a subprocess, on a scratch SQLite file
with the seeds and the demo data), then loads each page in Debian's chromium through
Playwright, once on loopback and once throttled to a slow phone network (1.6 Mbps down,
150 ms latency, Chrome DevTools' `Network.emulateNetworkConditions`). Per page it prints the
bytes transferred on a cold load (empty cache), on a warm one (the same page again) and the
time from navigation start until `window.htmx` is defined (the page's links and forms work).

Target: a cold load of a page without charts at most 150 KB; htmx ready within 2 s when slow.
Run: `python -m tests.benchmarks.page_weight [--port 8631] [--enterprises N]`.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, CDPSession, Page, sync_playwright
from sqlmodel import Session

from core import accounts
from core.db import make_engine
from web.deps import SESSION_COOKIE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BUDGET_KB = 150
READY_TARGET_S = 2.0
# (path, draws charts): the pages a person opens most, and the two that draw charts.
PAGES = [
    ("/login", False),
    ("/chains", False),
    ("/chains/robotics", False),
    ("/enterprises", False),
    ("/leads/board", False),
    ("/cultivation", False),
    ("/dashboard", True),
    ("/targets/003-high-growth", True),
]
SLOW = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
# Records when htmx.min.js assigns window.htmx (run before any script of the page; init
# scripts are not subject to the page's Content-Security-Policy).
READY_PROBE = """
(() => {
  let value;
  Object.defineProperty(window, "htmx", {
    configurable: true,
    get() { return value; },
    set(v) {
      value = v;
      if (window.__htmxReadyAt === undefined) window.__htmxReadyAt = performance.now();
    },
  });
})();
"""


@dataclass(frozen=True)
class Load:
    """One page load: bytes over the wire (headers included) and when htmx was ready."""

    transferred: int
    requests: int
    htmx_ms: float


def _prepare(url: str, enterprises: int) -> None:
    """Migrate, seed and fill the scratch database as `make serve` does."""
    env = {**os.environ, "CHAINPLAN_DATABASE_URL": url}
    cli = [sys.executable, "-c", "from cli.commands import main; main()"]
    for command in (["migrate"], ["seed"], ["demo", "--enterprises", str(enterprises)]):
        subprocess.run(cli + command, env=env, check=True, stdout=subprocess.DEVNULL)


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    """Start uvicorn on the app factory, as `chainplan serve` does, and wait for the port."""
    env = {
        **os.environ,
        "CHAINPLAN_DATABASE_URL": url,
        "CHAINPLAN_SECRET_KEY": "page-weight-" + "k" * 32,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "web.app:app_from_env", "--factory"]
        + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"nothing answered on port {port}")


def _session_token(url: str, username: str) -> str:
    """A session cookie for username, opened through the service layer (no argon2 per run)."""
    engine = make_engine(url)
    with Session(engine) as session:
        user = accounts.get_user_by_username(session=session, username=username)
        assert user is not None, f"no demo user {username}"
        token, _ = accounts.start_session(session=session, user=user)
        session.commit()
    engine.dispose()
    return token


def _load(page: Page, cdp: CDPSession, path: str) -> Load:
    """Navigate to path and count the bytes of every response that finished loading."""
    sizes: dict[str, float] = {}

    def finished(event: dict[str, Any]) -> None:
        sizes[event["requestId"]] = event["encodedDataLength"]

    cdp.on("Network.loadingFinished", finished)
    page.goto(path, wait_until="load")
    page.wait_for_function("window.__htmxReadyAt !== undefined")
    page.wait_for_load_state("networkidle")
    ready = float(page.evaluate("window.__htmxReadyAt"))
    cdp.remove_listener("Network.loadingFinished", finished)
    return Load(int(sum(sizes.values())), len(sizes), ready)


def _measure(browser: Browser, base_url: str, token: str, path: str, slow: bool) -> list[Load]:
    """A cold load in a fresh context (empty cache), then the same page again (warm)."""
    context = browser.new_context(base_url=base_url, locale="zh-CN", bypass_csp=True)
    if path != "/login":
        context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": base_url}])
    context.add_init_script(READY_PROBE)
    page = context.new_page()
    page.set_default_timeout(120_000)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if slow:
        cdp.send("Network.emulateNetworkConditions", SLOW)
    loads = [_load(page, cdp, path), _load(page, cdp, path)]
    context.close()
    return loads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8631)
    parser.add_argument("--enterprises", type=int, default=2_000)
    parser.add_argument("--user", default="admin", help="a demo user who sees every page")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("needs Debian's chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/page-weight.db"
        _prepare(url, args.enterprises)
        token = _session_token(url, args.user)
        server = _serve(url, args.port)
        base_url = f"http://127.0.0.1:{args.port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
                )
                _report(browser, base_url, token)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


def _report(browser: Browser, base_url: str, token: str) -> None:
    print(
        f"{'page':<26}{'charts':>7}{'cold KB':>9}{'req':>5}{'warm KB':>9}"
        f"{'htmx ms':>9}{'slow: htmx ms':>15}{'slow warm ms':>14}  verdict"
    )
    for path, charts in PAGES:
        cold, warm = _measure(browser, base_url, token, path, slow=False)
        slow_cold, slow_warm = _measure(browser, base_url, token, path, slow=True)
        fits = charts or cold.transferred <= BUDGET_KB * 1024
        quick = charts or slow_cold.htmx_ms <= READY_TARGET_S * 1000
        verdict = "ok" if fits and quick else "OVER"
        print(
            f"{path:<26}{'yes' if charts else '':>7}{cold.transferred / 1024:>9.1f}"
            f"{cold.requests:>5}{warm.transferred / 1024:>9.1f}{cold.htmx_ms:>9.0f}"
            f"{slow_cold.htmx_ms:>15.0f}{slow_warm.htmx_ms:>14.0f}  {verdict}"
        )
    print(
        f"cold = empty cache, warm = the same page again; KB over the wire, headers included. "
        f"Budget: {BUDGET_KB} KB cold and htmx within {READY_TARGET_S:.0f} s on the slow "
        "profile (1.6 Mbps, 150 ms) for pages without charts."
    )


if __name__ == "__main__":
    main()
