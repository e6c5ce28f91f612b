"""Recompute cached figures in the background once a request has changed the registry.

A large chain's figures take tens of milliseconds (tests/benchmarks/chain_map.py), the targets'
standings and trends far longer (tests/benchmarks/dashboard.py); doing it right after the write
that invalidated them keeps that cost off the next reader.
"""

import threading

from sqlalchemy import Engine
from sqlmodel import Session

from chains import service as chain_service
from enterprises import dashboard, tallies


class Warmer:
    """One background thread at a time; requests that arrive while it runs are coalesced."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._pending = False
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self._idle.set()

    def request(self) -> None:
        """Ask for a recomputation after the current (committed) state of the registry."""
        with self._lock:
            self._pending = True
            self._idle.clear()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, daemon=True, name="warmer")
                self._thread.start()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no recomputation is pending (for benchmarks and shutdown)."""
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._thread = None
                    self._idle.set()
                    return
                self._pending = False
            with Session(self._engine) as session:
                tallies.warm(session=session)  # the quickest first: others wait least
                chain_service.warm(session=session)
                dashboard.warm(session=session)
