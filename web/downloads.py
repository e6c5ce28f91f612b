"""Tables sent as .xlsx or .csv downloads with a Chinese file name."""

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from sqlmodel import Session

from core import audit
from core.accounts import User
from core.errors import NotFound
from core.spreadsheet import CSV_TYPE, XLSX_TYPE, write_csv, write_xlsx


def attachment(filename: str) -> str:
    """Return a Content-Disposition value that carries a UTF-8 file name."""
    return f"attachment; filename*=UTF-8''{quote(filename)}"


def table_download(
    fmt: str,
    name: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int],
    *,
    session: Session,
    actor: User,
) -> Response:
    """Return the table as `name`.xlsx or `name`.csv; the download goes to the audit log."""
    rows = list(rows)
    audit.record_export(session=session, actor=actor, filename=f"{name}.{fmt}", rows=len(rows))
    if fmt == "xlsx":
        body, media = write_xlsx(name, headers, rows, widths), XLSX_TYPE
    elif fmt == "csv":
        body, media = write_csv(headers, rows), CSV_TYPE
    else:
        raise NotFound(f"不支持的导出格式“{fmt}”，可选 xlsx 或 csv")
    return Response(
        body, media_type=media, headers={"Content-Disposition": attachment(f"{name}.{fmt}")}
    )
