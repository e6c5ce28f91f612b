"""The committed scratch database the concurrency tests of the domain share."""

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from core.db import make_engine
from tests.concurrency import WRITERS
from tests.databases import drop_scratch, seeded_scratch


@pytest.fixture(scope="module")
def shared(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = seeded_scratch(database_url, tmp_path_factory.mktemp("writes"))
    engine = make_engine(url, pool_size=WRITERS + 1)
    yield engine
    engine.dispose()
    drop_scratch(url, database_url)
