"""One message layer: every kind a unit, the office or the admin reads comes out of
`notifications/templates/` through `render(kind, context)`, signed the same way."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.render import Signature, render, words
from vocab.words import MessageKind

DAY = dt.date(2025, 10, 14)
SIGNED = Signature("标准强市建设领导小组办公室", "王明", "0580-2281234")
ITEM = {
    "code": "ZS-2025Q3-U01",
    "plan_title": "舟山市标准强市建设实施意见",
    "period_name": "2025年第三季度",
    "due_text": "2025年10月14日（星期二）",
    "programme": "标准强市建设",
    "salutation": "市科技局",
}
NOTICES = {
    MessageKind.RECEIPT: {**ITEM, "received_text": "2025年10月13日 10:05", "late": False},
    MessageKind.REPORT: {
        **ITEM,
        "reporting_rate": "87.5%",
        "on_time_rate": "75%",
        "files": ["通报.docx", "附件.xlsx"],
    },
    MessageKind.ADMIN: {**ITEM, "day_text": "2025年10月14日", "error": "RuntimeError: disk full"},
    MessageKind.TEST: {**ITEM},
    MessageKind.INVITE: {**ITEM, "method": "update"},
}
DIGEST = {
    "programme": "标准强市建设",
    "how_to_submit": "也可通过“在线填报”链接报送",
    "audience": "liaison",
    "salutation": "市科技局",
    "items": [
        {
            **ITEM,
            "request_id": 1,
            "unit_name": "市科技局",
            "overdue_workdays": 0,
            "tasks": [{"ref": "二(一)1", "title": "推动标准化", "role": "牵头"}],
            "targets": [],
        }
    ],
}


@pytest.mark.parametrize("kind", [*NOTICES, MessageKind.REQUEST])
def test_every_kind_is_signed_by_the_office_with_its_contact_and_a_date_without_weekday(
    kind,
) -> None:
    context = DIGEST if kind == MessageKind.REQUEST else NOTICES[kind]
    out = render(kind, context, SIGNED, DAY)
    assert "【" in out.subject or (kind == MessageKind.ADMIN and out.subject.startswith("督办系统"))
    to_units = kind not in (MessageKind.REPORT, MessageKind.ADMIN)
    for body in (out.text, out.html, out.markdown):
        assert "标准强市建设领导小组办公室" in body
        # units are told whom to call; the office and the admin are not given their own number
        assert ("王明" in body and "0580-2281234" in body) == to_units
        assert "回复本邮件" not in body
    signature = out.text.rsplit("标准强市建设领导小组办公室", 1)[1].split("\n")
    assert signature[2 if to_units else 1] == "2025年10月14日"  # a line of its own, no weekday


def test_without_a_contact_the_signature_has_no_empty_line_for_it() -> None:
    out = render(MessageKind.RECEIPT, NOTICES[MessageKind.RECEIPT], Signature("办公室"), DAY)
    assert "联系人" not in out.text and "办公室\n2025年10月14日" in out.text


def test_a_notice_says_what_its_facts_say() -> None:
    receipt = render(MessageKind.RECEIPT, NOTICES[MessageKind.RECEIPT], SIGNED, DAY)
    assert receipt.subject == "【标准强市建设】报送回执：ZS-2025Q3-U01"
    assert "2025年第三季度工作进展" in receipt.text and "2025年10月13日 10:05" in receipt.text
    late = render(MessageKind.RECEIPT, {**NOTICES[MessageKind.RECEIPT], "late": True}, SIGNED, DAY)
    assert "已过截止日期" in late.text and "已过截止日期" not in receipt.text
    report = render(MessageKind.REPORT, NOTICES[MessageKind.REPORT], SIGNED, DAY)
    assert "2025Q3" not in report.subject and "2025年第三季度" in report.subject
    assert "通报.docx、附件.xlsx" in report.text
    cancel = render(MessageKind.INVITE, {**ITEM, "method": "cancel"}, SIGNED, DAY)
    assert "免报" in cancel.subject and "免于报送" in cancel.text


def test_text_from_outside_is_escaped_in_html_and_literal_in_markdown() -> None:
    hostile = "<script>alert(1)</script>[点此](http://evil.example) *x*"
    out = render(MessageKind.ADMIN, {**NOTICES[MessageKind.ADMIN], "error": hostile}, SIGNED, DAY)
    assert "<script>" not in out.html and "&lt;script&gt;" in out.html
    assert "<script>" not in out.markdown and "](http://evil.example)" not in out.markdown
    assert hostile in out.text  # the plain text says exactly what happened


def test_calendar_and_report_notes_come_from_the_templates_too() -> None:
    assert (
        words("calendar_summary", ITEM)
        == "标准强市建设：报送2025年第三季度工作进展（ZS-2025Q3-U01）"
    )
    assert words("missed_note", {"days": ["2025年10月10日"]}).endswith("2025年10月10日。")


def test_a_value_shared_by_two_vocabularies_has_each_ones_word() -> None:
    from vocab import zh
    from vocab.words import OutboxStatus, RequestStatus

    assert zh.word("pending", RequestStatus) == "待报"
    assert zh.word("pending", OutboxStatus) == "待发送"
    assert zh.word(RequestStatus.PENDING) == "待报"
    assert zh.word("推进中") == "推进中"  # a unit's own words pass through


def test_an_attachment_type_with_parameters_keeps_them_and_the_message_its_key() -> None:
    from notifications.compose import ICS_NAME, ics_type
    from notifications.mail import Attachment, build_email

    email = build_email(
        key="digest:2025-10-14:zs-sti",
        subject="主题",
        text="正文",
        html="<p>正文</p>",
        sender=("办公室", "office@duban.test"),
        to=[("市科技局", "sti@duban.test")],
        attachments=[Attachment(ICS_NAME, b"BEGIN:VCALENDAR\r\n", ics_type("REQUEST"))],
        when=dt.datetime(2025, 10, 14, 1, tzinfo=dt.UTC),
        domain="duban.test",
    )
    assert email["X-Duban-Key"] == "digest:2025-10-14:zs-sti"
    (part,) = [p for p in email.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("charset") == "utf-8" and part.get_param("method") == "REQUEST"
