"""What every command shares: the two consoles, the clock read at the entry point, the
runtime, the day an `--as-of` names, JSON on stdout and the error that ends a command."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from duban.settings import Settings

if TYPE_CHECKING:
    from flows.runtime import Runtime

out = Console(soft_wrap=True)  # a line printed is never broken mid-path or mid-date
err = Console(stderr=True, soft_wrap=True)  # never wrap a path or a message mid-word
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class Format(StrEnum):
    json = "json"
    yaml = "yaml"
    table = "table"


def now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)  # the entry point reads the clock; nothing below does


def fail(message: str, code: int = 2, label: str = "错误：") -> NoReturn:
    """End the command: `label` and `message` on stderr, exit status `code`."""
    err.print(f"[red]{escape(label)}[/red]{escape(message)}", highlight=False)
    raise typer.Exit(code)


def say(message: str) -> None:
    out.print(message, highlight=False, markup=False)


def runtime(settings: Settings | None = None) -> Runtime:
    """The runtime of the configured settings; a configuration that cannot be used ends the
    command with its message (exit status 1)."""
    from duban.bootstrap import build_runtime
    from notifications.delivery import ChannelConfigError

    try:
        return build_runtime(settings)
    except (ChannelConfigError, ValueError) as exc:
        fail(str(exc), 1)


def dump_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def parse_day(value: str | None, option: str = "--as-of") -> dt.date:
    """The day `option` names; today without it."""
    if value is None:
        return now().date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} 不是日期，请写成 YYYY-MM-DD（如 2025-10-14）")


def run_at(day: dt.date) -> dt.datetime:
    """Replaying a past day happens at 09:00 of that day; today happens now."""
    from reporting.schedule import run_time

    return run_time(day, now())
