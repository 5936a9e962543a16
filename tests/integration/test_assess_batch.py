"""Periods assessed in a batch (their history read once for all) come out as each assessed
alone, and store the same flags."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from bench.__main__ import OPENS, SH, answer, seed_history
from bench.synthetic import iter_plans, synthetic_directory
from db.models import Flag, Period
from flows import steps
from flows.runtime import Runtime
from notifications.channels import FileOutbox
from notifications.dispatch import MessageConfig
from reporting.assess import assess_period, assess_periods, store, store_many
from reporting.workdays import WorkCalendar
from tasks_catalog.loader import load_catalog

PLANS = 4
DAY = dt.date(2025, 10, 14)  # 2025Q3's due date


def synthetic_runtime(sessions, tmp_path) -> Runtime:
    """Four synthetic plans with eight quarters of answered history, 2025Q3 open and answered
    by 90 % of its units (the benchmark's data, smaller)."""
    with sessions.begin() as session:
        load_catalog(session, iter_plans("province", limit=PLANS),
                     synthetic_directory("province", limit=PLANS), dt.datetime(2025, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    rt = Runtime(
        sessions, tmp_path, WorkCalendar(), FileOutbox(tmp_path / "outbox"), MessageConfig()
    )
    seed_history(rt)
    steps.open_and_request(rt, OPENS, dt.datetime.combine(OPENS, dt.time(9), SH))
    answer(rt, OPENS, random.Random(3))
    return rt


def flag_rows(sessions) -> list[tuple]:
    with sessions() as session:
        rows = session.execute(
            select(Flag.period_id, Flag.subject, Flag.subject_id, Flag.kind, Flag.severity, Flag.figures)
        ).all()  # fmt: skip
    return sorted((*r[:5], sorted(r[5].items())) for r in rows)


def test_periods_of_several_plans_assessed_together_come_out_as_each_alone(sessions, tmp_path):
    synthetic_runtime(sessions, tmp_path)
    with sessions() as session:
        # Every opened period of every plan, in a mixed order: one batch holds several
        # periods of the same plan, each with its own history.
        periods = list(
            session.scalars(
                select(Period).where(Period.opened_at.is_not(None)).order_by(Period.start.desc(), Period.plan_id)
            )
        )  # fmt: skip
        assert len({p.plan_id for p in periods}) == PLANS and len(periods) > 4 * PLANS
        together = assess_periods(session, periods, DAY)
        alone = [assess_period(session, p, DAY) for p in periods]
    assert together == alone
    latest = [r for p, r in zip(periods, together, strict=True) if p.label == "2025Q3"]
    assert len(latest) == PLANS and len({r.plan_slug for r in latest}) == PLANS
    # The data exercises every part: missing units, series of values, copied and missing texts.
    assert all(0 < r.reporting_rate < 1 for r in latest)
    assert all(len(t.series) > 1 for r in latest for t in r.targets if t.actual is not None)
    flags = {f for r in latest for t in r.tasks for f in t.flags}
    assert {"missing"} <= flags


def test_a_batch_stores_the_flags_its_periods_store_one_by_one(sessions, tmp_path):
    synthetic_runtime(sessions, tmp_path)
    with sessions.begin() as session:
        periods = list(session.scalars(select(Period).where(Period.label == "2025Q3")))
        for period in periods:
            store(session, period, assess_period(session, period, DAY), DAY)
    one_by_one = flag_rows(sessions)
    assert len(one_by_one) > 50
    with sessions.begin() as session:
        periods = list(session.scalars(select(Period).where(Period.label == "2025Q3")))
        store_many(session, list(zip(periods, assess_periods(session, periods, DAY), strict=True)), DAY)  # fmt: skip
    assert flag_rows(sessions) == one_by_one  # replaced, not added to
