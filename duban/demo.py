"""`duban demo`: the 2025 reporting year of the Zhoushan plans, simulated day by day.

The cycle is real (the same steps the Prefect flow runs, the real Excel intake, the real outbox);
only the departments are simulated — clearly labelled 模拟单位 — and answer by dropping filled
templates into the inbox: some on time, some late, some never, some behind target, one copying
last quarter's text, one sending a file with a mistake and fixing it the next day.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from db.models import Notification, Period, Plan, Request, Submission, Target
from flows import steps, tick
from flows.runtime import Runtime
from reporting import schedule
from reporting.answers import jump_factor_of, previous_values
from reporting.excel import TARGET_SHEET, TASK_SHEET
from reporting.plausibility import countable, full_share
from reporting.progress import TargetSpec, expected_value
from reporting.templates import ensure_template
from reporting.value_asked import running_total
from tasks_catalog import schema
from vocab import zh
from vocab.words import Cadence, RequestStatus

if TYPE_CHECKING:  # Prefect is imported only when the demo runs days through it
    from flows.prefect_flows import PrefectDays

SHANGHAI = schedule.SHANGHAI
DEMO_PLANS = ("zhoushan-standards-2023", "zhoushan-quality-2021")
MONTHLY_PLAN = "zhoushan-quality-2021"
PROFILES = (
    "on-time",
    "on-time",
    "on-time",
    "on-time",
    "on-time",
    "late",
    "late",
    "never",
    "behind",
)
PHRASES = (
    "已制定年度工作方案，明确责任分工和时间节点",
    "组织召开专题推进会，协调解决重点难点问题",
    "完成阶段性目标，相关标准研制工作有序推进",
    "开展调研走访，梳理企业需求并形成问题清单",
    "推动试点项目建设，形成可复制推广的经验做法",
    "加强与省级部门对接，争取政策和项目支持",
)


@dataclass
class Department:
    """A simulated unit (模拟单位) and how it behaves."""

    unit_id: str
    profile: str  # on-time | late | never | behind | copier | careless
    rng: random.Random
    resend: dict[str, dt.date] = field(default_factory=dict)


def profiles_for(unit_ids: list[str], seed: int) -> dict[str, Department]:
    rng = random.Random(seed)
    departments = {
        u: Department(u, rng.choice(PROFILES), random.Random(f"{seed}:{u}"))
        for u in sorted(unit_ids)
    }
    ordered = sorted(unit_ids)
    departments[ordered[len(ordered) // 2]].profile = "copier"
    departments[ordered[len(ordered) // 3]].profile = "careless"  # its first file has a mistake
    return departments


def submit_day(
    profile: str, rng: random.Random, opens: dt.date, due: dt.date, rt: Runtime
) -> dt.date | None:
    """The working day on which the department drops its file into the inbox (ingested at the
    next tick): on time means the day before the due date at the latest."""
    cal = rt.calendar
    if profile == "never":
        return None
    if profile == "late":
        return cal.add_workdays(due, rng.randint(1, 6))
    span = max(cal.workdays_between(opens, due) - 1, 1)
    return cal.add_workdays(opens, rng.randint(1, span))


def fill(
    template: Path,
    dept: Department,
    period: Period,
    plan: Plan,
    targets: dict[int, Target],
    mistake: bool,
    last_values: dict[int, float] | None = None,
) -> bytes:
    wb = load_workbook(template)
    tasks = wb[TASK_SHEET]
    for row in range(2, tasks.max_row + 1):
        title, last = tasks.cell(row=row, column=4).value, tasks.cell(row=row, column=7).value
        if dept.profile == "copier" and last:
            status, text = "推进中", last
        else:
            status = dept.rng.choices(
                ("推进中", "已完成", "受阻"), (8, 2, 1 if dept.profile == "behind" else 0.2)
            )[0]
            text = f"{zh.period_name(period.label)}：围绕“{title}”，{dept.rng.choice(PHRASES)}；{dept.rng.choice(PHRASES)}。（模拟单位填报）"
        tasks.cell(
            row=row, column=8, value="进行中" if mistake and row == 2 else status
        )  # not a listed status
        tasks.cell(row=row, column=9, value=text)
    sheet = wb[TARGET_SHEET]
    for row in range(2, sheet.max_row + 1):
        target = targets[int(sheet.cell(row=row, column=1).value)]
        spec = TargetSpec(
            target.cmp,
            Decimal(target.value),
            target.kind,
            None if target.baseline is None else Decimal(target.baseline),
            dt.date(plan.start_year, 1, 1),
            dt.date(plan.end_year, 12, 31),
            target.per_year,
        )
        expected = expected_value(spec, period.end)
        factor = (
            dept.rng.uniform(0.45, 0.8) if dept.profile == "behind" else dept.rng.uniform(1.0, 1.15)
        )
        if target.cmp == "<=":
            factor = 2 - factor
        # the latest value the unit reported (of the period before, or earlier when it missed one)
        last = (last_values or {}).get(target.id, sheet.cell(row=row, column=6).value)
        value = plausible(target, float(expected) * factor, last, float(jump_factor_of(plan)))
        sheet.cell(row=row, column=7, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def plausible(target: Target, value: float, last: object, jump: float) -> float | int:
    """What a careful department enters: whole numbers of countable things, a share at most
    100 %, a running total never below last period's, no jump beyond the plan's factor (the
    intake refuses such values, `reporting.plausibility`)."""
    if isinstance(last, int | float) and last > 0:
        low = last if running_total(target.kind, target.per_year) else last / jump * 1.05
        value = min(max(value, low), last * jump * 0.95)
    full = full_share(target)
    if full is not None:
        value = min(value, float(full))
    if countable(target.measure):
        whole = int(value) if isinstance(last, int | float) and value < last + 1 else round(value)
        return max(whole, int(last) if isinstance(last, int | float) else 0)
    return round(value, 1)


def _template(rt: Runtime, request: Request) -> Path:
    with rt.sessions() as session:
        return ensure_template(session, session.get_one(Request, request.id), rt.var_dir)


def act(rt: Runtime, day: dt.date, departments: dict[str, Department]) -> Counter[str]:
    """Simulated departments drop filled templates into the inbox for their pending requests."""
    done: Counter[str] = Counter()
    with rt.sessions() as session:
        rows = session.execute(
            select(Request, Period, Plan)
            .join(Period, Request.period_id == Period.id)
            .join(Plan, Period.plan_id == Plan.id)
            .where(Request.status == RequestStatus.PENDING)
        ).all()
        targets = {t.id: t for t in session.scalars(select(Target))}
    for request, period, plan in rows:
        dept = departments.get(request.unit_id)
        if dept is None:
            continue
        issued = max(period.opens_on, request.created_at.astimezone(SHANGHAI).date())
        planned = submit_day(dept.profile, random.Random(request.code), issued, request.due_on, rt)
        if day not in (planned, dept.resend.get(request.code)):
            continue
        mistake = dept.profile == "careless" and not dept.resend
        if mistake:  # rejected at the next tick; sent again, corrected, two working days later
            dept.resend[request.code] = rt.calendar.add_workdays(day, 2)
        inbox_file = rt.inbox / request.unit_id / f"{request.code}.xlsx"
        inbox_file.parent.mkdir(parents=True, exist_ok=True)
        with rt.sessions() as session:
            last = {
                k: float(p.value)
                for k, p in previous_values(session, period, request.unit_id).items()
            }
        data = fill(_template(rt, request), dept, period, plan, targets, mistake, last)
        inbox_file.write_bytes(data)
        # The file arrives on the simulated day (after that day's tick): the intake reads a
        # file's arrival from its modification time and leaves later ones for their day.
        arrived = dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI).timestamp()
        os.utime(inbox_file, (arrived, arrived))
        done["mistaken" if mistake else "filed"] += 1
    return done


def run_demo(
    rt: Runtime,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    seed: int = 2025,
    on_day: PrefectDays | None = None,
) -> dict[str, Any]:
    """Simulate every day from `start` to `end` (today at the latest: `now`); return figures
    for the summary. The departments do not act on today's date, so the current period is
    left open for whoever tries the portal next."""
    with rt.sessions() as session:
        unit_ids = sorted(
            {u for (u,) in session.execute(select(Target.owner_unit_id))} | _assigned_units(session)
        )
    departments = profiles_for(unit_ids, seed)
    acted: Counter[str] = Counter()
    sent: Counter[str] = Counter()
    today = now.astimezone(SHANGHAI).date()
    day = start
    while day <= min(end, today):
        if rt.calendar.is_workday(day):
            at = schedule.run_time(day, now)
            if on_day is not None and on_day(day):
                on_day.run(rt, day, at)  # through Prefect
            else:
                tick.run_tick(rt, day, at)

            def later(at: dt.datetime = at) -> dt.datetime:
                return at + dt.timedelta(minutes=5)

            sent.update(steps.dispatch_outbox(rt, later))
            if day < today:
                acted.update(act(rt, day, departments))
        day += dt.timedelta(days=1)
    return {"departments": departments, "acted": acted, "sent": sent}


def demo_plans(plans: list[schema.Plan], year: int) -> list[schema.Plan]:
    """The Zhoushan plans as the demo runs them: their years moved so that `year` is their last
    (the seeds end in 2025; the demo lives in the present). The quality plan is reported
    monthly (月报, as an office may set it), so that on any day one of its periods is open
    and the links in the latest messages lead somewhere; the standards plan stays quarterly."""
    chosen = []
    for plan in plans:
        if plan.slug not in DEMO_PLANS:
            continue
        shift = year - plan.end_year
        moved = plan.model_copy(deep=True)
        moved.start_year, moved.end_year = plan.start_year + shift, year
        if plan.slug == MONTHLY_PLAN:
            moved.reporting.cadence = Cadence.MONTHLY
        for target in moved.targets:
            target.year += shift
            if target.baseline_year is not None:
                target.baseline_year += shift
        chosen.append(moved)
    return chosen


def _assigned_units(session) -> set[str]:
    from reporting.work import work_by_unit

    units: set[str] = set()
    for plan in session.scalars(select(Plan)):
        units |= set(work_by_unit(session, plan))
    return units


def summary_rows(rt: Runtime) -> tuple[list[dict[str, object]], Counter[str]]:
    """Per plan and period: units asked, answered on time, late, not at all; and the outbox."""
    with rt.sessions() as session:
        rows = []
        query = (
            select(Period, Plan)
            .join(Plan)
            .where(Period.opened_at.is_not(None))
            .order_by(Period.start, Plan.slug)
        )
        for period, plan in session.execute(query):
            statuses = Counter(
                session.scalars(select(Request.status).where(Request.period_id == period.id))
            )
            files = session.scalar(
                select(func.count())
                .select_from(Submission)
                .join(Request)
                .where(Request.period_id == period.id)
            )
            rows.append(
                {
                    "plan": plan.slug.removeprefix("zhoushan-"),
                    "period": period.label,
                    "due": f"{period.due_on:%m-%d}",
                    "units": sum(statuses.values()),
                    "on time": statuses[RequestStatus.SUBMITTED],
                    "late": statuses[RequestStatus.LATE],
                    "missing": statuses[RequestStatus.PENDING],
                    "files": files,
                }
            )
        messages = Counter(session.scalars(select(Notification.status)))
    return rows, messages


DEMO_USER = "demo"


def demo_office_user(session: Any, directory: Path, now: dt.datetime) -> str:
    """An office account for trying the portal on the demo's data; its password is written to
    a file readable by its owner only (never printed). Return how to sign in."""
    import secrets

    from db.models import OfficeUser
    from duban.portal.security import add_user

    path = directory / "办公室演示账号.txt"
    exists = session.scalar(select(OfficeUser.id).where(OfficeUser.username == DEMO_USER))
    if exists is None or not path.exists():
        password = secrets.token_urlsafe(12)
        add_user(session, DEMO_USER, password, now)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(f"用户名：{DEMO_USER}\n密码：{password}\n", encoding="utf-8")
    return f"用户名 {DEMO_USER}，密码见 {path}"
