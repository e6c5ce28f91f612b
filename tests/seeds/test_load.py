import shutil
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from chainmaps import figures as chain_figures
from chains import service as chain_service
from core.audit import AuditEntry
from enterprises.registry.models import Enterprise, Origin
from seeds import load


def _audit_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry)).one()


def test_second_load_changes_nothing(session: Session) -> None:
    before = _audit_count(session)
    load.load_all(session=session)
    assert _audit_count(session) == before


def test_edited_file_updates_in_place(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    shutil.copytree(load.DATA, data)
    path = data / "chains" / "10-hydrogen.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: 储氢,", "name: 储氢与储运,"),
        encoding="utf-8",
    )
    monkeypatch.setattr(load, "DATA", data)
    hydrogen = chain_service.get_by_code(session=session, code="hydrogen")
    count = len(chain_service.segments_of(session=session, chain_id=hydrogen.id))
    load.load_all(session=session)
    names = [s.name for s in chain_service.segments_of(session=session, chain_id=hydrogen.id)]
    assert "储氢与储运" in names and "储氢" not in names
    assert len(names) == count


def test_firms_named_by_the_plan_are_attached(session: Session) -> None:
    named = session.exec(select(Enterprise).where(Enterprise.origin == Origin.plan)).all()
    names = {e.name for e in named}
    assert {
        "美的",
        "一汽大众",
        "先进能源科学与技术广东省实验室佛山分中心（仙湖实验室）",
        "联动科技",
        "海天调味",
    } <= names
    midea = next(e for e in named if e.name == "美的")
    views = chain_figures.detail(session=session, code="smart-appliances")
    assert sum(s.enterprise_count for s in views.segments) >= 4
    assert midea.park_id is not None


def test_audit_names_rows_with_composite_keys(session: Session) -> None:
    entry = session.exec(
        select(AuditEntry).where(AuditEntry.object_type == "chain_unit").limit(1)
    ).one()
    chain_id, unit_id = (int(part) for part in entry.object_id.split(","))
    assert chain_id > 0 and unit_id > 0
