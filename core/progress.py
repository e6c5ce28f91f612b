"""How far a long request has got (an import of 100,000 rows), for the page that waits on it.

The waiting page makes up a random key, sends it with the form and polls for it; the request
reports under that key as it goes. Kept in memory: progress is only a courtesy, and a key
belongs to the user who started it.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

KEEP_SECONDS = 600
Reporter = Callable[[str, int, int], None]  # (stage, done, total)


def silent(stage: str, done: int, total: int) -> None:
    """A reporter for callers that do not watch."""


@dataclass(frozen=True)
class Progress:
    """One long request's stage and count."""

    user_id: int
    stage: str
    done: int
    total: int
    at: float


_RUNNING: dict[str, Progress] = {}
_LOCK = Lock()


def report(key: str, user_id: int, stage: str, done: int, total: int) -> None:
    """Record how far the request under `key` has got."""
    if not key:
        return
    now = time.monotonic()
    with _LOCK:
        _RUNNING[key[:64]] = Progress(user_id, stage, done, total, now)
        for stale in [k for k, p in _RUNNING.items() if now - p.at > KEEP_SECONDS]:
            del _RUNNING[stale]


def get(key: str, user_id: int) -> Progress | None:
    """The progress under `key`, if it belongs to this user."""
    with _LOCK:
        found = _RUNNING.get(key[:64])
    return found if found is not None and found.user_id == user_id else None
