"""One settings object, read from the environment (DUBAN_*); secrets also from *_FILE variants."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUBAN_", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str | None = None  # default: sqlite:///<var_dir>/duban.db
    catalog_dir: Path | None = None  # default: the reviewed catalog shipped in tasks_catalog/data

    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'duban.db'}"

    def catalog_path(self) -> Path:
        from tasks_catalog.paths import DATA_DIR

        return self.catalog_dir or DATA_DIR
