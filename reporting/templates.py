"""A request's Excel template: the unit's tasks and targets with last period's answers,
written on first use (at dispatch or download), never while a period opens."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from db.models import Period, Plan, Request, Unit
from reporting.excel import TargetLine, TaskLine, TemplateData, build_template
from reporting.requests import previous_answers
from reporting.work import UnitWork, goal_text, unit_work
from vocab import zh


def template_for(
    session: Session, request: Request, period: Period, plan: Plan, unit: Unit, work: UnitWork
) -> bytes:
    rows, values = previous_answers(session, period, unit.id)
    data = TemplateData(
        unit_name=unit.name,
        unit_id=unit.id,
        period_label=period.label,
        period_name=zh.period_name(period.label),
        due_on=request.due_on,
        code=request.code,
        tasks=[
            TaskLine(
                t.id,
                plan.title,
                t.ref,
                t.title,
                zh.role(role),
                rows[t.id].status if t.id in rows else "",
                rows[t.id].text if t.id in rows else "",
            )
            for t, role in work.tasks
        ],
        targets=[
            TargetLine(t.id, t.name, goal_text(t), t.measure, t.baseline, values.get(t.id))
            for t in work.targets
        ],
    )
    return build_template(data)


def template_path(var_dir: Path, request: Request, period_label: str) -> Path:
    """One file per version of the request: a moved deadline (SEQUENCE + 1) gets a new
    template showing the new 截止日期."""
    version = f"-v{request.sequence + 1}" if request.sequence else ""
    return var_dir / "templates" / period_label / f"{request.code}{version}.xlsx"


def ensure_template(session: Session, request: Request, var_dir: Path) -> Path:
    """Return the path of the request's Excel template, writing it on first use."""
    period = session.get(Period, request.period_id)
    assert period is not None
    path = template_path(var_dir, request, period.label)
    if not path.exists():
        plan = session.get(Plan, period.plan_id)
        unit = session.get(Unit, request.unit_id)
        assert plan is not None and unit is not None
        work = unit_work(session, plan.id, request.unit_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".xlsx.tmp")
        tmp.write_bytes(template_for(session, request, period, plan, unit, work))
        tmp.replace(
            path
        )  # several dispatchers may race to write it: the last rename wins, same bytes
    return path
