from pathlib import Path

import pytest

from core import settings as settings_module
from core.settings import InsecureSettings, Settings


def test_production_refuses_a_missing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHAINPLAN_SECRET_KEY", raising=False)
    with pytest.raises(InsecureSettings):
        Settings(env="production")


def test_development_secret_is_generated_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHAINPLAN_SECRET_KEY", raising=False)
    monkeypatch.setattr(settings_module, "SECRET_FILE", tmp_path / ".chainplan-secret")
    first = Settings().secret_key
    assert len(first) >= 40
    assert Settings().secret_key == first
    assert (tmp_path / ".chainplan-secret").stat().st_mode & 0o077 == 0


def test_database_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAINPLAN_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("CHAINPLAN_SECRET_KEY", "k" * 40)
    assert Settings().database_url == "sqlite:///elsewhere.db"


def test_every_setting_is_documented() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, name
        assert f"CHAINPLAN_{name.upper()}" in readme, name
