"""`duban demo --contacts F.xlsx`: the demo's messages go to the 通讯录's addresses over a real
(local) SMTP server, signed with the office contact of its 办公室 sheet."""

from __future__ import annotations

import datetime as dt

from duban.bootstrap import build_runtime
from duban.cli.demo import demo_contacts
from duban.demo import demo_plans, run_demo
from duban.settings import Settings
from notifications.contact_channels import ContactChannel
from tasks_catalog.check import check_catalog
from tasks_catalog.directory import Directory
from tasks_catalog.loader import load_catalog

from ..conftest import SHANGHAI
from ..integration.test_contacts import AMR, STI, workbook
from ..servers import SmtpServer

NOW = dt.datetime(2026, 1, 6, 10, 30, tzinfo=SHANGHAI)


def test_the_demo_delivers_to_the_contacts_of_its_contact_list(tmp_path):
    smtp = SmtpServer().start()
    try:
        settings = Settings(var_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'duban.db'}",
                            smtp_url=f"smtp://127.0.0.1:{smtp.port}?from=office@duban.test&tls=none")  # fmt: skip
        rt = build_runtime(settings)
        plans, _ = check_catalog()
        with rt.sessions.begin() as session:
            load_catalog(session, demo_plans(plans, 2026), Directory.load(), NOW.replace(day=1))
        path = tmp_path / "通讯录.xlsx"
        path.write_bytes(workbook([*STI[:8], "", "", ""], AMR, office=("陈静", "0580-2280000")))
        said = demo_contacts(settings, path, NOW)
        assert said == "通讯录 通讯录.xlsx：2 个单位的消息按通讯录发送（邮件、钉钉）"
        rt = build_runtime(settings)
        assert isinstance(rt.channel, ContactChannel)
        run_demo(rt, dt.date(2026, 1, 1), dt.date(2026, 1, 6), NOW)
    finally:
        smtp.stop()
    to = {m["To"].addresses[0].addr_spec for m in smtp.inbox.messages}
    assert {"sti@duban.test", "amr@duban.test"} <= to  # the addresses the file gives, no others
    assert to <= {"sti@duban.test", "amr@duban.test", "sti.leader@duban.test"}
    mail = smtp.inbox.messages[0]
    assert "联系人：陈静，联系电话：0580-2280000" in mail.get_body(("plain",)).get_content()
