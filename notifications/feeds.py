"""Calendar feeds: one .ics per unit listing its open deadlines (var/feeds/<unit id>.ics), and
optional publishing of the same events to a CalDAV calendar (DUBAN_CALDAV_URL)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import requests

from notifications.dispatch import MessageConfig, event_for
from notifications.invites import calendar_of


def write_feeds(
    directory: Path,
    items_by_unit: Mapping[str, Sequence[Mapping[str, Any]]],
    units: list[str],
    config: MessageConfig,
    now: dt.datetime,
) -> int:
    """Write a feed for each of `units` (an empty calendar when it has nothing open, so a
    subscribed calendar clears); return how many files were written."""
    directory.mkdir(parents=True, exist_ok=True)
    for unit in units:
        events = [event_for(item, config, now) for item in items_by_unit.get(unit, [])]
        path = directory / f"{unit}.ics"
        tmp = path.with_suffix(".ics.tmp")
        tmp.write_bytes(calendar_of(events, None))  # a feed carries no METHOD (RFC 5545, not iTIP)
        tmp.replace(path)
    return len(units)


class Marks:
    """What was last written for each feed and CalDAV event (`reporting.reminders.deadline_marks`),
    kept beside the feeds, so a tick rewrites only what changed."""

    def __init__(self, path: Path):
        self.path = path
        raw = json.loads(path.read_text()) if path.exists() else {}
        self.units: dict[str, str] = raw.get("units", {})
        self.events: dict[str, str] = raw.get("events", {})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"units": self.units, "events": self.events}, sort_keys=True))
        tmp.replace(self.path)


def unit_mark(deadlines: dict[str, str]) -> str:
    return json.dumps(sorted(deadlines.items()), ensure_ascii=False)


def changed_units(marks: dict[str, dict[str, str]], known: Marks, directory: Path) -> list[str]:
    """Units whose feed must be rewritten: their open deadlines changed, or the file is gone."""
    return sorted(
        unit
        for unit, deadlines in marks.items()
        if known.units.get(unit) != unit_mark(deadlines) or not (directory / f"{unit}.ics").exists()
    )


class CalDavError(Exception):
    pass


def _safe(url: str) -> str:
    return re.sub(r"//[^/@]+@", "//****@", url)


def resource_name(code: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]", "_", code) + ".ics"


def publish_caldav(
    url: str,
    items: Sequence[Mapping[str, Any]],
    gone: list[str],
    config: MessageConfig,
    now: dt.datetime,
    timeout: float = 10,
) -> tuple[int, int]:
    """PUT each of `items` (new or changed open deadlines) as its own resource in the calendar
    collection at `url` and DELETE the resources `gone` (closed); return (put, deleted)."""
    base = url.rstrip("/") + "/"
    put = deleted = 0
    try:
        for item in items:
            name = resource_name(item["code"])
            r = requests.put(
                base + name,
                data=calendar_of([event_for(item, config, now)], None),
                headers={"Content-Type": "text/calendar; charset=utf-8"},
                timeout=timeout,
            )
            if r.status_code not in (200, 201, 204):
                raise CalDavError(f"PUT {_safe(base)}{name}: HTTP {r.status_code}")
            put += 1
        for name in gone:
            r = requests.delete(base + name, timeout=timeout)
            if r.status_code not in (200, 204, 404):
                raise CalDavError(f"DELETE {_safe(base)}{name}: HTTP {r.status_code}")
            deleted += 1
    except requests.RequestException as exc:
        raise CalDavError(
            f"CalDAV server {_safe(base)} unreachable: {type(exc).__name__}"
        ) from None
    return put, deleted
