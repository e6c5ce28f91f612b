"""A load test on loopback: simulated users with a mix of reads and writes against a served app.

Each user is an asyncio task with its own API token that, for the duration, picks an action by
weight, sends it, waits a think time and goes again. Used by tests/benchmarks/scale.py; alone:
`python -m tests.benchmarks.load --url http://127.0.0.1:8000 --database URL`.
"""

import argparse
import asyncio
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from sqlmodel import Session, col, select

from core.accounts import User, get_user_by_username, issue_token
from core.db import china_today, make_engine
from enterprises.projects.leads import Lead
from enterprises.registry.models import Enterprise, Origin

CHAINS = ["robotics", "smart-equipment", "smart-appliances", "automotive", "hydrogen"]
WORDS = ["精密", "智能", "机器人", "电器", "新材料", "汽车"]


@dataclass
class Actor:
    """One simulated user: whose token, and what it may touch."""

    headers: dict[str, str]
    role: str
    leads: list[int] = field(default_factory=list)


@dataclass
class Outcome:
    """Every request's latency by action, and the failures."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, action: str, ms: float, ok: bool, detail: str) -> None:
        self.latencies.setdefault(action, []).append(ms)
        if not ok:
            self.errors[f"{action}: {detail}"] += 1


def actors(database_url: str, count: int) -> tuple[list[Actor], list[int]]:
    """Tokens for `count` users (admins, leaders, park bureau, promotion staff), and firm ids."""
    engine = make_engine(database_url)
    people: list[tuple[User, str]] = []
    with Session(engine) as session:
        for name, role in (("admin", "admin"), ("leader", "leader"), ("shunde", "park")):
            user = get_user_by_username(session=session, username=name)
            assert user is not None, f"demo user {name} missing: run chainplan demo"
            people.append((user, role))
        staff = list(session.exec(select(User).where(col(User.username).like("promoter-v%"))))
        firms = [
            i
            for (i,) in session.execute(
                select(Enterprise.id).where(Enterprise.origin == Origin.demo).limit(20_000)
            )
        ]
        result = []
        for n in range(count):
            user, role = people[n % 3] if n % 5 == 0 else (staff[n % len(staff)], "promotion")
            token = issue_token(session=session, user=user, lifetime=timedelta(hours=2))
            own = (
                [
                    i
                    for (i,) in session.execute(
                        select(Lead.id).where(Lead.owner_id == user.id).limit(200)
                    )
                ]
                if role == "promotion"
                else []
            )
            result.append(Actor({"Authorization": f"Bearer {token}"}, role, own))
        session.commit()
    engine.dispose()
    return result, firms


def _request(
    rng: random.Random, actor: Actor, firms: list[int]
) -> tuple[str, str, str, dict[str, object] | None]:
    """(action, method, path, JSON body) of the actor's next step."""
    reads = [
        ("enterprise search", "GET", f"/enterprises?q={rng.choice(WORDS)}"),
        ("enterprise list filtered", "GET", f"/enterprises?chain={rng.choice(CHAINS)}&size=above"),
        ("enterprise page", "GET", f"/enterprises/{rng.choice(firms)}"),
        ("chain map page", "GET", f"/chains/{rng.choice(CHAINS)}"),
        ("chain gaps API", "GET", f"/api/v1/chains/{rng.choice(CHAINS)}/gaps"),
    ]
    by_role = {
        "promotion": [("lead board", "GET", "/leads/board"), ("lead list", "GET", "/leads")],
        "admin": [("dashboard", "GET", "/dashboard"), ("targets", "GET", "/targets")],
        "leader": [("dashboard", "GET", "/dashboard"), ("evaluation", "GET", "/leads/evaluation")],
        "park": [("park work page", "GET", "/cultivation"), ("park page", "GET", "/parks/shunde")],
    }
    if actor.role == "promotion" and actor.leads and rng.random() < 0.15:
        lead = rng.choice(actor.leads)
        body: dict[str, object] = {
            "kind": "call",
            "on": china_today().isoformat(),
            "notes": "负载测试跟进",
        }
        return "log a follow-up (write)", "POST", f"/api/v1/leads/{lead}/followups", body
    if actor.role == "admin" and rng.random() < 0.3:
        return "edit a firm (write)", "PUT", f"/api/v1/enterprises/{rng.choice(firms)}", None
    action, method, path = rng.choice(reads + by_role[actor.role] * 2)
    return action, method, path, None


async def _user(
    client: httpx.AsyncClient,
    actor: Actor,
    firms: list[int],
    until: float,
    think: float,
    seed: int,
    outcome: Outcome,
) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, think))  # users do not all start at once
    while time.monotonic() < until:
        action, method, path, body = _request(rng, actor, firms)
        started = time.perf_counter()
        try:
            if method == "PUT":  # an edit reads the firm first, for its version
                current = await client.get(path, headers=actor.headers)
                data = current.json()
                data["employees"] = (data.get("employees") or 0) + 1
                if rng.random() < 0.2:  # now and then an edit that changes the chain figures
                    data["above_size"] = not data.get("above_size")
                response = await client.put(path, json=data, headers=actor.headers)
            else:
                response = await client.request(method, path, json=body, headers=actor.headers)
            ok, detail = response.status_code < 400, str(response.status_code)
        except httpx.HTTPError as exc:
            ok, detail = False, type(exc).__name__
        outcome.add(action, (time.perf_counter() - started) * 1000, ok, detail)
        await asyncio.sleep(rng.expovariate(1 / think))


async def run(
    base_url: str, people: list[Actor], firms: list[int], seconds: float, think: float
) -> Outcome:
    """Let every actor work for `seconds`; return what happened."""
    outcome = Outcome()
    limits = httpx.Limits(max_connections=len(people))
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        until = time.monotonic() + seconds
        await asyncio.gather(
            *(_user(client, a, firms, until, think, n, outcome) for n, a in enumerate(people))
        )
    return outcome


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


def report(outcome: Outcome, seconds: float) -> None:
    """Print requests, errors and latency by action and overall."""
    every = [ms for values in outcome.latencies.values() for ms in values]
    errors = sum(outcome.errors.values())
    print(
        f"load: {len(every):,} requests in {seconds:.0f} s ({len(every) / seconds:.0f}/s), "
        f"{errors} errors, p50 {statistics.median(every):.0f} ms, "
        f"p95 {percentile(every, 0.95):.0f} ms  [target: 0 errors, p95 ≤ 300 ms]"
    )
    for action, values in sorted(outcome.latencies.items()):
        print(
            f"  {action:<28} {len(values):>6}  p50 {statistics.median(values):6.0f} ms  "
            f"p95 {percentile(values, 0.95):6.0f} ms"
        )
    for error, count in outcome.errors.most_common(10):
        print(f"  error {error} × {count}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="where the app is served")
    parser.add_argument("--database", required=True, help="its database (for tokens and ids)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between steps")
    args = parser.parse_args()
    people, firms = actors(args.database, args.users)
    outcome = asyncio.run(run(args.url, people, firms, args.seconds, args.think))
    report(outcome, args.seconds)


if __name__ == "__main__":
    main()
