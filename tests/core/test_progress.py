import uuid

from sqlalchemy import Engine, delete
from sqlmodel import Session

from core import progress
from core.progress import RequestProgress


def test_progress_reported_by_one_request_is_read_by_another_session(engine: Engine) -> None:
    key = uuid.uuid4().hex
    progress.report(engine, key, 7, "逐行校验", 0, 100_000)
    progress.report(engine, key, 7, "逐行校验", 40_000, 100_000)
    try:
        # Another session stands for another worker process (on PostgreSQL a row is shared).
        with Session(engine) as other:
            found = progress.get(other, key, 7)
            assert found is not None and (found.stage, found.done, found.total) == (
                "逐行校验",
                40_000,
                100_000,
            )
            assert progress.get(other, key, 8) is None  # a key belongs to its user
            assert progress.get(other, "no-such-key", 7) is None
    finally:
        with engine.begin() as conn:
            conn.execute(delete(RequestProgress).where(RequestProgress.key == key))  # type: ignore[arg-type]
