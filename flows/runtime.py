"""What a flow needs to run, built once by the entry point (duban.bootstrap)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from notifications.channels import Channel
from notifications.dispatch import MessageConfig
from notifications.links import Links
from reporting.workdays import WorkCalendar


@dataclass
class Runtime:
    sessions: sessionmaker[Session]
    var_dir: Path
    calendar: WorkCalendar
    channel: Channel
    messages: MessageConfig
    send_hours: tuple[int, int] | None = (8, 20)  # Shanghai hours on working days; None: any time
    caldav_url: str | None = None  # publish open deadlines to this CalDAV calendar collection
    links: Links | None = None  # personal portal links in messages

    @property
    def inbox(self) -> Path:
        return self.var_dir / "inbox"

    @property
    def reports(self) -> Path:
        return self.var_dir / "reports"

    @property
    def feeds(self) -> Path:
        return self.var_dir / "feeds"
