"""The office's dashboard tells the truth: its table and its flags come from one assessment of
the current data; any period can be shown, filtered and paged; 重新评估 re-assesses the
displayed period (final included) through the action `duban report` uses; the report files
are offered under their Chinese names."""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse

from sqlalchemy import func, select

from db.models import AuditLog, Notification, Period
from flows import tick
from notifications import outbox
from reporting.names import report_paths

from ..conftest import at
from .test_portal import csrf_of, link, office_login, portal  # noqa: F401  (the fixture)
from .test_unit_form import full_form

D = dt.date
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def text_of(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def unit_table(page: str) -> dict[str, str]:
    """The dashboard's table: unit name → the status it shows."""
    table = page[page.index("<th>单位</th><th>状态</th>") :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in table.split("<tr>")[1:]:
        cells = [text_of(c) for c in CELL.findall(row)]
        if len(cells) >= 2:
            rows[cells[0]] = cells[1]
    return rows


def flag_rows(page: str) -> list[list[str]]:
    """The flags shown on this page: [对象, 类型, 程度, 单位, 说明]."""
    head = "<th>对象</th><th>类型</th><th>程度</th>"
    if head not in page:
        return []
    table = page[page.index(head) :]
    table = table[: table.index("</table>")]
    return [[text_of(c) for c in CELL.findall(row)] for row in table.split("<tr>")[1:]]


def all_flags(client, query: str) -> list[list[str]]:
    rows, page = [], 1
    while True:
        shown = client.get(f"/office?{query}&page={page}").text
        rows += flag_rows(shown)
        m = re.search(r"第 (\d+)/(\d+) 页", shown)
        if not m or m.group(1) == m.group(2):
            return rows
        page += 1


def submit_form(
    client,
    url: str,
    text: str = "已完成年度标准研制计划。",
    status: str = "推进中",
    every: bool = False,
) -> None:
    """Answer every task and target (a partial answer is only a 暂存); the first task's status
    and text as given."""
    page = client.get(url).text
    form = full_form(page)
    task = re.findall(r'name="status_(\d+)"', page)[0]
    form |= {f"status_{task}": status, f"text_{task}": text}
    if every:  # every task with this status
        form |= {key: status for key in form if key.startswith("status_")}
    assert "报送成功" in client.post(url, data=form).text


def q3_id(rt) -> int:
    with rt.sessions() as session:
        return session.scalar(select(Period.id).where(Period.label == "2025Q3"))


def test_submitted_extended_and_waived_units_never_contradict_the_flags(portal):  # noqa: F811
    rt, client, requests, clock = portal
    tick.run_tick(rt, D(2025, 10, 15), at(D(2025, 10, 15)))  # stores an assessment: all missing
    office_login(rt, client)
    clock["now"] = at(D(2025, 10, 16), 10)
    office_login(rt, client)  # the office session lasts 8 hours of the portal's clock
    submit_form(client, link(rt, requests["zs-amr"]))  # late, after the stored assessment
    token = csrf_of(client.get("/office").text)
    client.post(f"/office/requests/{requests['zs-eit'].code}/waive", data={"csrf": token})
    client.post(f"/office/requests/{requests['zs-sti'].code}/extend", data={"csrf": token, "due": "2025-10-24"})  # fmt: skip
    page = client.get(f"/office?period={q3_id(rt)}").text
    table = unit_table(page)
    assert table["市市场监管局"] == "逾期报送"
    assert table["市经信局"] == "免报" and table["市科技局"] == "待报送"  # extended: not yet due
    flags = all_flags(client, f"period={q3_id(rt)}")
    reported = {row[3]: row[1] for row in flags if row[0] == "报送"}
    assert reported["市市场监管局"] == "逾期报送"
    assert "市经信局" not in reported and "市科技局" not in reported
    assert not [row for row in flags if row[3] == "市经信局"]  # waived: nothing is missing
    assert not [row for row in flags if row[3] == "市科技局" and row[1] == "未填报进展"]
    for unit, status in table.items():  # a unit is flagged 未报送 exactly when the table says so
        assert (reported.get(unit) == "未报送") == (status == "逾期未报"), unit
    shown = text_of(page)  # what a person reads: no English status, flag or message word
    assert not re.search(
        r"\b(missing|late|pending|submitted|waived|behind|no_data|copied|request|failed)\b", shown
    )
    assert all(re.search(r"[\u4e00-\u9fff]", row[1]) for row in flags)


def test_every_flag_is_shown_paged_and_filtered(portal):  # noqa: F811
    rt, client, requests, clock = portal
    office_login(rt, client)
    for unit in sorted(requests)[:8]:  # every task 受阻: a flag per task and unit
        submit_form(client, link(rt, requests[unit]), status="受阻", every=True)
    clock["now"] = at(D(2025, 10, 20), 10)
    office_login(rt, client)  # the office session lasts 8 hours of the portal's clock
    page = client.get(f"/office?period={q3_id(rt)}").text
    total = int(re.search(r"评估提示（共 (\d+) 条", page).group(1))
    assert total > 50 and "第 1/" in page  # more than a page
    rows = all_flags(client, f"period={q3_id(rt)}")
    assert len(rows) == total and len({tuple(r) for r in rows}) == total
    only = all_flags(client, f"period={q3_id(rt)}&unit=zs-amr")
    assert only and {r[3] for r in only} == {"市市场监管局"}
    overdue = client.get(f"/office?period={q3_id(rt)}&status=overdue").text
    assert set(unit_table(overdue).values()) == {"逾期未报"}
    copied = all_flags(client, f"period={q3_id(rt)}&kind=late")
    assert copied == []  # nobody reported late


def test_any_period_of_the_plan_can_be_shown(portal):  # noqa: F811
    rt, client, _, _ = portal
    office_login(rt, client)
    page = client.get("/office").text
    options = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', page)
    names = [name for _, name in options]
    assert any("2025年第三季度" in n for n in names) and any(
        "2024年" in n or "2026年" in n or "第四季度" in n for n in names
    )
    with rt.sessions() as session:
        q1 = session.scalar(select(Period.id).where(Period.label == "2021Q1"))
    shown = client.get(f"/office?period={q1}").text
    assert "2021年第一季度" in shown and "没有符合条件的单位" in shown


def test_outbox_totals_are_counted_in_the_database(portal):  # noqa: F811
    rt, client, _, _ = portal
    office_login(rt, client)
    with rt.sessions.begin() as session:
        outbox.enqueue_many(session, [
            {"key": f"test:{i}", "channel": "zs-amr", "unit_id": "zs-amr", "kind": "receipt",
             "payload": {"text": "x"}} for i in range(620)
        ], at(D(2025, 10, 9)))  # fmt: skip
        total = session.scalar(select(func.count()).select_from(Notification))
        failed = session.scalar(select(Notification).where(Notification.key == "test:7"))
        failed.status, failed.last_error = (
            "failed",
            "SMTP server unreachable (ConnectionRefusedError)",
        )
    page = client.get("/office").text
    assert f"共 {total} 条：" in page and total > 620
    assert "邮件服务器无法连接（ConnectionRefusedError）" in page and "发送失败 1" in page
    assert "待发送" in page and "pending" not in text_of(page)


def test_the_unit_page_shows_what_it_wrote_in_each_period(portal):  # noqa: F811
    rt, client, requests, _ = portal
    office_login(rt, client)
    submit_form(client, link(rt, requests["zs-amr"]), "牵头制定海洋经济地方标准3项。")
    page = client.get("/office/units/zs-amr").text
    assert "市市场监管局" in page and "2025年第三季度" in page
    assert "牵头制定海洋经济地方标准3项。" in page and "最新报送" in page and "在线填报" in page
    assert client.get("/office/units/nobody").status_code == 404


def test_reassess_from_the_portal_writes_the_displayed_period_and_says_so(portal):  # noqa: F811
    rt, client, _requests, clock = portal
    office_login(rt, client)
    clock["now"] = at(D(2025, 10, 20), 10)
    office_login(rt, client)  # the office session lasts 8 hours of the portal's clock
    token = csrf_of(client.get("/office").text)
    r = client.post("/office/assess", data={"csrf": token, "period": str(q3_id(rt))}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "重新评估完成" in page and "已按当前数据重新评估" in page
    paths = report_paths(rt.reports, "zhoushan-standards-2023", "2025Q3")
    assert paths.xlsx.is_file() and paths.html.is_file() and paths.notice.is_file()
    with rt.sessions() as session:
        last = session.scalars(select(AuditLog).order_by(AuditLog.id.desc())).first()
        assert last.action == "assess" and "2025年第三季度" in last.detail
    assert "重新评估" in page.split("操作记录")[1]
    r = client.get(f"/office/reports/{paths.notice.name}")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    disposition = r.headers["content-disposition"]
    quoted = disposition.split("filename*=UTF-8''")[1]
    assert urllib.parse.unquote(quoted) == "标准强市建设2025年第三季度工作进展情况通报.docx"
    assert disposition.startswith("attachment;") and disposition.isascii()
    assert "工作进展情况（附表）.xlsx" in page


def test_reassess_of_the_final_period_from_the_portal_carries_the_final_assessment(portal):  # noqa: F811
    from openpyxl import load_workbook

    rt, client, _, clock = portal
    tick.run_tick(rt, D(2025, 12, 24), at(D(2025, 12, 24)))
    office_login(rt, client)
    clock["now"] = at(D(2026, 1, 9), 10)  # 2025Q4, the plan's last period, closed on 01-08
    office_login(rt, client)  # the office session lasts 8 hours of the portal's clock
    with rt.sessions() as session:
        q4 = session.scalar(select(Period.id).where(Period.label == "2025Q4"))
    token = csrf_of(client.get(f"/office?period={q4}").text)
    r = client.post("/office/assess", data={"csrf": token, "period": str(q4)})
    assert "含最终评估" in r.text and "2025年第四季度" in r.text
    xlsx = report_paths(rt.reports, "zhoushan-standards-2023", "2025Q4").xlsx
    assert "最终评估" in load_workbook(xlsx, read_only=True).sheetnames


def light_rows(page: str) -> list[list[str]]:
    head = "<th>灯</th><th>单位</th><th>任务</th><th>原因</th>"
    if head not in page:
        return []
    table = page[page.index(head) :]
    table = table[: table.index("</table>")]
    return [[text_of(c) for c in CELL.findall(row)] for row in table.split("<tr>")[1:]]


def test_the_tasks_lights_are_shown_with_their_reasons_and_filtered(portal):  # noqa: F811
    rt, client, requests, _ = portal
    office_login(rt, client)
    submit_form(client, link(rt, requests["zs-amr"]), "协调用地受阻。", status="受阻")
    page = client.get(f"/office?period={q3_id(rt)}").text
    counts = dict(
        re.findall(r"([红黄绿]|办结) (\d+)", re.search(r"任务灯（(.*?)）</h2>", page).group(1))
    )
    rows = light_rows(page)  # by default the red and yellow ones, red first
    assert len(rows) == int(counts.get("红", 0)) + int(counts.get("黄", 0)) > 0
    assert [r[0] for r in rows] == sorted((r[0] for r in rows), key="红黄".index)
    assert all(r[3] for r in rows)  # each with its reason
    assert ["黄", "市市场监管局"] == rows[0][:2] and "自报受阻" in rows[0][3]
    green = light_rows(client.get(f"/office?period={q3_id(rt)}&light=green").text)
    assert len(green) == int(counts["绿"]) and {r[0] for r in green} == {"绿"}
    mine = light_rows(client.get(f"/office?period={q3_id(rt)}&light=green&unit=zs-amr").text)
    assert mine and {r[1] for r in mine} == {"市市场监管局"}
