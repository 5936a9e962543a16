"""The office reviews an imported document in the portal: its plans with their status, each task
beside its source text, the checks in Chinese, the 任务分工表 down and up, and 发布 (with CSRF)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from db.models import AuditLog, Plan
from duban.bootstrap import build_runtime
from duban.portal.app import create_app
from duban.portal.security import add_user
from duban.settings import Settings
from tasks_catalog.files import read_plan
from tests.test_workspace import DOCUMENT, OTHER, _edit, _use_test_database, office  # noqa: F401
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
