"""Settings read once from CHAINPLAN_* environment variables."""

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = Path(".chainplan-secret")


class InsecureSettings(RuntimeError):
    """Raised when production would start with a development secret."""


def development_secret(path: Path = SECRET_FILE) -> str:
    """Return the local development secret, creating it on first use."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Settings(BaseSettings):
    """Every setting of the application, with its help text."""

    model_config = SettingsConfigDict(env_prefix="CHAINPLAN_")

    env: Literal["development", "production"] = Field(
        "development", description="production refuses a generated secret key"
    )
    database_url: str = Field(
        "sqlite:///chainplan.db",
        description="SQLAlchemy URL; SQLite file in the working directory by default",
    )
    secret_key: str = Field(
        "", description="signs CSRF tokens; generated into .chainplan-secret in development"
    )
    session_idle_minutes: int = Field(30, description="a login session ends after this idle time")
    session_absolute_hours: int = Field(12, description="a login session ends after this long")
    token_hours: int = Field(12, description="lifetime of an API bearer token")
    page_size: int = Field(50, description="rows per page in lists")

    @model_validator(mode="after")
    def _secret(self) -> "Settings":
        if not self.secret_key:
            if self.env == "production":
                raise InsecureSettings(
                    "CHAINPLAN_SECRET_KEY must be set when CHAINPLAN_ENV=production"
                )
            self.secret_key = development_secret()
        return self


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
