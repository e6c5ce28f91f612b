"""Benchmark: validating and committing a large .xlsx enterprise list.

Target (issue 4): ≥ 10,000 rows/s for a 100,000-row file, printed beside the bare read speed
of the same file. Run: `python -m tests.benchmarks.imports [--rows N]`.
"""

import argparse
import io
import os
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from sqlmodel import Session

from core import migrate
from core.accounts import get_user_by_username
from core.db import make_engine
from enterprises import credit_code, import_commit, imports, tabular
from seeds import demo
from seeds.load import load_all
from tests.databases import drop_scratch, scratch_url

PARKS = ["禅城园", "南海园", "顺德园", "高明园", "三水园"]


def _file(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["2024年企业名单"])
    sheet.append(
        [
            "序号",
            "企业名称",
            "统一社会信用代码",
            "所属园区",
            "成立日期",
            "营业收入（元）",
            "从业人数",
        ]
    )
    for n in range(rows):
        code = credit_code.build("91", "440606", f"MB{n:06d}")
        sheet.append(
            [
                n + 1,
                f"佛山市基准测试{n}号有限公司",
                code,
                PARKS[n % 5],
                "2015/3/1",
                f"{n * 1000 + 5000000}",
                50,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    content = _file(args.rows)
    started = time.perf_counter()
    tabular.read("bench.xlsx", content)
    read_seconds = time.perf_counter() - started
    base = os.environ.get("CHAINPLAN_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_url(base, Path(tmp)) if base else f"sqlite:///{tmp}/bench.db"
        try:
            engine = make_engine(url)
            with engine.begin() as conn:
                migrate.upgrade(conn)
            with Session(engine) as session:
                load_all(session=session)
                demo.ensure_demo_users(session=session)
                admin = get_user_by_username(session=session, username="admin")
                assert admin is not None
                started = time.perf_counter()
                batch = imports.stage(
                    session=session,
                    actor=admin,
                    filename="bench.xlsx",
                    content=content,
                    designation_id=None,
                )
                result = imports.preview(session=session, batch=batch)
                preview_seconds = time.perf_counter() - started
                assert not result.errors, result.errors[:3]
                started = time.perf_counter()
                import_commit.commit(session=session, actor=admin, batch=batch, mapping=None)
                session.commit()
                total_seconds = preview_seconds + time.perf_counter() - started
            engine.dispose()
        finally:
            if base:
                drop_scratch(url, base)
    n = args.rows
    print(f"file: {n:,} rows, {len(content) / 2**20:.1f} MB; database: {url.split(':')[0]}")
    verdict = "ok" if n / total_seconds >= 10_000 else "BELOW TARGET"
    for label, seconds, note in (
        ("bare read of the file", read_seconds, ""),
        ("validate (preview)", preview_seconds, ""),
        ("validate + commit", total_seconds, f"  [{verdict}: ≥ 10,000 rows/s]"),
    ):
        print(f"{label:<28} {n / seconds:>10,.0f} rows/s  ({seconds:.1f} s){note}")


if __name__ == "__main__":
    main()
