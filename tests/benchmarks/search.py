"""Benchmark: a search for a common term, counted up to a cap (issue 21).

Fills a scratch database with the demo registry (200,000 firms by default; ~21,000 of them
hold 精密), serves it with uvicorn as `chainplan serve` does (one worker) and times over
loopback HTTP, as a browser or an API client would wait for it:
- /enterprises?q=精密 on page 1, page 20 (the last the exact count reaches: 1,000 / 50) and a
  deep page (200), and its JSON twin /api/v1/enterprises on page 1 and the deep page; and a
  rare term (a whole firm's name) on page 1;
- the deep page reached as a reader walks there: following the JSON's `next` from page 1 to
  page 200 (the walk's time is printed), then page 200 by that link (`after=`, where page 199
  ended) as JSON and as the page, timed as above (the last hop of the walk); and page 199 by
  its number beside page 199 by page 200's 上一页 link (`before=`, where page 200 began);
- beside it, when DATASETTE names a datasette executable, datasette's table view of the same
  file with the same filter (name or products hold 精密), without counts and facets
  (`_nocount=1&_nofacet=1`), in its own order (rowid) and sorted by output as ours is, as a
  table and as JSON; the ratio ours / datasette is of the p95s of page 1.
Every figure is p50 / p95 / max wall time of `--runs` requests after one warm-up, and the
server process's CPU time per request (read from /proc): on a machine busy with other work the
wall time includes waiting for a core, the CPU time does not (it counts the app's process
only: PostgreSQL's own work is not in it); the load average is printed.
PostgreSQL: pass `--postgres URL` (a database the benchmark may create scratch databases
beside) to time the same paths on PostgreSQL too; with `--pg-keep NAME` the firms go into the
database NAME beside it, built on the first run and reused (not dropped) by the next ones.
Run: `python -m tests.benchmarks.search [--enterprises 200000] [--runs 30] [--db FILE]`, datasette
from a scratch virtualenv: `python3 -m venv /tmp/ds && /tmp/ds/bin/pip install datasette`,
then `DATASETTE=/tmp/ds/bin/datasette python -m tests.benchmarks.search`.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.benchmarks.page_weight import _prepare, _session_token
from tests.benchmarks.scale import _vacuum
from tests.databases import drop_scratch, scratch_url
from web.deps import SESSION_COOKIE

TERM = "精密"
TARGET_MS = 100.0
DATASETTE_RATIO = 1.5
PATHS = [
    (f"/enterprises?q={TERM}", "page 1"),
    (f"/enterprises?q={TERM}&page=20", "page 20"),
    (f"/enterprises?q={TERM}&page=200", "deep page 200"),
    (f"/api/v1/enterprises?q={TERM}", "JSON page 1"),
    (f"/api/v1/enterprises?q={TERM}&page=200", "JSON deep page 200"),
]
DATASETTE_WHERE = quote(f"name like '%{TERM}%' or main_products like '%{TERM}%'")
DATASETTE_PATHS = [
    (f"?_where={DATASETTE_WHERE}&_nocount=1&_nofacet=1&_size=50", "table, rowid order"),
    (
        f"?_where={DATASETTE_WHERE}&_nocount=1&_nofacet=1&_size=50&_sort_desc=annual_output",
        "table, sorted by output",
    ),
    (f".json?_where={DATASETTE_WHERE}&_nocount=1&_nofacet=1&_size=50", "JSON, rowid order"),
    (
        f".json?_where={DATASETTE_WHERE}&_nocount=1&_nofacet=1&_size=50&_sort_desc=annual_output",
        "JSON, sorted by output",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    """Start uvicorn on the app factory, as `chainplan serve` does; wait until it answers (its
    warm-up computes the cached figures first: a minute or more at 200,000 firms)."""
    env = {**os.environ, "CHAINPLAN_DATABASE_URL": url, "CHAINPLAN_SECRET_KEY": "s" * 40}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "web.app:app_from_env", "--factory"]
        + ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=30).raise_for_status()
            return server
        except httpx.HTTPError:
            if server.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.5)
    server.terminate()
    raise RuntimeError(f"nothing answered on port {port}")


def _cpu_ms(pid: int) -> float:
    """CPU time the process has used so far (user + system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _times(client: httpx.Client, url: str, runs: int, pid: int) -> list[float]:
    """Wall times of runs requests; prints the server's CPU time per request beside them (on
    a busy machine the wall time waits for a core, the CPU time does not)."""
    client.get(url).raise_for_status()  # warm the server's caches and the connection
    samples = []
    cpu = _cpu_ms(pid)
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    _CPU[url] = (_cpu_ms(pid) - cpu) / runs
    return samples


_CPU: dict[str, float] = {}


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def _line(label: str, samples: list[float], cpu: float, target: float | None = TARGET_MS) -> None:
    p95 = _p95(samples)
    verdict = "" if target is None else ("  ok" if p95 <= target else "  OVER TARGET")
    print(
        f"  {label:<34} p50 {statistics.median(samples):6.1f} ms  p95 {p95:6.1f} ms  "
        f"max {max(samples):6.1f} ms  server CPU {cpu:5.1f} ms{verdict}"
    )


def _ours(url: str, port: int, runs: int) -> dict[str, list[float]]:
    """Time the search paths against our server on url."""
    token = _session_token(url, "admin")
    server = _serve(url, port)
    found: dict[str, list[float]] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, cookies={SESSION_COOKIE: token}, timeout=60) as client:
            first = client.get(f"/api/v1/enterprises?q={TERM}").json()
            print(
                f"  total shown: {first['total']:,}{'+' if first['total_is_lower_bound'] else ''}"
                f", has_next {first['has_next']}   (load average {os.getloadavg()[0]:.1f})"
            )
            rare = _rare_term(url)
            for path, label in [*PATHS, (f"/enterprises?q={quote(rare)}", "rare term page 1")]:
                found[label] = _times(client, path, runs, server.pid)
                _line(label, found[label], _CPU[path])
            deep = _walk(client, f"/api/v1/enterprises?q={TERM}", DEEP_PAGE)
            back = str(client.get(deep).raise_for_status().json()["prev"])
            assert "before=" in back and f"page={DEEP_PAGE - 1}" in back, back
            for path, label in (
                (deep, f"JSON page {DEEP_PAGE} by next (keyset)"),
                (
                    deep.replace("/api/v1/enterprises", "/enterprises"),
                    f"page {DEEP_PAGE} by 下一页",
                ),
                (f"/enterprises?q={TERM}&page={DEEP_PAGE - 1}", f"page {DEEP_PAGE - 1} by number"),
                (
                    back.replace("/api/v1/enterprises", "/enterprises"),
                    f"page {DEEP_PAGE - 1} by 上一页 (before)",
                ),
            ):
                found[label] = _times(client, path, runs, server.pid)
                _line(label, found[label], _CPU[path])
    finally:
        server.terminate()
        server.wait()
    return found


DEEP_PAGE = 200


def _walk(client: httpx.Client, start: str, pages: int) -> str:
    """Follow the JSON list's `next` from start to the page numbered pages; return its address
    (the page before it ended where it begins: `after=`). Prints how long the walk took."""
    started = time.perf_counter()
    url = start
    for _ in range(pages - 1):
        answer = client.get(url).raise_for_status().json()
        url = answer["next"]
    assert f"page={pages}" in url, url
    took = time.perf_counter() - started
    hop = took / (pages - 1) * 1000
    print(f"  walked to page {pages} by next links: {took:.1f} s ({hop:.0f} ms a hop)")
    return str(url)


def _rare_term(url: str) -> str:
    """A whole firm's name (the last firm's): a term one firm holds, which the index of
    characters finds at once where walking the list would read the whole registry."""
    engine = create_engine(url)
    with engine.connect() as conn:
        name = conn.execute(
            text("SELECT name FROM enterprise ORDER BY id DESC LIMIT 1")
        ).scalar_one()
    engine.dispose()
    return str(name)


def _datasette(executable: str, file: Path, runs: int) -> dict[str, list[float]]:
    """Time datasette's table view of the same file with the same filter."""
    port = _free_port()
    server = subprocess.Popen(
        [executable, "serve", str(file), "--port", str(port)]
        + ["--setting", "sql_time_limit_ms", "20000"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    found: dict[str, list[float]] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        table = f"/{file.stem}/enterprise"
        with httpx.Client(base_url=base, timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.get("/-/versions.json").raise_for_status()
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("datasette did not start") from None
                    time.sleep(0.3)
            print(f"  (load average {os.getloadavg()[0]:.1f})")
            for query, label in DATASETTE_PATHS:
                found[label] = _times(client, table + query, runs, server.pid)
                _line(f"datasette {label}", found[label], _CPU[table + query], None)
    finally:
        server.terminate()
        server.wait()
    return found


def _sqlite(args: argparse.Namespace, tmp: Path) -> None:
    file = Path(args.db) if args.db else tmp / "search.db"
    url = f"sqlite:///{file}"
    if not file.exists():
        started = time.perf_counter()
        _prepare(url, args.enterprises)
        print(f"built {args.enterprises:,} firms in {time.perf_counter() - started:.0f} s")
    print(f"\nSQLite, {file.name}: search for {TERM}, {args.runs} requests each")
    ours = _ours(url, args.port, args.runs)
    datasette = os.environ.get("DATASETTE", "")
    if not datasette:
        print("  datasette: not measured (set DATASETTE to a datasette executable)")
        return
    print(f"\ndatasette ({datasette}) on the same file, the same filter:")
    theirs = _datasette(datasette, file, args.runs)
    for mine, label in (
        ("page 1", "table, rowid order"),
        ("JSON page 1", "JSON, rowid order"),
        ("JSON page 1", "JSON, sorted by output"),  # the same order as ours
    ):
        ratio = _p95(ours[mine]) / _p95(theirs[label])
        verdict = "ok" if ratio <= DATASETTE_RATIO else "OVER TARGET"
        print(
            f"  ours {mine} / datasette {label}: p95 {ratio:.2f}×  "
            f"[{verdict}: ≤ {DATASETTE_RATIO}×]"
        )


def _postgres(args: argparse.Namespace, tmp: Path) -> None:
    if args.pg_keep:
        # A database kept between runs: built once (1,000,000 firms take a quarter of an hour).
        url = (
            make_url(args.postgres).set(database=args.pg_keep).render_as_string(hide_password=False)
        )
        if not _has_firms(url):
            _build_postgres(url, args.pg_enterprises)
        print(f"\nPostgreSQL, database {args.pg_keep} kept between runs: search for {TERM}")
        _ours(url, args.port, args.runs)
        return
    url = scratch_url(args.postgres, tmp)
    try:
        _build_postgres(url, args.pg_enterprises)
        print(f"\nPostgreSQL, {args.pg_enterprises:,} firms: search for {TERM}")
        _ours(url, args.port, args.runs)
    finally:
        drop_scratch(url, args.postgres)


def _build_postgres(url: str, enterprises: int) -> None:
    started = time.perf_counter()
    _prepare(url, enterprises)
    _vacuum(url)  # what autovacuum does soon after a bulk write
    print(f"built {enterprises:,} firms in {time.perf_counter() - started:.0f} s")


def _has_firms(url: str) -> bool:
    """Whether the database at url exists and holds firms (created empty when missing)."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
        ).first()
        if found is None:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    if found is None:
        return False
    engine = create_engine(target)
    with engine.connect() as conn:
        held = conn.execute(text("SELECT to_regclass('enterprise') IS NOT NULL")).scalar_one()
        firms = held and conn.execute(text("SELECT count(*) FROM enterprise")).scalar_one()
    engine.dispose()
    return bool(firms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--db", default="", help="a SQLite file built before (else a scratch)")
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--postgres", default="", help="a PostgreSQL URL to measure there too")
    parser.add_argument("--pg-enterprises", type=int, default=1_000_000)
    parser.add_argument(
        "--pg-keep",
        default="",
        help="a database name beside --postgres to build once and reuse (never dropped)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        _sqlite(args, Path(tmp))
        if args.postgres:
            _postgres(args, Path(tmp))
        else:
            print("\nPostgreSQL: not measured (pass --postgres URL)")


if __name__ == "__main__":
    main()
