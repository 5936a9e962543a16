"""The office reviews an imported document in the portal: its plans with their status, each task
beside its source text, the checks in Chinese, the 任务分工表 down and up, and 发布 (with CSRF)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from db.models import AuditLog, Plan
from duban.bootstrap import build_runtime
from duban.portal.app import create_app
from duban.portal.security import add_user
from duban.settings import Settings
from tasks_catalog.files import read_plan
from tests.e2e.test_workspace import DOCUMENT, OTHER, _edit, _use_test_database, office  # noqa: F401
from vocab.words import PlanStatus

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2016, 12, 20, 10, 0, tzinfo=SHANGHAI)
PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)  # type: ignore[union-attr]


@pytest.fixture
def portal(office, tmp_path, monkeypatch):  # noqa: F811
    office("init", "office", "--jurisdiction", "kaifeng", "--name", "开封市")
    _use_test_database(tmp_path / "office", office.url)
    monkeypatch.chdir(tmp_path / "office")
    office("catalog", "import", str(DOCUMENT), "--add-units", "--slug", "ks")
    office("catalog", "import", str(OTHER), "--slug", "cz")  # its units are not in the directory
    settings = Settings()
    rt = build_runtime(settings)
    app = create_app(rt, "s" * 64, clock=lambda: NOW, catalog_dir=settings.catalog_path())
    client = TestClient(app)
    with rt.sessions.begin() as session:
        add_user(session, "bgs", PASSWORD, NOW)
    page = client.get("/office/login").text
    form = {"username": "bgs", "password": PASSWORD, "csrf": csrf_of(page)}
    assert client.post("/office/login", data=form, follow_redirects=False).status_code == 303
    return rt, client


def test_the_catalog_needs_a_signed_in_office_user(portal):
    _, client = portal
    fresh = TestClient(client.app)
    for url in ("/office/catalog", "/office/catalog/ks", "/office/catalog/ks/sheet.xlsx"):
        assert fresh.get(url, follow_redirects=False).headers["location"] == "/office/login"


def test_the_list_shows_each_plan_with_its_status_and_problems(portal):
    _, client = portal
    page = client.get("/office/catalog").text
    assert 'href="/office/catalog/ks"' in page and 'href="/office/catalog/cz"' in page
    assert page.count(">草稿<") == 2
    assert "<td>无</td>" in page  # ks has no problem; cz has some
    assert "/office/catalog" in client.get("/office").text


def test_the_review_page_shows_tasks_beside_their_source_and_the_checks(portal):
    _, client = portal
    page = client.get("/office/catalog/ks").text
    assert "<mark>市安全监管局牵头,负责组织开展对危险化学品和烟花爆竹领域的专项整治工作" in page
    assert "牵头：市安全监管局" in page and "2017年2月28日" in page
    assert "未发现问题" in page and '<button type="submit" >发布</button>' in page
    problems = client.get("/office/catalog/cz").text
    assert "单位名录中没有“市工商质监局”" in problems and "disabled" in problems


def test_a_plan_with_problems_is_not_published_from_the_portal(portal):
    _, client = portal
    csrf = csrf_of(client.get("/office/catalog/cz").text)
    response = client.post("/office/catalog/cz/publish", data={"csrf": csrf})
    assert response.status_code == 409 and "未发布" in response.text
    assert read_plan(Path("catalog/cz.yaml"))[0].status == PlanStatus.DRAFT


def test_the_sheet_goes_down_and_up_and_a_bad_one_changes_nothing(portal):
    _, client = portal
    data = client.get("/office/catalog/ks/sheet.xlsx").content
    csrf = csrf_of(client.get("/office/catalog/ks").text)
    before = Path("catalog/ks.yaml").read_bytes()
    bad = _edit(data, "2", "不存在的局", "2016年12月底前")
    files = {"file": ("分工.xlsx", io.BytesIO(bad), "application/octet-stream")}
    response = client.post("/office/catalog/ks/sheet", data={"csrf": csrf}, files=files)
    assert response.status_code == 422 and "任务分工!C5" in response.text
    assert Path("catalog/ks.yaml").read_bytes() == before
    good = _edit(data, "1", "市公安局", "2016年12月底前")
    files = {"file": ("分工.xlsx", io.BytesIO(good), "application/octet-stream")}
    response = client.post("/office/catalog/ks/sheet", data={"csrf": csrf}, files=files)
    assert response.status_code == 200 and "任务分工表已应用" in response.text
    assert "牵头：市公安局" in response.text and "2016年12月底前" in response.text


def test_publishing_needs_the_form_token_and_is_audited(portal):
    rt, client = portal
    assert client.post("/office/catalog/ks/publish", data={"csrf": "0" * 40}).status_code == 403
    assert read_plan(Path("catalog/ks.yaml"))[0].status == PlanStatus.DRAFT
    csrf = csrf_of(client.get("/office/catalog/ks").text)
    page = client.post("/office/catalog/ks/publish", data={"csrf": csrf}).text
    assert (
        "已发布" in page and "bgs 于 2016-12-20 10:00 发布" in page and ">发布</button>" not in page
    )
    plan = read_plan(Path("catalog/ks.yaml"))[0]
    assert plan.status == PlanStatus.PUBLISHED and plan.published_by == "bgs"
    with rt.sessions() as session:
        assert session.scalar(select(Plan.status).where(Plan.slug == "ks")) == "published"
        assert session.execute(
            select(AuditLog.actor, AuditLog.action).where(AuditLog.target == "plan:ks")
        ).all()[-1] == ("bgs", "publish")


def test_the_office_corrects_units_and_deadlines_on_the_page_until_the_plan_can_be_published(
    portal,
):
    rt, client = portal
    page = client.get("/office/catalog/cz").text
    csrf = csrf_of(page)
    assert '<option value="市公安局">' in page  # the unit picker offers the directory
    url = "/office/catalog/cz/tasks/" + quote("一1(1)")
    bad = client.post(url, data={"csrf": csrf, "lead": "市工商局", "deadline": "尽快"})
    assert bad.status_code == 422 and "“市工商局”不是已知单位" in bad.text
    assert "完成时限“尽快”无法识别" in bad.text and 'value="市工商局"' in bad.text
    before = Path("catalog/cz.yaml").read_bytes()
    assert read_plan(Path("catalog/cz.yaml"))[0].tasks[0].units[0].name == "市工商质监局"
    for ref in ("一1(1)", "一1(2)", "一1(3)"):
        form = {"csrf": csrf, "lead": "市质监局", "support": "市公安局", "deadline": "2017年底前"}
        response = client.post("/office/catalog/cz/tasks/" + quote(ref), data=form)
        assert response.status_code == 200 and "任务已修改" in response.text
    assert Path("catalog/cz.yaml").read_bytes() != before
    task = read_plan(Path("catalog/cz.yaml"))[0].tasks[0]
    assert [(u.name, u.role) for u in task.units] == [("市质监局", "lead"), ("市公安局", "support")]
    assert str(task.due_date) == "2017-12-31"
    assert "未发现问题" in client.get("/office/catalog/cz").text
    assert client.post("/office/catalog/cz/publish", data={"csrf": csrf}).status_code == 200
    with rt.sessions() as session:
        edits = session.scalars(
            select(AuditLog.detail).where(AuditLog.action == "edit", AuditLog.target == "plan:cz")
        ).all()
    assert len(edits) == 3 and "牵头单位 市工商质监局 → 市质监局" in edits[0]


def test_saving_a_task_confirms_the_units_duban_proposed():
    from tasks_catalog.directory import Directory
    from tasks_catalog.paths import DATA_DIR
    from tasks_catalog.task_edit import edit_task

    plan = read_plan(DATA_DIR / "zhoushan-quality-2021.yaml")[0]
    task = next(t for t in plan.tasks if any(u.proposed for u in t.units))
    lead = "、".join(u.name for u in task.units if u.role == "lead")
    support = "、".join(u.name for u in task.units if u.role == "support")
    fields = {"lead": lead, "support": support, "deadline": task.deadline or ""}
    new, changes = edit_task(plan, task.ref, fields, Directory.load())
    edited = next(t for t in new.tasks if t.ref == task.ref)
    assert not any(u.proposed for u in edited.units) and [u.name for u in edited.units] == [
        u.name for u in task.units
    ]
    assert changes and all("已确认" in c for c in changes)


def test_text_from_the_document_and_the_office_is_escaped(portal):
    _, client = portal
    path = Path("catalog/ks.yaml")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "组织开展对危险化学品和烟花爆竹领域的专项整治工作", "<script>alert(1)</script>", 1
        ),
        encoding="utf-8",
    )
    page = client.get("/office/catalog/ks").text
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    listing = client.get("/office/catalog").text
    assert "<script>" not in listing
