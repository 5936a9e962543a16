"""What a flow needs to run, built once by the entry point (duban.bootstrap)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from notifications.channels import Channel
from notifications.dispatch import MessageConfig
from notifications.links import Links
from reporting.workdays import WorkCalendar

# The shell names the factory that builds a runtime, so that flows never import it: an entry
# point of the installed package (`duban.runtime`), or this variable (`module:function`).
FACTORY_ENV = "DUBAN_RUNTIME_FACTORY"
FACTORY_GROUP = "duban.runtime"


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


RuntimeFactory = Callable[[Path | None], Runtime]


def runtime_factory() -> RuntimeFactory:
    """The factory the entry point chose: DUBAN_RUNTIME_FACTORY, else the installed one."""
    spec = os.environ.get(FACTORY_ENV)
    if spec:
        module, _, name = spec.partition(":")
        factory: RuntimeFactory = getattr(importlib.import_module(module), name)
        return factory
    found = entry_points(group=FACTORY_GROUP)
    if not found:
        raise RuntimeError(
            f"no runtime factory: install the duban package or set {FACTORY_ENV}=module:function"
        )
    loaded: RuntimeFactory = next(iter(found)).load()
    return loaded


def build(var_dir: str | None = None) -> Runtime:
    """A runtime for a flow run (its var folder, when the deployment names one)."""
    return runtime_factory()(Path(var_dir) if var_dir else None)
