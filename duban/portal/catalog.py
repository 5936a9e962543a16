"""The office's catalog pages: its plans with their status, and the review of one plan (each
task beside its source text, its units, deadline, the targets, the checks of `catalog check`),
with the 任务分工表 download and upload and the 发布 button.

Everything is read from the workspace's catalog folder (the plan files are the record), so a
draft with problems, which is not in the database yet, is reviewed the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from duban.catalog_actions import (
    PlanNotFound,
    load_plan,
    plan_problems,
    publish_plan,
    read_or_problems,
    source_text,
)
from duban.portal.deps import (
    Clock,
    FormToken,
    OfficeAction,
    OfficeUser,
    Page,
    Pages,
    PortalSettings,
    Rt,
)
from tasks_catalog.check import plan_files
from tasks_catalog.drafts import directory_of, write_plan
from tasks_catalog.files import Problem
from tasks_catalog.schema import Plan, Task
from tasks_catalog.sheet import SheetRejected, apply_sheet, export_plan
from tasks_catalog.task_edit import TaskEditError, edit_task
from vocab.words import PlanStatus, Role
from vocab.zh import CMP_SIGNS, word

router = APIRouter()
Field = Annotated[str, Form()]
CONTEXT_CHARS = 60  # of source text shown either side of a task's span
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTICES = {"published": "已发布：下一次巡检起向各单位发送报送通知",
           "applied": "任务分工表已应用", "edited": "任务已修改"}  # fmt: skip
SUBJECT = re.compile(r"^(tasks|targets)\[([^\]]+)\]")


def _by_subject(problems: list[Problem]) -> dict[tuple[str, str], list[str]]:
    """Problems by (tasks|targets, ref or code); the rest under ("", "")."""
    found: dict[tuple[str, str], list[str]] = {}
    for p in problems:
        m = SUBJECT.match(p.field)
        found.setdefault((m.group(1), m.group(2)) if m else ("", ""), []).append(p.message)
    return found


def _source(text: str | None, task: Task) -> tuple[str, str, str] | None:
    if text is None or task.span is None:
        return None
    start, end = task.span
    return (
        text[max(0, start - CONTEXT_CHARS) : start],
        text[start:end],
        text[end : end + CONTEXT_CHARS],
    )


def _units(task: Task) -> list[dict[str, Any]]:
    leads_first = sorted(task.units, key=lambda u: u.role != Role.LEAD)
    return [
        {"name": u.name, "role": word(u.role, Role), "proposed": u.proposed} for u in leads_first
    ]


def _form(task: Task) -> dict[str, str]:
    def names(role: Role) -> str:
        return "、".join(u.name for u in task.units if u.role == role)

    return {
        "lead": names(Role.LEAD),
        "support": names(Role.SUPPORT),
        "deadline": task.deadline or "",
    }


def _unit_names(data_dir: Path, plan: Plan) -> list[str]:
    """Names and aliases the unit picker offers: the plan's jurisdiction's directory."""
    units = directory_of(data_dir).in_jurisdiction(plan.jurisdiction)
    return sorted({n for u in units for n in (u.name, *u.aliases)})


def review_context(data_dir: Path, plan: Plan, problems: list[Problem]) -> dict[str, Any]:
    text = source_text(data_dir, plan)
    by = _by_subject(problems)
    tasks = [{"task": t, "source": _source(text, t), "units": _units(t), "form": _form(t),
              "deadline": t.deadline or "—", "due": t.due_date,
              "problems": by.get(("tasks", t.ref), [])} for t in plan.tasks]  # fmt: skip
    targets = [{"target": t, "cmp": CMP_SIGNS.get(t.cmp, t.cmp), "kind": word(t.kind),
                "owner": t.owner or plan.host or "—", "problems": by.get(("targets", t.code), [])}
               for t in plan.targets]  # fmt: skip
    return {"plan": plan, "status_word": word(plan.status, PlanStatus), "tasks": tasks,
            "targets": targets, "problems": problems, "general": by.get(("", ""), []),
            "has_source": text is not None, "draft": plan.status == PlanStatus.DRAFT,
            "unit_names": _unit_names(data_dir, plan), "edit_errors": {}, "edit_values": {}}  # fmt: skip


def _listing(data_dir: Path) -> list[dict[str, Any]]:
    rows = []
    for path in plan_files(data_dir):
        plan, problems = read_or_problems(path)
        rows.append({"file": path.name, "plan": plan, "problems": len(problems),
                     "status": word(plan.status, PlanStatus) if plan else "无法读取"})  # fmt: skip
    return rows


def catalog_dir(settings: PortalSettings) -> Path:
    assert settings.catalog_dir is not None, "the catalog pages need the catalog folder"
    return settings.catalog_dir


DataDir = Annotated[Path, Depends(catalog_dir)]


@dataclass(frozen=True)
class Review:
    """Shows a plan's review page, with a notice or the problems of what was just tried."""

    page: Pages
    data_dir: Path
    user: str
    csrf: str

    def __call__(self, slug: str, status: int = 200, **extra: Any) -> Response:
        try:
            path, _, problems = plan_problems(self.data_dir, slug)
        except PlanNotFound as exc:
            return self.page.message(404, "没有这个计划", str(exc))
        plan, unreadable = read_or_problems(path)
        if plan is None:
            message = "；".join(p.message for p in unreadable)
            return self.page.message(422, "计划文件无法读取", message)
        context = {"sheet_problems": [], "notice": None} | review_context(self.data_dir, plan, problems)  # fmt: skip
        return self.page("catalog_plan.html", status, user=self.user, csrf=self.csrf, **(context | extra))  # fmt: skip


def review_of(page: Page, data_dir: DataDir, user: OfficeUser, csrf: FormToken) -> Review:
    return Review(page, data_dir, user, csrf)


Reviewer = Annotated[Review, Depends(review_of)]


def current_plan(data_dir: Path, slug: str) -> tuple[Path, Plan | None]:
    path, _, _ = plan_problems(data_dir, slug)
    plan, _ = read_or_problems(path)
    return path, plan


@router.get("/office/catalog", response_class=HTMLResponse)
def catalog_list(user: OfficeUser, page: Page, csrf: FormToken, data_dir: DataDir) -> Response:
    return page("catalog.html", user=user, csrf=csrf, plans=_listing(data_dir))


@router.get("/office/catalog/{slug}", response_class=HTMLResponse)
def catalog_plan(slug: str, review: Reviewer, notice: str | None = None) -> Response:
    return review(slug, notice=NOTICES.get(notice or ""))


@router.post("/office/catalog/{slug}/publish")
def publish(slug: str, user: OfficeAction, review: Reviewer, rt: Rt, now: Clock, data_dir: DataDir) -> Response:  # fmt: skip
    try:
        outcome = publish_plan(rt.sessions, data_dir, slug, user, now())
    except PlanNotFound:
        return review(slug)
    if outcome.problems or outcome.plan is None:
        return review(slug, 409, notice="还有问题未改正，未发布")
    return RedirectResponse(f"/office/catalog/{slug}?notice=published", status_code=303)


@router.get("/office/catalog/{slug}/sheet.xlsx")
def sheet(slug: str, user: OfficeUser, review: Reviewer, now: Clock, data_dir: DataDir) -> Response:  # fmt: skip
    _, plan = current_plan(data_dir, slug)
    if plan is None:
        return review(slug)
    data = export_plan(plan, directory_of(data_dir), exported_on=now().date())
    name = quote(f"{slug}-任务分工表.xlsx")
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})  # fmt: skip


@router.post("/office/catalog/{slug}/sheet")
async def upload(slug: str, file: UploadFile, user: OfficeAction, review: Reviewer, rt: Rt,
                 now: Clock, data_dir: DataDir, settings: PortalSettings) -> Response:  # fmt: skip
    data = await file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        return review(slug, 413, notice="文件过大，未作任何改动")
    path, plan = current_plan(data_dir, slug)
    if plan is None:
        return review(slug)
    try:
        result = apply_sheet(data, plan, directory_of(data_dir))
    except SheetRejected as exc:
        shown = [str(p) for p in exc.problems]
        return review(slug, 422, sheet_problems=shown, notice="任务分工表有错误，未作任何改动")
    if result.changed:
        write_plan(path, result.plan)
        detail = "；".join(result.changes)
        load_plan(rt.sessions, data_dir, slug, now(), (user, "apply", detail))
    return RedirectResponse(f"/office/catalog/{slug}?notice=applied", status_code=303)


@router.post("/office/catalog/{slug}/tasks/{ref}")
def edit(slug: str, ref: str, user: OfficeAction, review: Reviewer, rt: Rt, now: Clock,
         data_dir: DataDir, lead: Field = "", support: Field = "", deadline: Field = "") -> Response:  # fmt: skip
    path, plan = current_plan(data_dir, slug)
    if plan is None:
        return review(slug)
    fields = {"lead": lead, "support": support, "deadline": deadline}
    try:
        new, changes = edit_task(plan, ref, fields, directory_of(data_dir))
    except KeyError:
        return review(slug, 404, notice=f"计划中没有任务 {ref}")
    except TaskEditError as exc:
        return review(slug, 422, notice=f"任务 {ref} 未保存，请改正标出的内容",
                      edit_errors={ref: exc.problems}, edit_values={ref: fields})  # fmt: skip
    if changes:
        write_plan(path, new)
        load_plan(rt.sessions, data_dir, slug, now(), (user, "edit", "；".join(changes)))
    return RedirectResponse(f"/office/catalog/{slug}?notice=edited", status_code=303)
