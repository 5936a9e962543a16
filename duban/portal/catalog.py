"""The office's catalog pages: its plans with their status, and the review of one plan (each
task beside its source text, its units, deadline, the targets, the checks of `catalog check`),
with the 任务分工表 download and upload and the 发布 button.

Everything is read from the workspace's catalog folder (the plan files are the record), so a
draft with problems, which is not in the database yet, is reviewed the same way. What the
pages show is built in `catalog_view`."""

from __future__ import annotations

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
)
from duban.portal.catalog_view import listing, review_context
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
from tasks_catalog.drafts import directory_of, write_plan
from tasks_catalog.schema import Plan
from tasks_catalog.sheet import SheetRejected, apply_sheet, export_plan
from tasks_catalog.task_edit import TaskEditError, edit_task

router = APIRouter()
Field = Annotated[str, Form()]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTICES = {
    "published": "已发布：下一次巡检起向各单位发送报送通知",
    "applied": "任务分工表已应用",
    "edited": "任务已修改",
}


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
        context = {"sheet_problems": [], "notice": None} | review_context(
            self.data_dir, plan, problems
        )
        return self.page(
            "catalog_plan.html", status, user=self.user, csrf=self.csrf, **(context | extra)
        )


def review_of(page: Page, data_dir: DataDir, user: OfficeUser, csrf: FormToken) -> Review:
    return Review(page, data_dir, user, csrf)


Reviewer = Annotated[Review, Depends(review_of)]


def current_plan(data_dir: Path, slug: str) -> tuple[Path, Plan | None]:
    path, _, _ = plan_problems(data_dir, slug)
    plan, _ = read_or_problems(path)
    return path, plan


@router.get("/office/catalog", response_class=HTMLResponse)
def catalog_list(user: OfficeUser, page: Page, csrf: FormToken, data_dir: DataDir) -> Response:
    return page("catalog.html", user=user, csrf=csrf, plans=listing(data_dir))


@router.get("/office/catalog/{slug}", response_class=HTMLResponse)
def catalog_plan(slug: str, review: Reviewer, notice: str | None = None) -> Response:
    return review(slug, notice=NOTICES.get(notice or ""))


@router.post("/office/catalog/{slug}/publish")
def publish(
    slug: str, user: OfficeAction, review: Reviewer, rt: Rt, now: Clock, data_dir: DataDir
) -> Response:
    try:
        outcome = publish_plan(rt.sessions, data_dir, slug, user, now())
    except PlanNotFound:
        return review(slug)
    if outcome.problems or outcome.plan is None:
        return review(slug, 409, notice="还有问题未改正，未发布")
    return RedirectResponse(f"/office/catalog/{slug}?notice=published", status_code=303)


@router.get("/office/catalog/{slug}/sheet.xlsx")
def sheet(slug: str, user: OfficeUser, review: Reviewer, now: Clock, data_dir: DataDir) -> Response:
    _, plan = current_plan(data_dir, slug)
    if plan is None:
        return review(slug)
    data = export_plan(plan, directory_of(data_dir), exported_on=now().date())
    name = quote(f"{slug}-任务分工表.xlsx")
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.post("/office/catalog/{slug}/sheet")
async def upload(
    slug: str,
    file: UploadFile,
    user: OfficeAction,
    review: Reviewer,
    rt: Rt,
    now: Clock,
    data_dir: DataDir,
    settings: PortalSettings,
) -> Response:
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
def edit(
    slug: str,
    ref: str,
    user: OfficeAction,
    review: Reviewer,
    rt: Rt,
    now: Clock,
    data_dir: DataDir,
    lead: Field = "",
    support: Field = "",
    deadline: Field = "",
) -> Response:
    path, plan = current_plan(data_dir, slug)
    if plan is None:
        return review(slug)
    fields = {"lead": lead, "support": support, "deadline": deadline}
    try:
        new, changes = edit_task(plan, ref, fields, directory_of(data_dir))
    except KeyError:
        return review(slug, 404, notice=f"计划中没有任务 {ref}")
    except TaskEditError as exc:
        return review(
            slug,
            422,
            notice=f"任务 {ref} 未保存，请改正标出的内容",
            edit_errors={ref: exc.problems},
            edit_values={ref: fields},
        )
    if changes:
        write_plan(path, new)
        load_plan(rt.sessions, data_dir, slug, now(), (user, "edit", "；".join(changes)))
    return RedirectResponse(f"/office/catalog/{slug}?notice=edited", status_code=303)
