"""Channels built from the 通讯录: the demo's messages reach the contacts' addresses over real
SMTP, their group robot with a valid signature and their userid by work notification (a local
DingTalk-compatible peer), and an Apprise configuration file adds to them."""

from __future__ import annotations

import datetime as dt

import pytest
from apprise.plugins.email import NotifyEmail
from sqlalchemy import select

from db.models import Notification, UnitContact
from duban.bootstrap import make_channel
from duban.settings import Settings
from flows import steps, tick
from flows.runtime import Runtime
from notifications.channels import FileOutbox
from notifications.contact_channels import ContactChannel, SmtpSettings
from notifications.delivery import ChannelConfigError
from notifications.dingtalk_work import DingTalkWorkNotifier
from notifications.links import Links
from notifications.pacing import Pacer
from tasks_catalog.contacts_sheet import import_contacts

from ..conftest import NOW, at
from ..dingtalk_peer import DingTalkWorkPeer
from ..servers import DingTalkRobot, SmtpServer
from .test_contacts import workbook

D = dt.date
DAY = D(2025, 9, 24)
TOKEN, SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f90", "SEC0123456789abcdef0123"
APP_KEY, APP_SECRET, AGENT_ID = "dingappkey42", "s3cr3t-app-secret-value", 2_718_281
STI = ["市科技局", "王芳", "13800000001", "sti@duban.test", "wangfang01", "李强", "13900000002",
       "sti.leader@duban.test", TOKEN, SECRET, ""]  # fmt: skip
AMR = ["市市场监管局", "赵敏", "13800000003", "amr@duban.test", "zhaomin03", "", "", "", "", "", ""]
SMTP_PASSWORD = "smtp-pa55word-never-shown"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def robot(monkeypatch):
    server = DingTalkRobot(TOKEN, SECRET).start()
    monkeypatch.setenv("DUBAN_DINGTALK_BASE_URL", server.base_url)
    yield server
    server.stop()


@pytest.fixture
def peer():
    clock = lambda: at(DAY, 10)  # noqa: E731
    server = DingTalkWorkPeer(APP_KEY, APP_SECRET, AGENT_ID, ["wangfang01", "zhaomin03"], clock)
    yield server.start()
    server.stop()


def with_contacts(runtime: Runtime) -> None:
    with runtime.sessions.begin() as session:
        import_contacts(session, workbook(STI, AMR), "通讯录.xlsx", NOW, "test")


def contact_runtime(runtime: Runtime, channel) -> Runtime:
    links = Links("k" * 32, "https://duban.example.gov.cn", 30)
    return Runtime(runtime.sessions, runtime.var_dir, runtime.calendar, channel, runtime.messages,
                   links=links)  # fmt: skip


def work_notifier(peer: DingTalkWorkPeer) -> DingTalkWorkNotifier:
    return DingTalkWorkNotifier(peer.base_url, APP_KEY, APP_SECRET, AGENT_ID,
                                clock=lambda: at(DAY, 10), sleep=lambda s: None)  # fmt: skip


def test_messages_reach_the_contacts_by_mail_robot_and_work_notification(
    runtime, smtp, robot, peer, tmp_path
):
    with_contacts(runtime)
    extra = tmp_path / "apprise.txt"
    extra.write_text(
        f"zs-sti=mailto://127.0.0.1:{smtp.port}?from=office@duban.test&to=extra@duban.test\n",
        encoding="utf-8",
    )
    from notifications.delivery import AppriseChannel

    config = AppriseChannel.from_config(extra).apprise
    smtp_settings = SmtpSettings.parse(
        f"smtp://127.0.0.1:{smtp.port}?from=office@duban.test&tls=none", None, "x@duban.test"
    )
    clock = lambda: at(DAY, 10)  # noqa: E731
    channel = ContactChannel(runtime.sessions, config, smtp_settings, work_notifier(peer),
                             Pacer(runtime.sessions), clock)  # fmt: skip
    rt = contact_runtime(runtime, channel)
    tick.run_tick(rt, DAY, at(DAY))
    steps.dispatch_outbox(rt, clock)
    to = {m["To"].addresses[0].addr_spec for m in smtp.inbox.messages}
    assert {"sti@duban.test", "amr@duban.test", "extra@duban.test"} <= to  # the file adds
    sti = next(m for m in smtp.inbox.messages if m["To"].addresses[0].addr_spec == "sti@duban.test")
    assert sti["Subject"] == "【标准强市建设】关于报送2025年第三季度工作进展的通知"
    assert smtp.inbox.envelopes[0][0] == "office@duban.test"
    assert len(robot.received) == 1 and "@13800000001" in robot.received[0]["markdown"]["text"]
    for userid in ("wangfang01", "zhaomin03"):
        (msg,) = peer.received[userid]
        assert "关于报送2025年第三季度工作进展的通知" in msg["action_card"]["title"]
        assert "###### 消息编号" in msg["action_card"]["markdown"]
        assert msg["action_card"]["single_url"].startswith("https://duban.example.gov.cn/")
    with runtime.sessions() as session:
        rows = {n.channel: n for n in session.scalars(select(Notification))}
    assert rows["zs-sti"].status == "sent" and rows["zs-amr"].status == "sent"
    assert rows["zs-sti"].last_error is None
    assert rows["zs-eit"].status == "undeliverable"  # no contacts, no line in the file


def test_settings_choose_the_contact_channel_and_read_the_password_from_its_file(
    runtime, smtp, tmp_path
):
    password = tmp_path / "smtp.pw"
    password.write_text(SMTP_PASSWORD + "\n")
    plain = Settings(var_dir=tmp_path / "var")
    assert isinstance(make_channel(plain, runtime.sessions), FileOutbox)  # nothing to reach yet
    settings = Settings(
        var_dir=tmp_path / "var",
        smtp_url=f"smtp://duban@127.0.0.1:{smtp.port}?from=office@duban.test&tls=none",
        smtp_password_file=password,
    )
    channel = make_channel(settings, runtime.sessions)
    assert isinstance(channel, ContactChannel)
    assert channel.smtp_settings is not None and channel.smtp_settings.password == SMTP_PASSWORD
    with_contacts(runtime)
    shown = [channel._name(s)[1] for s in channel.servers("zs-sti:leader")]
    assert shown == [f"mailto://duban:****@127.0.0.1:{smtp.port}/sti.leader%40duban.test"]
    assert SMTP_PASSWORD not in repr(channel.servers("zs-sti"))


def test_a_robot_in_the_contacts_is_enough_to_use_them(runtime, tmp_path):
    with_contacts(runtime)
    assert isinstance(make_channel(Settings(var_dir=tmp_path), runtime.sessions), ContactChannel)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtp://u:pw@mail.example.gov.cn", "DUBAN_SMTP_PASSWORD_FILE"),
        ("http://mail.example.gov.cn", "smtp://用户名@主机"),
        ("smtp://mail.example.gov.cn?tls=maybe", "tls= 只能是"),
    ],
)
def test_an_unusable_smtp_url_says_what_to_write(url: str, says: str) -> None:
    with pytest.raises(ChannelConfigError) as caught:
        SmtpSettings.parse(url, None, "office@duban.test")
    assert says in str(caught.value) and "pw" not in str(caught.value).replace("PASSWORD", "")


def test_smtp_defaults_follow_the_scheme() -> None:
    assert SmtpSettings.parse("smtps://a@h", "p", "o@x").port == 465
    started = SmtpSettings.parse("smtp://a@h?from=bgs@x", "p", "o@x")
    assert (started.port, started.mode, started.sender) == (587, "starttls", "bgs@x")


CONTACT = "联系人：陈静，联系电话：0580-2280000"


def set_office(runtime: Runtime) -> None:
    from tasks_catalog.contacts import set_office_contact

    with runtime.sessions.begin() as session:
        set_office_contact(session, "陈静", "0580-2280000", NOW)


def test_every_message_a_unit_receives_carries_the_office_contact(runtime, smtp, robot, peer):
    with_contacts(runtime)
    set_office(runtime)
    smtp_settings = SmtpSettings.parse(
        f"smtp://127.0.0.1:{smtp.port}?tls=none", None, "o@duban.test"
    )
    clock = lambda: at(DAY, 10)  # noqa: E731
    channel = ContactChannel(runtime.sessions, None, smtp_settings, work_notifier(peer),
                             Pacer(runtime.sessions), clock)  # fmt: skip
    rt = contact_runtime(runtime, channel)
    tick.run_tick(rt, DAY, at(DAY))
    steps.dispatch_outbox(rt, clock)
    with runtime.sessions() as session:
        code = session.scalars(
            select(Notification.payload).where(Notification.channel == "zs-sti")
        ).first()["items"][0]["code"]
    steps.change_deadline(rt, code, at(DAY, 11), new_due=D(2025, 10, 20))  # an invite
    steps.dispatch_outbox(rt, lambda: at(DAY, 11))
    assert len(smtp.inbox.messages) >= 3
    for mail in smtp.inbox.messages:
        plain = mail.get_body(("plain",)).get_content()
        assert CONTACT in plain and CONTACT in mail.get_body(("html",)).get_content()
        assert "回复本邮件" not in plain and "星期" not in plain.strip().splitlines()[-1]
    invite = next(m for m in smtp.inbox.messages if "截止日期调整" in str(m["Subject"]))
    assert CONTACT in invite.get_body(("plain",)).get_content()
    robot_text = robot.received[0]["markdown"]["text"]
    assert CONTACT in robot_text and "附件" not in robot_text and "回复" not in robot_text
    work = peer.received["wangfang01"][0]["action_card"]["markdown"]
    assert CONTACT in work and "附件" not in work


def test_a_signature_is_dated_without_weekday_and_the_office_digest_has_no_contact_line():
    from notifications.render import Signature, render

    item = {"request_id": 1, "unit_name": "市科技局", "plan_title": "意见", "period_name": "2025年第三季度",
            "code": "Q3-STI", "due_text": "2025年10月14日（星期二）", "overdue_workdays": 6,
            "tasks": [], "targets": []}  # fmt: skip
    context = {"programme": "标准强市建设", "how_to_submit": "交至办公室", "audience": "office",
               "salutation": "领导小组办公室", "items": [item]}  # fmt: skip
    office = render(
        "escalation", context, Signature("办公室", "陈静", "0580-2280000"), D(2025, 10, 22)
    )
    assert CONTACT not in office.text and office.text.rstrip().splitlines()[-3] == "2025年10月22日"


def test_channels_test_reaches_a_unit_s_contacts(tmp_path, monkeypatch, smtp):
    import shutil

    from typer.testing import CliRunner

    from duban.cli import app
    from tasks_catalog.paths import DATA_DIR

    monkeypatch.setenv("DUBAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv(
        "DUBAN_SMTP_URL", f"smtp://127.0.0.1:{smtp.port}?from=bgs@duban.test&tls=none"
    )
    monkeypatch.delenv("DUBAN_DATABASE_URL", raising=False)
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    for name in ("units.yaml", "zhoushan-standards-2023.yaml"):
        shutil.copy(DATA_DIR / name, catalog / name)
    (tmp_path / "c.xlsx").write_bytes(workbook([*STI[:8], "", "", ""]))
    runner = CliRunner()
    assert runner.invoke(app, ["catalog", "load", "--dir", str(catalog)]).exit_code == 0
    assert runner.invoke(app, ["contacts", "import", str(tmp_path / "c.xlsx")]).exit_code == 0
    result = runner.invoke(app, ["channels", "test", "zs-sti:leader"])
    assert result.exit_code == 0, result.output
    assert "sti.leader%40duban.test" in result.stdout and "成功" in result.stdout
    assert [m["To"].addresses[0].addr_spec for m in smtp.inbox.messages] == [
        "sti.leader@duban.test"
    ]
    result = runner.invoke(app, ["channels", "test", "zs-eit"])
    assert result.exit_code == 1 and "标签 'zs-eit' 没有通道" in result.stderr


def test_a_changed_contact_reaches_the_channel_within_a_minute(runtime):
    with_contacts(runtime)
    now = {"at": at(DAY, 10)}
    smtp_settings = SmtpSettings.parse("smtp://127.0.0.1:2525?tls=none", None, "o@duban.test")
    channel = ContactChannel(runtime.sessions, None, smtp_settings, clock=lambda: now["at"])

    def addresses() -> list[str]:
        mail = [s for s in channel.servers("zs-sti") if isinstance(s, NotifyEmail)]
        return [address for s in mail for _, address in s.targets]

    assert addresses() == ["sti@duban.test"]
    with runtime.sessions.begin() as session:
        session.get(UnitContact, "zs-sti").liaison_email = "new@duban.test"
    now["at"] += dt.timedelta(seconds=30)
    assert addresses() == ["sti@duban.test"]  # read again at most once a minute
    now["at"] += dt.timedelta(seconds=31)
    assert addresses() == ["new@duban.test"]
    for _ in range(3):
        now["at"] += dt.timedelta(minutes=1)
        [channel._name(s) for s in channel.servers("zs-sti")]
    assert len(channel._names) <= len(channel.servers("zs-sti"))  # old servers are let go
