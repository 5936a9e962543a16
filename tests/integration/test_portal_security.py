"""The portal as an attacker meets it (issue 22): script in a unit's text, odd paths, uploads,
sign-in. Through the real app (TestClient); the concurrent sign-in runs on each backend."""

from __future__ import annotations

import email
import html
import re
from email import policy

import pytest

from flows import steps, tick

from ..conftest import at, fill_template
from .test_portal import D, csrf_of, ensure, link, office_login, portal  # noqa: F401

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    '<meta http-equiv=refresh content="0;url=http://evil.example">',
]
POISON = "".join(PAYLOADS)
RAW_TAGS = ("<script", "<img src=x", "<meta http-equiv=refresh", 'href="javascript:')


def raw_tags_in(text: str) -> list[str]:
    return [tag for tag in RAW_TAGS if tag in text]


def submit_poison_by_form(client, url) -> None:
    page = client.get(url).text
    form = {"csrf": csrf_of(page)}
    for task_id in re.findall(r'name="status_(\d+)"', page):
        form[f"status_{task_id}"], form[f"text_{task_id}"] = "推进中", POISON
    for target_id in re.findall(r'name="value_(\d+)"', page):  # a whole answer, not a 暂存
        form[f"value_{target_id}"] = "12"
    form |= {"problems": POISON, "next_steps": POISON, "filler": POISON}
    r = client.post(url, data=form)
    assert r.status_code == 200 and "报送成功" in r.text


def submit_poison_by_upload(rt, client, request) -> None:
    url = link(rt, request)
    filled = fill_template(ensure(rt, request), text=POISON)
    r = client.post(
        url + "/upload",
        data={"csrf": csrf_of(client.get(url).text)},
        files={"file": ("进展.xlsx", filled, "application/octet-stream")},
    )
    assert r.status_code == 200 and "报送成功" in r.text, r.text


def test_a_units_script_comes_out_as_text_everywhere_it_is_shown(portal):  # noqa: F811
    rt, client, requests, _clock = portal
    submit_poison_by_form(client, link(rt, requests["zs-amr"]))
    submit_poison_by_upload(rt, client, requests["zs-sti"])
    for unit in ("zs-amr", "zs-sti"):
        page = client.get(link(rt, requests[unit])).text
        assert html.escape(PAYLOADS[0], quote=False) in page and not raw_tags_in(page)
    assert office_login(rt, client).status_code == 303
    token = csrf_of(client.get("/office").text)
    assert client.post("/office/assess", data={"csrf": token}).status_code == 200
    dashboard = client.get("/office").text
    assert "报送总览" in dashboard and not raw_tags_in(dashboard)
    reports = re.findall(r'href="/office/reports/([^"]+\.html)"', dashboard)
    assert reports
    for name in reports:
        served = client.get(f"/office/reports/{name}")
        assert served.status_code == 200 and not raw_tags_in(served.text)
        assert "sandbox" in served.headers["content-security-policy"]
        on_disk = (rt.reports / name).read_text("utf-8")
        assert html.escape(PAYLOADS[0], quote=False) in on_disk and not raw_tags_in(on_disk)
        # opened from disk after download, the page itself forbids scripts and navigation
        assert re.search(
            r'<meta http-equiv="Content-Security-Policy" content="[^"]*default-src \'none\'',
            on_disk,
        )
    # the receipts and the next days' reminders, as they would be sent by mail and DingTalk
    tick.run_tick(rt, D(2025, 10, 13), at(D(2025, 10, 13)))
    steps.dispatch_outbox(rt, lambda: at(D(2025, 10, 13), 10))
    sent = list((rt.var_dir / "outbox").rglob("*.eml"))
    assert len(sent) >= 3
    for path in sent:
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(("html",))
        assert body is not None and not raw_tags_in(body.get_content()), path
    for path in (rt.var_dir / "outbox").rglob("*.dingtalk.md"):
        assert not raw_tags_in(path.read_text("utf-8")), path


CSP_MUST = ("default-src 'none'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
            "base-uri 'none'", "form-action 'self'")  # fmt: skip


@pytest.mark.parametrize(
    "path",
    ["/office/login", "/u/not-a-token", "/static/portal.css", "/no/such/page", "/office"],
)
def test_every_answer_carries_a_restrictive_policy(portal, path):  # noqa: F811
    _, client, _, _ = portal
    r = client.get(path, follow_redirects=False)
    policy_ = r.headers["content-security-policy"]
    assert all(part in policy_ for part in CSP_MUST), policy_
    assert "unsafe-inline" not in policy_ and "unsafe-eval" not in policy_
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_odd_paths_answer_not_found_never_a_server_error(portal):  # noqa: F811
    rt, client, requests, _ = portal
    url = link(rt, requests["zs-amr"])
    for path in (
        url + "/template.html%00.xlsx",
        url + "%00/template.xlsx",
        "/u/x/%2e%2e/%2e%2e/duban.db",
        "/u/x/template.html%00.xlsx",
        "/static/%2e%2e/app.py",
        "/static/..%2Fapp.py",
    ):
        r = client.get(path)
        assert r.status_code in (403, 404), (path, r.status_code)
    office_login(rt, client)
    token = csrf_of(client.get("/office").text)
    for row in ("99999999999999999999999", "-1", "1e3", "0", "²", "１２"):
        r = client.post(f"/office/outbox/{row}/resend", data={"csrf": token})
        assert r.status_code == 404 and "没有" in r.text, (row, r.status_code)
    for name in (
        "..%2F..%2Fduban.db",
        "%2e%2e",
        "x%00.html",
        "..%5Creport.html",
        "a" * 300 + ".html",
    ):
        r = client.get(f"/office/reports/{name}")
        assert r.status_code == 404, (name, r.status_code)
    assert client.post("/office/requests/%00/waive", data={"csrf": token}).status_code in (404, 422)


def test_a_dashboard_from_a_remote_sign_in_never_runs_inline_script(portal):  # noqa: F811
    rt, client, _, _ = portal
    office_login(rt, client)
    dashboard = client.get("/office").text
    assert "<script" not in dashboard and " style=" not in dashboard and "<style" not in dashboard


# --- uploads ---------------------------------------------------------------------------------


def test_an_upload_with_a_bad_link_is_refused_before_its_body_is_read(portal, monkeypatch):  # noqa: F811
    import tempfile

    _rt, client, _requests, _ = portal
    spooled: list[object] = []
    real = tempfile.SpooledTemporaryFile

    def watch(*args, **kwargs):  # type: ignore[no-untyped-def]
        spooled.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "SpooledTemporaryFile", watch)
    import starlette.formparsers

    monkeypatch.setattr(starlette.formparsers, "SpooledTemporaryFile", watch)
    body = b"PK" + b"0" * 150_000
    r = client.post(
        "/u/forged-token/upload",
        data={"csrf": "0" * 64},
        files={"file": ("x.xlsx", body, "application/octet-stream")},
    )
    assert r.status_code == 403 and spooled == []


def test_an_upload_past_the_cap_answers_413_in_chinese(portal):  # noqa: F811
    rt, client, requests, _ = portal
    url = link(rt, requests["zs-sti"])
    token = csrf_of(client.get(url).text)
    big = {"file": ("big.xlsx", b"PK" + b"0" * 300_000, "application/octet-stream")}
    r = client.post(url + "/upload", data={"csrf": token}, files=big)
    assert r.status_code == 413 and "文件超过 195 KB" in r.text and "<html" in r.text
    declared = client.post(url + "/upload", content=b"x" * 10, headers={
        "content-type": "multipart/form-data; boundary=b", "content-length": "900000000"})  # fmt: skip
    assert declared.status_code == 413 and "文件超过" in declared.text


def test_a_good_upload_still_goes_through(portal):  # noqa: F811
    rt, client, requests, _ = portal
    url = link(rt, requests["zs-sti"])
    token = csrf_of(client.get(url).text)
    mine = fill_template(ensure(rt, requests["zs-sti"]))
    r = client.post(url + "/upload", data={"csrf": token},
                    files={"file": ("sti.xlsx", mine, "application/octet-stream")})  # fmt: skip
    assert r.status_code == 200 and "报送成功" in r.text
    r = client.post(url + "/upload", data={"csrf": "0" * 64},
                    files={"file": ("sti.xlsx", mine, "application/octet-stream")})  # fmt: skip
    assert r.status_code == 403
    r = client.post(url + "/upload", data={"csrf": token})
    assert r.status_code == 415 and "xlsx" in r.text


def test_a_plain_text_message_is_escaped_in_its_email_html(portal):  # noqa: F811
    from notifications import outbox

    rt, _, _, _ = portal
    text = f"2025-10-13 的日常任务运行失败：文件 {POISON}.xlsx 无法读取\n请查看日志。"
    with rt.sessions.begin() as session:
        outbox.enqueue(session, key="admin:tick:2025-10-13:x", recipient="admin", unit_id=None, kind="admin",
                       subject="督办系统：运行失败", payload={"text": text, "salutation": "系统管理员"},
                       now=at(D(2025, 10, 13)))  # fmt: skip
    steps.dispatch_outbox(rt, lambda: at(D(2025, 10, 13), 10))
    (sent,) = (rt.var_dir / "outbox").rglob("admin*.eml")
    body = email.message_from_bytes(sent.read_bytes(), policy=policy.default).get_body(("html",))
    content = body.get_content()
    assert not raw_tags_in(content) and html.escape(PAYLOADS[0]) in content and "<br>" in content
