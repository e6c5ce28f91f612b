"""The crawl: every HTML and API route of the app, as every role (and as a stranger and an
expired session), with its ids filled as the role's own, another's, nonexistent and malformed
(and, for the admin, past 2^63), through a real server process (uvicorn, on a committed
database with the permission world and a small demo world), all identities at once.

Reads are sent as GET (also with a malformed query string, and as htmx asks for fragments);
writes with an empty and with a garbage body, carrying the session's CSRF header; HEAD and
OPTIONS go to every address (admin, stranger). No answer may be a server error; every refusal
must be Chinese, in HTML for pages (a fragment for htmx) and in JSON `{"detail": …}` under
/api, with the security headers; a stranger gets nothing but the way to log in. A route whose
parameters the crawl cannot fill fails the test, so a new route is crawled from the day it is
added. About 7,100 requests a database.
"""

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from core import accounts
from core.accounts import LoginSession, Role, User
from core.db import utcnow
from core.settings import Settings
from plans.targets import Target
from seeds import demo, demo_cultivation, demo_leads
from tests.databases import drop_scratch, seeded_scratch
from tests.factories import make_user
from tests.web.live_server import live_server
from tests.web.permission_world import build_world
from web.app import create_app
from web.deps import SESSION_COOKIE

CJK = re.compile(r"[\u4e00-\u9fff]")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
HUGE = str(2**63)
MALFORMED = "x%00'\"<>"
GARBAGE_QUERY = (
    "page=-1&page=abc&q=%00%ff&as_of=2024-13-45&start=x&end=2024-02-30&min=1e999&max=-"
    "&chain=%00&park=%25&stage=%27&size=huge&format=pdf&due=x&on=1&mine=maybe&page_size=999999"
)
# A garbage body of each kind: types wrong, numbers past what any column holds, control
# characters, text past any length.
GARBAGE_JSON: dict[str, Any] = {
    "name": ["\u0000"],
    "version": "abc",
    "id": 2**70,
    "ids": "x",
    "park_id": 2**63,
    "amount": 1e308,
    "on": "2024-13-45",
    "note": "\u0001" * 5000,
}
GARBAGE_FORM = {k: str(v) for k, v in GARBAGE_JSON.items()} | {"ids": ["x", "-1"]}
# The addresses a stranger may open: logging in, and the API's description.
OPEN = {"/login", "/api/docs", "/openapi.json", "/api/v1/auth/token"}
LAST = {"/logout"}  # ends the crawler's own session: sent after everything else


def _routes() -> set[tuple[str, str]]:
    """(method, path) of every route of the app, paths as declared (with {name:int})."""
    app = create_app(Settings(database_url="sqlite://", secret_key="crawl-" + "k" * 40))
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + (route.include_context.prefix or ""))
                continue
            for method in getattr(route, "methods", None) or ():
                found.add((method, prefix + route.path))

    walk(app.routes, "")
    app.state.engine.dispose()
    return found


# Which value of the world fills each path parameter; `code` names what the path is about.
_BY_NAME = {
    "segment_id": "segment",
    "enterprise_id": "firm",
    "item_id": "dossier",
    "source_id": "link_source",
    "target_id": "link_target",
    "batch_id": "batch",
    "carrier_id": "carrier",
    "contact_id": "contact",
    "move_id": "move",
    "cultivation_id": "cultivation",
    "lead_id": "lead",
    "user_id": "bystander",
    "fmt": "fmt",
    "key": "progress_key",
    "task_id": "task",
    "entry_id": "entry",
    "plan_id": "plan",
    "prospect_id": "prospect",
    "prospect_batch_id": "prospect_batch",
    "suggestion_id": "suggestion",
    "membership_id": "membership",
}
_CODES = {
    "chains": "chain",
    "designations": "designation",
    "targets": "target",
    "parks": "park_code",
    "plans": "plan_code",
}


def _world_key(name: str, path: str) -> str | None:
    if name == "code":
        area = path.removeprefix("/api/v1").split("/")[1]
        return _CODES.get(area)
    return _BY_NAME.get(name)


@dataclass
class CrawlWorld:
    """The crawl's database: its URL, each identity's credentials, the values of ids."""

    url: str
    values: dict[str, dict[str, Any]]
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def _build(session: Session, into: CrawlWorld) -> None:
    world = build_world(session)
    demo.generate(session=session, count=60)
    demo_cultivation.generate(session=session)
    demo_leads.generate(session=session, count=20)
    bystanders = [make_user(session, Role.viewer) for _ in range(2)]
    targets = list(session.exec(select(Target.code).order_by(col(Target.id)).limit(2)))
    into.values = world.ids | {
        "designation": {"mine": "gazelle", "theirs": "high-tech"},
        "target": {"mine": targets[0], "theirs": targets[1]},
        "park_code": {"mine": "shunde", "theirs": "nanhai"},
        "plan_code": {"mine": "003", "theirs": "002"},
        "bystander": {"mine": bystanders[0].id, "theirs": bystanders[1].id},
        "fmt": {"mine": "xlsx", "theirs": "csv"},
        "progress_key": {"mine": "crawl", "theirs": "someone-else"},
    }
    identities: dict[str, User] = {role.value: user for role, user in world.users.items()}
    identities["expired"] = make_user(session, Role.admin)
    for name, user in identities.items():
        cookie, login = accounts.start_session(session=session, user=user)
        into.cookies[name], into.csrf[name] = cookie, login.csrf_token
        into.tokens[name] = accounts.issue_token(
            session=session, user=user, lifetime=timedelta(hours=2)
        )
    # The expired identity's session went idle long ago, and its token ran out.
    expired = session.get(LoginSession, login.id)
    assert expired is not None
    expired.last_seen_at = expired.created_at = utcnow() - timedelta(days=2)
    into.tokens["expired"] = accounts.issue_token(
        session=session, user=identities["expired"], lifetime=timedelta(seconds=-1)
    )


@pytest.fixture(scope="module")
def crawl_world(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CrawlWorld]:
    world = CrawlWorld("", {})
    world.url = seeded_scratch(
        database_url, tmp_path_factory.mktemp("crawl"), lambda s: _build(s, world)
    )
    yield world
    drop_scratch(world.url, database_url)


@pytest.fixture(scope="module")
def server(crawl_world: CrawlWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("crawl-log") / "server.log"
    with live_server(crawl_world.url, log) as base:
        yield base


@dataclass(frozen=True)
class Probe:
    """One request of the crawl."""

    method: str
    route: str  # as declared
    url: str
    body: str = ""  # "", "json", "form"
    htmx: bool = False

    @property
    def api(self) -> bool:
        """Answered in JSON (web.errors.is_api)."""
        return self.url.startswith("/api/") or self.url == "/openapi.json"


def _fill(route: str, variant: str, values: dict[str, dict[str, Any]]) -> str | None:
    """The route's path with every parameter filled for the variant; None if one cannot be."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        key = _world_key(name, route)
        if key is None:
            raise LookupError(name)
        if variant in ("mine", "theirs"):
            return str(values[key][variant])
        if variant == "missing":
            mine = values[key]["mine"]
            return {"fmt": "pdf"}.get(key, "999999999" if isinstance(mine, int) else "no-such")
        return HUGE if variant == "huge" else MALFORMED

    try:
        return re.sub(r"\{([^}:]+)(?::[a-z]+)?\}", one, route)
    except LookupError:
        return None


def _probes(
    routes: set[tuple[str, str]], identity: str, values: dict[str, dict[str, Any]]
) -> tuple[list[Probe], set[tuple[str, str]]]:
    """The crawl of one identity, /logout last; and the routes it could not fill."""
    probes: list[Probe] = []
    unfilled: set[tuple[str, str]] = set()
    signed_in = identity not in ("stranger", "expired")
    variants = ["mine", "theirs", "missing", "malformed"] + (
        ["huge"] if identity == "admin" else []
    )
    for method, route in sorted(routes):
        api = route.startswith("/api/")
        for variant in variants if "{" in route and signed_in else ["mine"]:
            url = _fill(route, variant, values)
            if url is None:
                unfilled.add((method, route))
                break
            probes.append(Probe(method, route, url))
            if variant != "mine":
                continue
            if method in WRITES:
                probes.append(Probe(method, route, url, body="json" if api else "form"))
            else:
                probes.append(Probe(method, route, f"{url}?{GARBAGE_QUERY}"))
                if not api:
                    probes.append(Probe(method, route, url, htmx=True))
    if identity in ("admin", "stranger"):  # methods no route has, at every address
        for url in sorted({p.url for p in probes if not p.body and "?" not in p.url}):
            probes += [Probe("HEAD", "", url), Probe("OPTIONS", "", url)]
    probes.sort(key=lambda p: p.route in LAST)
    return probes, unfilled


@dataclass
class Outcome:
    sent: int = 0
    problems: list[str] = field(default_factory=list)


def _check(identity: str, probe: Probe, response: httpx.Response) -> str | None:
    """What is wrong with an answer, if anything."""
    status = response.status_code
    text = response.text
    where = f"{identity} {probe.method} {probe.url}{' (htmx)' if probe.htmx else ''}"
    if status >= 500:
        return f"{where}: {status} {text[:300]}"
    headers = response.headers
    if "content-security-policy" not in headers or headers.get("x-content-type-options") != (
        "nosniff"
    ):
        return f"{where}: {status} without the security headers"
    if status == 405 and not headers.get("allow"):
        return f"{where}: 405 without Allow"
    stranger = identity in ("stranger", "expired")
    if stranger and probe.route not in OPEN and probe.method not in ("HEAD", "OPTIONS"):
        redirected = status == 303 and headers["location"].startswith("/login")
        if status not in (401, 404) and not redirected and not (probe.htmx and status == 204):
            return f"{where}: a stranger got {status}"
    if status < 400 or probe.method == "HEAD":
        return None
    kind = headers.get("content-type", "")
    if probe.api:
        if not kind.startswith("application/json"):
            return f"{where}: {status} as {kind}"
        detail = response.json().get("detail")
        if not isinstance(detail, str) or not CJK.search(detail):
            return f"{where}: {status} without a Chinese detail: {text[:200]}"
        return None
    if not kind.startswith("text/html") or not CJK.search(text):
        return f"{where}: {status} not a Chinese page ({kind}): {text[:200]}"
    whole = 'lang="zh-CN"' in text
    if whole == probe.htmx:
        return f"{where}: {status} {'a whole page for htmx' if whole else 'not a whole page'}"
    return None


def _send(
    client: httpx.Client, probe: Probe, headers: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    """Send a probe; once more on a new connection if the server closed the kept one (uvicorn
    closes a connection after a request that failed with a server error)."""
    try:
        return client.request(probe.method, probe.url, headers=headers, **body)
    except (httpx.ReadError, httpx.RemoteProtocolError):
        return client.request(probe.method, probe.url, headers=headers, **body)


def _crawl(base: str, world: CrawlWorld, identity: str, probes: list[Probe]) -> Outcome:
    outcome = Outcome()
    cookies = {SESSION_COOKIE: world.cookies[identity]} if identity in world.cookies else {}
    if identity == "stranger":
        cookies = {SESSION_COOKIE: "forged-or-ended-session"}
    csrf = world.csrf.get(identity, "")
    with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
        for probe in probes:
            headers = {"X-CSRF-Token": csrf}
            if probe.api and identity in world.tokens:
                headers["Authorization"] = f"Bearer {world.tokens[identity]}"
            if probe.htmx:
                headers["HX-Request"] = "true"
            body: dict[str, Any] = {}
            if probe.body == "json":
                body = {"json": GARBAGE_JSON}
            elif probe.body == "form":
                body = {"data": GARBAGE_FORM | {"csrf_token": csrf}}
            outcome.sent += 1
            try:
                response = _send(client, probe, headers, body)
            except httpx.TransportError as exc:
                outcome.problems.append(f"{identity} {probe.method} {probe.url}: {exc!r}")
                continue
            problem = _check(identity, probe, response)
            if problem:
                outcome.problems.append(problem)
    return outcome


IDENTITIES = [role.value for role in Role] + ["stranger", "expired"]


def test_every_route_as_everyone_answers_without_a_server_error(
    server: str, crawl_world: CrawlWorld
) -> None:
    routes = _routes()
    plans = {name: _probes(routes, name, crawl_world.values) for name in IDENTITIES}
    unfilled = set().union(*(missing for _, missing in plans.values()))
    assert unfilled == set(), "routes the crawl cannot fill: add their parameters to _BY_NAME"
    # All at once, as the roles work: what one writes, the others meet.
    with ThreadPoolExecutor(max_workers=len(IDENTITIES)) as pool:
        crawls = {
            name: pool.submit(_crawl, server, crawl_world, name, plans[name][0])
            for name in IDENTITIES
        }
        outcomes = {name: crawl.result() for name, crawl in crawls.items()}
    problems = [p for outcome in outcomes.values() for p in outcome.problems]
    assert problems == [], f"{len(problems)} problems, the first:\n" + "\n".join(problems[:40])
    assert sum(o.sent for o in outcomes.values()) > 20 * len(routes)
