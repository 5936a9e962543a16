"""No secret anywhere: a whole run through the command line — 通讯录 import with robot tokens and
加签 secrets, export, a tick that mails through an SMTP server requiring a password and sends
by robot and work notification, a robot that refuses, the outbox listing — with every log line
at DEBUG level captured, and none of the robot secret, the SMTP password or the app secret in
any output, log, export, message, outbox row or delivery log."""

from __future__ import annotations

import json
import logging
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select
from typer.testing import CliRunner

from db import make_engine
from db.models import DeliveryLog, Notification
from duban.cli import app
from tasks_catalog.paths import DATA_DIR

from ..dingtalk_peer import DingTalkWorkPeer
from ..servers import DingTalkRobot, Inbox, free_port
from .test_contacts import workbook

TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0"
ROBOT_SECRET = "SECb1f3e5d7c9a0b2d4f6e8a1c3e5d7f9b0a2c4e6"
WRONG_SECRET = "SECa0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"  # a second robot that rejects it
SMTP_USER, SMTP_PASSWORD = "duban-mailer", "Smtp-Pa55/word&=never"
APP_KEY, APP_SECRET, AGENT_ID = "dingsecrettest", "App-S3cret-Value-0123456789", 31_415
OTHER_TOKEN = "1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef"
SECRETS = (ROBOT_SECRET, WRONG_SECRET, SMTP_PASSWORD, APP_SECRET, TOKEN, OTHER_TOKEN)


class AuthInbox(Inbox):
    """The local SMTP server's inbox; it accepts only our user and password."""


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        SMTP_USER.encode(),
        SMTP_PASSWORD.encode(),
    )
    return AuthResult(success=ok)


@pytest.fixture
def smtp():
    inbox = AuthInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_require_tls=False, auth_required=True)  # fmt: skip
    controller.start()
    yield port, inbox
    controller.stop()


@pytest.fixture
def dingtalk():
    """One host for both APIs, as oapi.dingtalk.com is: robots and work notifications."""
    peer = DingTalkWorkPeer(APP_KEY, APP_SECRET, AGENT_ID, ["wangfang01", "zhaomin03"])
    robots = {
        TOKEN: DingTalkRobot(TOKEN, ROBOT_SECRET),
        OTHER_TOKEN: DingTalkRobot(OTHER_TOKEN, WRONG_SECRET),
    }
    work = peer.answer

    def answer(method, path, query, body):  # type: ignore[no-untyped-def]
        if path == "/robot/send":
            robot = robots.get(query.get("access_token", [""])[0], robots[TOKEN])
            return 200, robot.answer(path, query, body)
        return work(method, path, query, body)

    peer.answer = answer  # type: ignore[method-assign]
    peer.start()
    yield peer, robots
    peer.stop()


def office_pages() -> str:
    """The office's pages, the 通讯录 and a unit's form (also refused with an error) included."""
    from fastapi.testclient import TestClient

    from duban.bootstrap import build_portal
    from duban.settings import Settings

    client = TestClient(build_portal(Settings()))
    login = client.get("/office/login").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', login)
    assert csrf is not None
    client.post("/office/login", data={"username": "bgs", "password": "correct horse battery",
                                       "csrf": csrf.group(1)})  # fmt: skip
    pages = [client.get(p).text for p in ("/office", "/office/contacts", "/office/contacts/zs-sti")]
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', pages[-1]))
    assert form["robot_secret"] == "****"
    pages.append(client.post("/office/contacts/zs-sti", data=form | {"liaison_mobile": "1"}).text)
    assert "请写 11 位手机号" in pages[-1]
    return "\n".join(pages)


def xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def test_no_secret_in_any_output_log_export_message_or_outbox_row(
    tmp_path, monkeypatch, smtp, dingtalk, caplog
):
    port, inbox = smtp
    peer, robots = dingtalk
    (tmp_path / "smtp.pw").write_text(SMTP_PASSWORD)
    (tmp_path / "app.secret").write_text(APP_SECRET)
    env = {
        "DUBAN_VAR_DIR": str(tmp_path / "var"),
        "DUBAN_SEND_HOURS": "always",
        "DUBAN_SMTP_URL": f"smtp://{SMTP_USER}@127.0.0.1:{port}?from=office@duban.test&tls=none",
        "DUBAN_SMTP_PASSWORD_FILE": str(tmp_path / "smtp.pw"),
        "DUBAN_DINGTALK_BASE_URL": peer.base_url,
        "DUBAN_DINGTALK_APP_KEY": APP_KEY,
        "DUBAN_DINGTALK_APP_SECRET_FILE": str(tmp_path / "app.secret"),
        "DUBAN_DINGTALK_AGENT_ID": str(AGENT_ID),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("DUBAN_DATABASE_URL", raising=False)
    caplog.set_level(logging.DEBUG)
    sti = ["市科技局", "王芳", "13800000001", "sti@duban.test", "wangfang01", "李强", "",
           "sti.leader@duban.test", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}",
           ROBOT_SECRET, ""]  # fmt: skip
    amr = [
        "市市场监管局",
        "赵敏",
        "13800000003",
        "amr@duban.test",
        "zhaomin03",
        "",
        "",
        "",
        OTHER_TOKEN,
        ROBOT_SECRET,
        "",
    ]  # fmt: skip  (this robot expects another secret)
    bad = list(sti)
    bad[9] = ROBOT_SECRET + "!"  # a bad secret: the error must not echo it
    (tmp_path / "good.xlsx").write_bytes(workbook(sti, amr))
    (tmp_path / "bad.xlsx").write_bytes(workbook(bad))
    catalog = tmp_path / "catalog"  # one plan: the tick's work stays small
    catalog.mkdir()
    for name in ("units.yaml", "zhoushan-standards-2023.yaml"):
        shutil.copy(DATA_DIR / name, catalog / name)
    runner = CliRunner()
    outputs = []
    for args in (
        ["catalog", "load", "--dir", str(catalog)],
        ["contacts", "import", str(tmp_path / "bad.xlsx"), "--jurisdiction", "zhoushan"],
        ["contacts", "import", str(tmp_path / "good.xlsx"), "--jurisdiction", "zhoushan"],
        ["contacts", "office", "--name", "陈静", "--phone", "0580-2280000"],
        ["contacts", "export", "--output", str(tmp_path / "export.xlsx")],
        ["tick", "--as-of", "2025-09-24"],
        ["outbox", "--format", "json"],
        ["outbox", "--status", "failed"],
        ["office", "add-user", "bgs", "--password", "correct horse battery"],
    ):
        result = runner.invoke(app, args)
        outputs.append(f"$ duban {' '.join(args)}\n{result.stdout}\n{result.stderr}")
    run = "\n".join(outputs)
    assert "加签密钥" in run and "已导入 good.xlsx" in run  # the run did what it should
    assert {"sti@duban.test", "amr@duban.test"} <= {
        r for _, rcpts in inbox.envelopes for r in rcpts
    }
    assert robots[TOKEN].received and not robots[OTHER_TOKEN].received
    assert peer.received["wangfang01"] and peer.received["zhaomin03"]
    with make_engine(f"sqlite:///{tmp_path / 'var' / 'duban.db'}").connect() as conn:
        rows = conn.execute(select(Notification.last_error, Notification.payload)).all()
        logs = conn.execute(select(DeliveryLog)).all()
        dump = "\n".join(conn.connection.driver_connection.iterdump())  # what a backup holds
    assert "sealed:" in dump  # the robots' secrets are there, sealed
    assert any(e and "310000" in e for e, _ in rows)  # the refusing robot was recorded
    assert "robot/send" in caplog.text and "gettoken" in caplog.text  # urllib3's DEBUG lines
    messages = [m.as_string() for m in inbox.messages]
    received = json.dumps(
        [peer.received, [r.received for r in robots.values()]], ensure_ascii=False
    )
    places = {
        "command output": run,
        "log": caplog.text + "\n".join(r.getMessage() for r in caplog.records),
        "export": xlsx_text(tmp_path / "export.xlsx"),
        "messages": "\n".join(messages) + received,
        "outbox": json.dumps([[e, p] for e, p in rows], ensure_ascii=False) + repr(logs),
        "pages": office_pages(),
        "database dump": dump,
    }
    for where, content in places.items():
        for secret in SECRETS:
            assert secret not in content, f"a secret in the {where}"
            assert secret[3:-3] not in content, f"part of a secret in the {where}"
