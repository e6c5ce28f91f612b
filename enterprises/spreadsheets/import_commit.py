"""Committing an import batch, and undoing it, in short transactions.

A list of 20,000 rows written in one transaction held SQLite's write lock for 20 s (its undo for
minutes): every other write, logins included, failed meanwhile. So the rows are checked first
in a read transaction (the check is most of the time), then the batch is claimed — marked
`committing` (or `undoing`), its version taken through core.locking, so that one request at a
time runs it — and written in chunks, each a short write transaction of its own (sized to take
about CHUNK_SECONDS, see Sizer) between which other writers take their turn (import_writes,
import_undo, which write each chunk with a few set-based statements). Each chunk
claims the batch again with the version it left, and records how far it got.

A chunk that finds a record it may not write (another park's firm now, a value changed since
the preview, see import_writes) writes nothing; the chunks before it are reverted and the
batch is pending again: nothing half-done. Should that revert itself be refused (someone changed
a record meanwhile), or the process die, the batch stays `committing`, the page says so, and
committing again resumes where it stopped (or undo reverts what was written). A run that stops
for another reason notes it on the batch, as does a claim left for STALE_AFTER.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NoReturn, cast

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import defer
from sqlmodel import Session

from core import audit, collector, locking
from core.accounts import User
from core.db import let_writers_in, refresh_statistics, utcnow
from core.errors import Conflict, DomainError, FieldErrors, PermissionDenied
from core.progress import Reporter, silent
from enterprises.cultivation.designations import Designation
from enterprises.spreadsheets import import_rows, import_undo, import_writes, undo_refusals
from enterprises.spreadsheets.import_rows import Preview
from enterprises.spreadsheets.imports import ImportBatch, ImportStatus, columns_for, get, preview

CHUNK_ROWS = 20_000  # at most this many rows per write transaction
FIRST_CHUNK = 1_000  # the first chunk's rows; the next ones are sized by time
SMALLEST_CHUNK = 500  # but never fewer rows than this on PostgreSQL (round trips per chunk)
SMALLEST_SQLITE_CHUNK = 50  # on SQLite, where a long chunk holds every other writer
CHUNK_SECONDS = 0.3  # each chunk aims to hold a write transaction (SQLite's one lock) this long
# PostgreSQL has no single write lock: a chunk holds only the rows it writes, so it may be
# longer, with fewer commits and round trips (≈ 1 s of a 20,000-row list's 8 went to them).
POSTGRES_CHUNK_SECONDS = 1.5
BEGIN_TRIES = 4  # a chunk waits up to this many busy timeouts for SQLite's write lock
PAUSE_SHARE = 0.25  # SQLite: after each chunk, while writers wait, pause for this share of its
# time, but at least
PAUSE_SECONDS = 0.1  # as long as a waiting writer's longest sleep between tries (sqlite3: 0.1 s)
STALE_AFTER = timedelta(minutes=2)  # a run that wrote nothing for this long has stopped

# A transaction that writes (True) or only reads (False), as core.db.transaction gives them.
Transactions = Callable[[bool], AbstractContextManager[Session]]


def in_one_session(session: Session) -> Transactions:
    """Steps that run one after another in one session, each in a savepoint (tests, scripts)."""

    @contextmanager
    def step(_write: bool) -> Iterator[Session]:
        with session.begin_nested():
            yield session

    return step


@dataclass(frozen=True)
class Done:
    """What a commit did: every row's fate, and where the batch now stands."""

    preview: Preview
    status: ImportStatus


def _stopped(batch: ImportBatch, status: ImportStatus) -> bool:
    """A batch left in `status` by a run that failed or no longer writes: it may be taken over."""
    if batch.status != status:
        return False
    claimed = batch.claimed_at
    if claimed is not None and claimed.tzinfo is None:  # SQLite hands back naive UTC
        claimed = claimed.replace(tzinfo=utcnow().tzinfo)
    return bool(batch.failure) or claimed is None or utcnow() - claimed > STALE_AFTER


class Sizer:
    """Chunk sizes that follow the time a chunk takes: about CHUNK_SECONDS each, whatever the
    database and the machine's load (a row of a designation list costs more than a firm's)."""

    def __init__(self, most: int) -> None:
        self.most = max(most, 1)
        self.rows = min(FIRST_CHUNK, self.most)
        self.started = 0.0

    def begin(self) -> None:
        """Note the start of a chunk's work."""
        self.started = time.monotonic()

    def end(self, rows: int, sqlite: bool) -> None:
        """Size the next chunk from how long this one's `rows` took."""
        took = max(time.monotonic() - self.started, 1e-3)
        wanted = int(rows * (CHUNK_SECONDS if sqlite else POSTGRES_CHUNK_SECONDS) / took)
        # Grow at most fourfold at a time: one fast chunk of a few rows says little. Never below
        # SMALLEST_CHUNK: on a starved machine a chunk's fixed cost (its claim, lookups, round
        # trips) would otherwise shrink the chunks to a few rows and the run to a crawl.
        floor = SMALLEST_SQLITE_CHUNK if sqlite else SMALLEST_CHUNK
        self.rows = max(min(self.most, floor), min(self.most, wanted, self.rows * 4))


def _on_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


@contextmanager
def _writing(transactions: Transactions) -> Iterator[Session]:
    """One of the run's write transactions (a chunk), then on SQLite, while writers wait for its
    one write lock, a pause (core.db.let_writers_in): they poll for it (sleeping up to 0.1 s
    between tries), and a run that took it again at once would starve them. A run that finds
    the lock taken past its own busy timeout queues again (it has written nothing) rather than
    stop."""
    for attempt in range(BEGIN_TRIES):
        with ExitStack() as stack:
            try:
                session = stack.enter_context(transactions(True))
            except OperationalError as exc:  # SQLite: no write lock within the busy timeout
                if "locked" not in str(exc) or attempt == BEGIN_TRIES - 1:
                    raise
                continue  # nothing was written: queue again rather than fail a long run
            sqlite = session.get_bind().dialect.name == "sqlite"
            started = time.monotonic()
            yield session
        if sqlite:
            took = time.monotonic() - started
            # A short hold: the waiters are still polling often; a long one: they poll every 0.1 s.
            let_writers_in(
                took if took < PAUSE_SECONDS else min(max(took * PAUSE_SHARE, PAUSE_SECONDS), 0.5)
            )
        return


def _claim(session: Session, batch_id: int, version: int) -> ImportBatch:
    # Not the file nor the kept preview (megabytes): each chunk claims the batch again.
    unread = [defer(cast(Any, ImportBatch.content)), defer(cast(Any, ImportBatch.checked))]
    batch = session.get(ImportBatch, batch_id, options=unread)
    if batch is None:
        raise Conflict(f"导入批次 #{batch_id} 已被删除")
    try:
        locking.claim(session, batch, version, label=f"导入批次 #{batch_id}")
    except Conflict as exc:
        raise Conflict(f"导入批次 #{batch_id} 正由另一请求提交或撤销，请稍后刷新查看") from exc
    return batch


def _mark(
    transactions: Transactions, batch_id: int, version: int, status: ImportStatus, failure: str
) -> int:
    """Set a claimed batch's status and note; return its version after."""
    with _writing(transactions) as session:
        batch = _claim(session, batch_id, version)
        batch.status, batch.failure, batch.claimed_at = status, failure[:1000], utcnow()
        session.flush()
        return batch.version


@collector.paused()
def commit(
    *,
    transactions: Transactions,
    actor: User,
    batch_id: int,
    mapping: dict[int, str | None] | None = None,
    progress: Reporter | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Done:
    """Apply every row of the batch, or nothing if any row has an error; say what was done.

    The rows a clean preview kept are used when nothing they depend on has changed since.
    """
    report = progress or silent
    with transactions(False) as session:
        batch = get(session=session, batch_id=batch_id, actor=actor)
        resuming = _stopped(batch, ImportStatus.committing) and batch.checked is not None
        if batch.status == ImportStatus.committing and not resuming:
            raise Conflict(f"导入批次 #{batch_id} 正在导入（已写入 {batch.rows_done} 行），请稍候")
        if batch.status != ImportStatus.pending and not resuming:
            raise Conflict("该批次已经提交过，不能重复导入")
        packed: bytes | None = None
        if resuming:
            assert batch.checked is not None
            result, start = import_rows.unpack(batch.checked), batch.rows_done
        else:
            start = 0
            # The kept preview's own bytes are stored again below: a preview made meanwhile
            # may have replaced them, and a resumed run must write what this one writes.
            kept = _kept(session, batch, mapping)
            packed = batch.checked if kept is not None else None
            result = kept or preview(
                session=session, batch=batch, actor=actor, mapping=mapping, progress=progress
            )
        if result.errors:
            listed = "；".join(result.errors[:5])
            more = f"等 {len(result.errors)} 处" if len(result.errors) > 5 else ""
            raise FieldErrors({"file": f"有错误，未导入任何数据：{listed}{more}"})
        if not resuming and packed is None:
            packed = import_rows.pack(result)
        version, filename = batch.version, batch.filename
    with _writing(transactions) as session:
        batch = _claim(session, batch_id, version)
        batch.status, batch.failure, batch.claimed_at = ImportStatus.committing, "", utcnow()
        if not resuming:
            batch.mapping = {str(i): f or "" for i, _, f in result.columns}
            batch.checked, batch.checked_key = packed, ""
            batch.rows_done = batch.created_count = batch.updated_count = 0
            batch.unchanged_count = batch.recognised_count = 0
        session.flush()
        version = batch.version
    rows = result.rows
    sizer, begin = Sizer(chunk_rows), start
    try:
        while begin < len(rows):
            report("写入数据库", begin, len(rows))
            with _writing(transactions) as session:
                sizer.begin()
                batch = _claim(session, batch_id, version)
                designation = (
                    session.get(Designation, batch.designation_id) if batch.designation_id else None
                )
                part = rows[begin : begin + sizer.rows]
                chunk = import_writes.Chunk(batch_id, filename, part, designation, batch.stage)
                counts = import_writes.write(session, actor, chunk)
                begin += len(part)
                batch.rows_done = begin
                batch.created_count += counts.created
                batch.updated_count += counts.updated
                batch.unchanged_count += counts.same
                batch.recognised_count += counts.recognised
                batch.claimed_at = utcnow()
                session.flush()
                version = batch.version
                sizer.end(len(part), _on_sqlite(session))
    except (Conflict, PermissionDenied) as exc:
        _abandon(transactions, actor, batch_id, version, exc)
    except BaseException as exc:
        _mark(transactions, batch_id, version, ImportStatus.committing, f"导入中断：{exc!r}")
        raise
    report("记录导入批次", len(rows), len(rows))
    with _writing(transactions) as session:
        batch = _claim(session, batch_id, version)
        batch.status, batch.committed_at = ImportStatus.committed, utcnow()
        batch.checked, batch.checked_key, batch.failure = None, "", ""
        batch.rows_total = len(rows)
        if batch.created_count:
            refresh_statistics(session, "enterprise")
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="import",
            obj=batch,
            label=batch.filename,
            after={
                "sha256": batch.sha256,
                "rows": batch.rows_total,
                "created": batch.created_count,
                "updated": batch.updated_count,
                "unchanged": batch.unchanged_count,
                "recognised": batch.recognised_count,
            },
        )
    return Done(result, ImportStatus.committed)


def _abandon(
    transactions: Transactions,
    actor: User,
    batch_id: int,
    version: int,
    cause: Conflict | PermissionDenied,
) -> NoReturn:
    """Revert the chunks a refused commit wrote, make the batch pending again, and refuse."""
    try:
        version = _revert_all(transactions, actor, batch_id, version, CHUNK_ROWS)
    except DomainError as exc:
        note = f"导入因“{cause}”停止，已写入的部分未能撤回：{exc}。可继续导入或整批撤销"
        _mark(transactions, batch_id, version, ImportStatus.committing, note)
        raise Conflict(note) from cause
    with _writing(transactions) as session:
        batch = _claim(session, batch_id, version)
        batch.status, batch.failure, batch.claimed_at = ImportStatus.pending, "", None
        batch.rows_done = batch.created_count = batch.updated_count = 0
        batch.unchanged_count = batch.recognised_count = 0
        batch.checked = None
    raise type(cause)(f"{cause}（未导入任何数据）") from cause


def _revert_all(
    transactions: Transactions, actor: User, batch_id: int, version: int, chunk_rows: int
) -> int:
    """Revert a claimed batch's records chunk by chunk; return the batch's version after."""
    sizer = Sizer(chunk_rows)
    while True:
        with _writing(transactions) as session:
            sizer.begin()
            batch = _claim(session, batch_id, version)
            done = import_undo.revert(session, actor, batch, sizer.rows)
            batch.rows_done = max(batch.rows_done - done, 0)
            batch.claimed_at = utcnow()
            session.flush()
            version = batch.version
            sizer.end(max(done, 1), _on_sqlite(session))
        if not done:
            return version


def _kept(
    session: Session, batch: ImportBatch, mapping: dict[int, str | None] | None
) -> Preview | None:
    """The preview kept on the batch, if nothing it depends on has changed since."""
    if batch.checked is None:
        return None
    designation = session.get(Designation, batch.designation_id) if batch.designation_id else None
    if batch.checked_key != import_rows.key(session, designation):
        return None
    kept = import_rows.unpack(batch.checked)
    headers = [header for _, header, _ in kept.columns]
    return kept if columns_for(headers, mapping, batch) == kept.columns else None


@collector.paused()
def undo(
    *,
    transactions: Transactions,
    actor: User,
    batch_id: int,
    progress: Reporter | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> ImportStatus:
    """Reverse a committed batch as a whole — or refuse, naming what changed since."""
    report = progress or silent
    with transactions(False) as session:
        batch = get(session=session, batch_id=batch_id, actor=actor)
        takeover = _stopped(batch, ImportStatus.undoing) or _stopped(batch, ImportStatus.committing)
        if batch.status in (ImportStatus.undoing, ImportStatus.committing) and not takeover:
            raise Conflict(f"导入批次 #{batch_id} 正在导入或撤销，请稍候")
        if batch.status != ImportStatus.committed and not takeover:
            raise Conflict("只能撤销已提交的导入批次")
        report("检查之后的改动", 0, 0)
        refusal = undo_refusals.refusal_message(*undo_refusals.refusals(session, actor, batch))
        if refusal is not None:
            raise refusal
        version, total = batch.version, batch.rows_total or batch.rows_done
    version = _mark(transactions, batch_id, version, ImportStatus.undoing, "")
    try:
        version = _revert_all(transactions, actor, batch_id, version, chunk_rows)
    except DomainError as exc:
        _mark(transactions, batch_id, version, ImportStatus.undoing, f"撤销中断：{exc}")
        raise
    except BaseException as exc:
        _mark(transactions, batch_id, version, ImportStatus.undoing, f"撤销中断：{exc!r}")
        raise
    report("撤销完成", total, total)
    with _writing(transactions) as session:
        batch = _claim(session, batch_id, version)
        batch.status, batch.undone_at, batch.failure = ImportStatus.undone, utcnow(), ""
        batch.checked = None
        session.flush()
        audit.record(
            session=session,
            actor=actor,
            action="undo_import",
            obj=batch,
            label=batch.filename,
            before={"status": "committed"},
            after={"status": "undone"},
        )
    return ImportStatus.undone
