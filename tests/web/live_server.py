"""The app served by a real uvicorn process, as `chainplan serve` runs it, for tests that must
see what a deployment does (its own process, transactions, middleware and error handling)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(database_url: str, log: Path, timeout: float = 120) -> Iterator[str]:
    """Serve the app on a free loopback port against database_url; yield its base URL.

    The server's output goes to `log` (tracebacks of failed requests included).
    """
    port = free_port()
    env = os.environ | {
        "CHAINPLAN_DATABASE_URL": database_url,
        "CHAINPLAN_SECRET_KEY": "live-server-" + "k" * 40,
        "CHAINPLAN_ENV": "development",
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "web.app:app_from_env",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            _wait_until_up(base, process, timeout)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_up(base: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            httpx.get(base + "/login", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout} s")
