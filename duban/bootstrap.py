"""Wire the app: every entry point (CLI, Prefect flow runs, tests) gets its runtime from here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from db import make_engine, session_factory, upgrade
from db.sealed import seal_with
from duban.settings import Settings
from flows.runtime import Runtime
from notifications.channels import Channel, FileOutbox
from notifications.dispatch import MessageConfig
from notifications.links import Links
from reporting.workdays import WorkCalendar


def open_database(settings: Settings) -> sessionmaker[Session]:
    """Return a session factory on the configured database, its schema upgraded to head."""
    seal_with(settings.secret())  # the 通讯录's robot secrets are stored sealed with it
    engine = make_engine(settings.db_url())
    upgrade(engine)
    return session_factory(engine)


def make_channel(settings: Settings, sessions: sessionmaker[Session]) -> Channel:
    """The contacts' channels (plus the Apprise configuration's) when contacts can be reached
    (an SMTP server, a DingTalk app, a group robot) or an Apprise configuration is given;
    else the file outbox under var/."""
    from notifications.contact_channels import robots_kept

    contacts = settings.smtp_url or settings.dingtalk_app_key or robots_kept(sessions)
    if contacts:
        return contact_channel(settings, sessions)
    if settings.apprise_config is not None:
        from notifications.delivery import AppriseChannel
        from notifications.pacing import Pacer

        return AppriseChannel.from_config(
            settings.apprise_config,
            Pacer(sessions),
            lambda: dt.datetime.now(dt.UTC),
            smtp_timeout=settings.smtp_timeout,
        )
    return FileOutbox(settings.var_dir / "outbox")


def contact_channel(settings: Settings, sessions: sessionmaker[Session]) -> Channel:
    """The channel of the contacts, the SMTP and DingTalk settings and the Apprise file."""
    from notifications.contact_channels import ContactChannel, SmtpSettings
    from notifications.delivery import AppriseChannel
    from notifications.dingtalk_work import DingTalkWorkNotifier
    from notifications.pacing import Pacer

    def clock() -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    config = None
    if settings.apprise_config is not None:
        config = AppriseChannel.from_config(settings.apprise_config).apprise
    smtp = None
    if settings.smtp_url:
        smtp = SmtpSettings.parse(
            settings.smtp_url, settings.smtp_password(), settings.office_email
        )
    work = None
    if settings.dingtalk_app_key:
        secret, agent = settings.dingtalk_app_secret(), settings.dingtalk_agent_id
        if not secret or not agent:
            raise ValueError(
                "DUBAN_DINGTALK_APP_KEY 已设置：还需 DUBAN_DINGTALK_APP_SECRET_FILE 与 DUBAN_DINGTALK_AGENT_ID"
            )
        work = DingTalkWorkNotifier(
            settings.dingtalk_base_url, settings.dingtalk_app_key, secret, agent, clock=clock
        )
    return ContactChannel(
        sessions, config, smtp, work, Pacer(sessions), clock, smtp_timeout=settings.smtp_timeout
    )


def parse_hours(text: str) -> tuple[int, int] | None:
    """ "8-20" → (8, 20); "always" → None: send at any hour on any day (tests, urgent sites)."""
    if text.strip().lower() == "always":
        return None
    try:
        start, end = (int(x) for x in text.split("-"))
    except ValueError:
        raise ValueError(
            f"DUBAN_SEND_HOURS={text!r}: write START-END in whole hours, e.g. 8-20"
        ) from None
    if not 0 <= start < end <= 24:
        raise ValueError(f"DUBAN_SEND_HOURS={text!r}: need 0 <= START < END <= 24")
    return start, end


def runtime_for(var_dir: Path | None = None) -> Runtime:
    """The runtime factory for flow runs (`flows.runtime`): the settings of the environment,
    with the var folder the deployment names."""
    return build_runtime(Settings(var_dir=var_dir) if var_dir else Settings())


def build_runtime(settings: Settings | None = None) -> Runtime:
    settings = settings or Settings()
    sessions = open_database(settings)
    return Runtime(
        sessions=sessions,
        var_dir=settings.var_dir,
        calendar=WorkCalendar.from_file(settings.calendar_path()),
        channel=make_channel(settings, sessions),
        messages=MessageConfig(
            programme=settings.programme,
            office_name=settings.office_name,
            office_email=settings.office_email,
            contact_name=settings.office_contact,
            contact_phone=settings.office_phone,
            mail_domain=settings.mail_domain,
            lease_seconds=settings.outbox_lease_seconds,
        ),
        send_hours=parse_hours(settings.send_hours),
        caldav_url=settings.caldav_url,
        links=Links(settings.secret(), settings.portal_url, settings.portal_grace_days),
    )


def build_portal(settings: Settings) -> Any:
    """The portal's ASGI app on the configured database and links."""
    from duban.portal.app import create_app

    return create_app(
        build_runtime(settings),
        settings.secret(),
        max_upload_bytes=settings.max_upload_bytes,
        trusted_proxies=settings.trusted_proxies,
        catalog_dir=settings.catalog_path(),
    )
