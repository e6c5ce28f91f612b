"""Backing up and restoring the whole database.

SQLite is copied with its online backup API: a consistent copy taken while the application
keeps running. PostgreSQL is dumped with pg_dump in its custom format and restored with
pg_restore in one transaction, so a failed restore leaves the database as it was. Restoring
replaces everything: stop the application first.
"""

import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from core.errors import DomainError


class BackupFailed(DomainError):
    """pg_dump or pg_restore reported an error."""


def default_path(url: str, folder: Path) -> Path:
    """backups/chainplan-20261127-0630.db (SQLite) or .dump (PostgreSQL)."""
    suffix = "db" if make_url(url).get_backend_name() == "sqlite" else "dump"
    return folder / f"chainplan-{datetime.now():%Y%m%d-%H%M%S}.{suffix}"


def backup(url: str, target: Path) -> Path:
    """Write a consistent copy of the database to target and return it."""
    parsed = make_url(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_copy(_sqlite_file(parsed), target)
    else:
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(parsed)])
    return target


def restore(url: str, source: Path) -> None:
    """Replace the database's content with a backup made by backup()."""
    if not source.is_file():
        raise DomainError(f"备份文件 {source} 不存在")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _sqlite_copy(source, Path(_sqlite_file(parsed)))
    else:
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq(parsed)}",
                str(source),
            ]
        )


def _sqlite_file(url: URL) -> str:
    if not url.database or url.database == ":memory:":
        raise DomainError("内存数据库无法备份")
    return url.database


def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupFailed(f"{command[0]} 失败：{done.stderr.strip()[:500]}")
