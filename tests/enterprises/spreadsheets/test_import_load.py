"""A long import beside readers and writers, small: no request fails, logins go through
(tests/benchmarks/import_load.py runs it at 20,000 rows with 16 readers and 8 writers)."""

from pathlib import Path

from tests.benchmarks import import_load
from tests.databases import drop_scratch, seeded_scratch


def test_readers_and_writers_beside_a_chunked_import_and_undo(
    database_url: str, tmp_path: Path
) -> None:
    url = seeded_scratch(database_url, tmp_path)
    try:
        figures = import_load.run(url, rows=600, readers=4, writers=2, chunk_rows=100)
    finally:
        drop_scratch(url, database_url)
    print(figures.report())
    assert figures.errors == []
    assert figures.logins >= 1 and figures.latencies["read"]
    # Each of the import's write transactions is short of the writers' 5 s busy timeout.
    assert figures.longest_write < 3
