"""One settings object, read from the environment (DUBAN_*); secrets also from *_FILE variants."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUBAN_", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str | None = None  # default: sqlite:///<var_dir>/duban.db
    catalog_dir: Path | None = None  # default: the reviewed catalog shipped in tasks_catalog/data
    calendar_file: Path | None = (
        None  # office overrides of working days (YAML); default <var_dir>/calendar.yaml
    )
    programme: str = "标准强市建设"
    office_name: str = "标准强市建设领导小组办公室"
    office_email: str = "office@duban.invalid"
    mail_domain: str = "duban.invalid"
    apprise_config: Path | None = None  # channels; none: write messages to <var_dir>/outbox/
    send_hours: str = "8-20"  # Shanghai hours on working days in which messages to units go out
    outbox_lease_seconds: int = 600
    caldav_url: str | None = None  # a CalDAV calendar collection to publish open deadlines to

    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.var_dir / 'duban.db'}"

    def catalog_path(self) -> Path:
        from tasks_catalog.paths import DATA_DIR

        return self.catalog_dir or DATA_DIR

    def calendar_path(self) -> Path:
        return self.calendar_file or self.var_dir / "calendar.yaml"
