"""Does the cost stay linear at province scale? Three paths that once grew with the whole
instead of with the work:

- the calendar feeds of a daily tick (every unit's rewritten every tick, or only the changed);
- a message's Excel template at dispatch, for a unit of an 800-unit plan beside one of a
  40-unit plan (the whole plan's work recomputed per template, or the unit's alone);
- looking up a tag's channels with 60 and with 1,600 configured URLs.

    python -m bench.scale [--db sqlite|postgresql]

Written against functions that earlier rounds had too, so the same file measures the code
before a change (copy it into a worktree of the older commit) beside the code after it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.__main__ import OPENS, SH, fresh_database
from bench.synthetic import LARGE, iter_plans, synthetic_directory
from db import session_factory
from db.models import Period, Plan, Request
from flows import steps
from flows.runtime import Runtime
from notifications.channels import FileOutbox
from notifications.dispatch import MessageConfig
from reporting.templates import ensure_template
from reporting.workdays import WorkCalendar
from tasks_catalog.loader import load_catalog


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def feeds(rt: Runtime) -> dict[str, float]:
    """Seconds of the feed step: right after opening (every unit's feed is new), on a quiet
    day (nothing changed), and after one unit's deadline moved."""
    day = dt.datetime.combine(OPENS, dt.time(9), SH)
    steps.open_and_request(rt, OPENS, day)
    first, _ = timed(lambda: steps.publish_feeds(rt, day))
    quiet, _ = timed(lambda: steps.publish_feeds(rt, day + dt.timedelta(days=1)))
    with rt.sessions() as session:
        code = session.scalar(select(Request.code).order_by(Request.id).limit(1))
    assert code is not None
    steps.change_deadline(rt, code, day, new_due=dt.date(2025, 10, 20))
    moved, _ = timed(lambda: steps.publish_feeds(rt, day + dt.timedelta(days=2)))
    return {"feeds after opening": first, "feeds, quiet day": quiet, "feeds, one moved": moved}


def templates(rt: Runtime) -> dict[str, float]:
    """Seconds to write every template of one 40-unit plan and of the 800-unit plan."""
    out: dict[str, float] = {}
    with rt.sessions() as session:
        for label, jurisdiction in (("40-unit plan", "j0000"), ("800-unit plan", LARGE)):
            plan_id = session.scalar(select(Plan.id).where(Plan.jurisdiction == jurisdiction))
            requests = list(
                session.scalars(
                    select(Request).join(Period).where(Period.plan_id == plan_id, Period.opens_on == OPENS)
                )
            )  # fmt: skip
            seconds, _ = timed(
                lambda requests=requests: [
                    ensure_template(session, r, rt.var_dir) for r in requests
                ]
            )
            out[f"templates of the {label} ({len(requests)})"] = seconds
    return out


def tag_lookup(tmp: Path) -> dict[str, float]:
    """Milliseconds per tag, each tag looked up once (as a dispatch run does)."""
    from notifications.delivery import AppriseChannel

    out = {}
    for urls in (60, 1600):
        config = tmp / f"apprise-{urls}.txt"
        mailto = "mailto://127.0.0.1:2525?from=bgs@zs.gov.cn&to="
        config.write_text("".join(f"u{i:04}={mailto}u{i:04}@zs.gov.cn\n" for i in range(urls)))
        channel = AppriseChannel.from_config(config, clock=lambda: dt.datetime.now(dt.UTC))
        tags = [f"u{i:04}" for i in range(urls)]
        per = []
        for tag in tags:
            seconds, found = timed(lambda tag=tag, channel=channel: channel.servers(tag))
            assert len(found) == 1
            per.append(seconds)
        out[f"tag lookup, {urls} URLs (ms per tag, median)"] = statistics.median(per) * 1000
        out[f"tag lookup, {urls} URLs (ms for all tags)"] = sum(per) * 1000
    return out


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args(argv)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        engine = fresh_database(args.db, tmp)
        sessions = session_factory(engine)
        rt = Runtime(sessions, tmp, WorkCalendar(), FileOutbox(tmp / "outbox"), MessageConfig())
        with sessions.begin() as session:
            when = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
            load_catalog(session, iter_plans("province"), synthetic_directory("province"), when)
        figures |= feeds(rt)
        figures |= templates(rt)
        figures |= tag_lookup(tmp)
        engine.dispose()
    for key, value in figures.items():
        unit = "ms" if "(ms" in key else "s"
        print(f"{args.db:10} {key:52} {value:10.3f} {unit}", flush=True)
    return figures


if __name__ == "__main__":
    main()
