"""Calendar feeds: one .ics per unit listing its open deadlines (var/feeds/<unit id>.ics), and
optional publishing of the same events to a CalDAV calendar (DUBAN_CALDAV_URL)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import requests

from notifications.dispatch import MessageConfig, event_for
from notifications.invites import calendar_of


def write_feeds(
    directory: Path,
    items_by_unit: dict[str, list[dict[str, Any]]],
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


class CalDavError(Exception):
    pass


def _safe(url: str) -> str:
    return re.sub(r"//[^/@]+@", "//****@", url)


def publish_caldav(
    url: str,
    items: list[dict[str, Any]],
    config: MessageConfig,
    now: dt.datetime,
    state: Path,
    timeout: float = 10,
) -> tuple[int, int]:
    """PUT every open deadline as its own resource in the calendar collection at `url` and
    DELETE the ones no longer open; return (put, deleted). `state` remembers what was published."""
    base = url.rstrip("/") + "/"
    published: set[str] = set(json.loads(state.read_text())) if state.exists() else set()
    current = {}
    for item in items:
        current[re.sub(r"[^0-9A-Za-z._-]", "_", item["code"]) + ".ics"] = calendar_of(
            [event_for(item, config, now)], None
        )
    put = deleted = 0
    try:
        for name, body in current.items():
            r = requests.put(
                base + name,
                data=body,
                headers={"Content-Type": "text/calendar; charset=utf-8"},
                timeout=timeout,
            )
            if r.status_code not in (200, 201, 204):
                raise CalDavError(f"PUT {_safe(base)}{name}: HTTP {r.status_code}")
            put += 1
        for name in sorted(published - set(current)):
            r = requests.delete(base + name, timeout=timeout)
            if r.status_code not in (200, 204, 404):
                raise CalDavError(f"DELETE {_safe(base)}{name}: HTTP {r.status_code}")
            deleted += 1
    except requests.RequestException as exc:
        raise CalDavError(
            f"CalDAV server {_safe(base)} unreachable: {type(exc).__name__}"
        ) from None
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps(sorted(current)))
    return put, deleted
