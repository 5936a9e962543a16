"""One settings object, read from the environment (DUBAN_*) and from the office workspace's
`duban.toml` (found in the current folder or one above it); secrets also from *_FILE variants.
An environment variable wins over the file; an argument given in code wins over both."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from duban.workspace import WorkspaceSource


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUBAN_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, WorkspaceSource(settings_cls), file_secret_settings

    workspace: Path | None = None  # the office workspace whose duban.toml was read, if any
    jurisdiction: str | None = None  # the workspace's jurisdiction (units.yaml code)

    var_dir: Path = Path("var")
    database_url: str | None = None  # default: sqlite:///<var_dir>/duban.db
    database_url_file: Path | None = None  # a file holding the URL (it carries a password)
    catalog_dir: Path | None = None  # default: the reviewed catalog shipped in tasks_catalog/data
    calendar_file: Path | None = (
        None  # office overrides of working days (YAML); default <var_dir>/calendar.yaml
    )
    programme: str = "标准强市建设"
    office_name: str = "标准强市建设领导小组办公室"
    office_email: str = "office@duban.invalid"
    office_contact: str = ""  # 联系人 every message signs with
    office_phone: str = ""  # 联系电话
    mail_domain: str = "duban.invalid"
    apprise_config: Path | None = None  # channels; none: write messages to <var_dir>/outbox/
    send_hours: str = "8-20"  # Shanghai hours on working days in which messages to units go out
    outbox_lease_seconds: int = 600
    caldav_url: str | None = None  # a CalDAV calendar collection to publish open deadlines to
    portal_url: str = "http://127.0.0.1:8000"
    portal_grace_days: int = 30  # unit links stay valid this long after the due date
    secret_key: str | None = (
        None  # signs unit links and office sessions; default <var_dir>/secret.key
    )
    secret_key_file: Path | None = None
    max_upload_bytes: int = 5 * 1024 * 1024
    trusted_proxies: str = (
        ""  # proxies whose X-Forwarded-For the sign-in believes ("127.0.0.1, 10.0.0.0/8")
    )
    portal_host: str = "127.0.0.1"  # where `duban serve` and `duban portal` listen
    portal_port: int = Field(default=8000, ge=1, le=65535)
    prefect_port: int = Field(default=4200, ge=1, le=65535)  # the local Prefect server of `serve`
    tick_cron: str = "0 9 * * *"  # the daily tick, Asia/Shanghai (non-working days do nothing)
    dispatch_every: int = Field(default=300, ge=10)  # seconds between dispatch runs
    smtp_timeout: float = Field(default=5, gt=0)  # seconds an SMTP server may stay silent
    # The office's SMTP server for mail to the contacts' addresses (password only from the file)
    smtp_url: str | None = None  # smtp://user@host:587?from=office@example.gov.cn&tls=starttls
    smtp_password_file: Path | None = None
    # The DingTalk app that sends work notifications (工作通知) to the contacts' userids
    dingtalk_base_url: str = "https://oapi.dingtalk.com"
    dingtalk_app_key: str | None = None
    dingtalk_app_secret_file: Path | None = None
    dingtalk_agent_id: str | None = None

    def secret(self) -> str:
        """The signing secret: DUBAN_SECRET_KEY, DUBAN_SECRET_KEY_FILE, or one generated once
        into <var_dir>/secret.key (readable by its owner only)."""
        if self.secret_key:
            return self.secret_key
        path = self.secret_key_file or self.var_dir / "secret.key"
        if not path.exists():
            _create_secret(path)
        return path.read_text().strip()

    def smtp_password(self) -> str | None:
        return _read_secret(self.smtp_password_file, "DUBAN_SMTP_PASSWORD_FILE")

    def dingtalk_app_secret(self) -> str | None:
        return _read_secret(self.dingtalk_app_secret_file, "DUBAN_DINGTALK_APP_SECRET_FILE")

    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.database_url_file:
            return self.database_url_file.read_text(encoding="utf-8").strip()
        return f"sqlite:///{self.var_dir / 'duban.db'}"

    def catalog_path(self) -> Path:
        from tasks_catalog.paths import DATA_DIR

        return self.catalog_dir or DATA_DIR

    def calendar_path(self) -> Path:
        return self.calendar_file or self.var_dir / "calendar.yaml"


def _read_secret(path: Path | None, name: str) -> str | None:
    """The secret in the file `path` (None when not set); ValueError names the setting."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except OSError as exc:
        raise ValueError(f"{name}：无法读取 {path}（{exc.strerror}）") from None


def _create_secret(path: Path) -> None:
    """Write a new secret to `path` unless another process got there first.

    The key is written whole to a private temporary file and then hard-linked into place,
    which either succeeds or fails because `path` exists: a dispatcher and the portal
    starting together agree on one key and never read a half-written one."""
    import os
    import secrets
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it; everyone reads that one
    finally:
        os.unlink(tmp)
