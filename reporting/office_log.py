"""The office's outbox and audit log as the dashboard shows them: counts from SQL (every row,
not the latest few hundred), the newest rows waiting or failed, and the log in Chinese (lines
earlier versions wrote in English said as the log now says them)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.models import AuditLog, Notification
from vocab.words import OutboxStatus

PROBLEMS = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERABLE, OutboxStatus.PENDING)
# The outbox's own words (vocab.zh.WORDS gives "failed" the tick's 失败: keys shared by enums).
OUTBOX_WORDS = {
    OutboxStatus.PENDING: "待发送",
    OutboxStatus.SENDING: "发送中",
    OutboxStatus.SENT: "已发送",
    OutboxStatus.FAILED: "发送失败",
    OutboxStatus.UNDELIVERABLE: "无法送达",
    OutboxStatus.CANCELLED: "已取消",
}
ACTIONS = {
    "login": "登录",
    "logout": "退出",
    "extend": "延期",
    "waive": "免报",
    "resend": "重发",
    "assess": "重新评估",
    "adjust": "调整考核分",
}


@dataclass(frozen=True)
class OutboxView:
    counts: dict[str, int]  # Chinese status → rows, all of them (SQL counts)
    total: int
    problems: list[Notification]  # the newest of those failed, undeliverable or waiting
    problem_total: int


def outbox_view(session: Session, limit: int = 50) -> OutboxView:
    counts = dict(
        session.execute(
            select(Notification.status, func.count()).group_by(Notification.status)
        ).all()
    )
    waiting_last = case((Notification.status == OutboxStatus.PENDING, 1), else_=0)
    problems = list(
        session.scalars(
            select(Notification)
            .where(Notification.status.in_(PROBLEMS))
            .order_by(waiting_last, Notification.id.desc())  # what failed first, then what waits
            .limit(limit)
        )
    )
    return OutboxView(
        {OUTBOX_WORDS.get(OutboxStatus(s), s): n for s, n in sorted(counts.items())},
        sum(counts.values()),
        problems,
        sum(n for s, n in counts.items() if s in PROBLEMS),
    )


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    actor: str
    action: str
    target: str
    detail: str


def audit_lines(session: Session, limit: int = 20) -> list[AuditLine]:
    rows = session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(limit))
    return [
        AuditLine(
            a.at,
            a.actor,
            ACTIONS.get(a.action, a.action),
            TARGETS.get(a.target, a.target),
            audit_detail(a.detail or ""),
        )
        for a in rows
    ]


TARGETS = {"office": "办公室页面", "periods in play": "在报的报送期"}
# What earlier versions wrote in English, as the log now says it.
_OLD_DETAILS = [
    (
        re.compile(r"^(\S+): waived, invite sequence (\d+)$"),
        r"\1：已免报，日程已取消（日程第 \2 次更新）",
    ),
    (
        re.compile(r"^(\S+): due (\S+), invite sequence (\d+)$"),
        r"\1：截止日期改为 \2（日程第 \3 次更新）",
    ),
    (re.compile(r"^requeued (\d+)$"), r"已重新排队 \1 条"),
    (re.compile(r"^(\d+) report\(s\)$"), r"写出报告 \1 份"),
]


def audit_detail(detail: str) -> str:
    for pattern, words in _OLD_DETAILS:
        if pattern.match(detail):
            return pattern.sub(words, detail)
    return detail


# The delivery's English errors, said in Chinese for the office (the original kept as a gloss
# for IT); the DingTalk ones are Chinese already.
_ERRORS = [
    (re.compile(r"^SMTP login refused \((\d+)\)$"), r"邮件服务器拒绝登录（\1）"),
    (re.compile(r"^SMTP server unreachable \((\w+)\)$"), r"邮件服务器无法连接（\1）"),
    (re.compile(r"^SMTP ([45]\d\d) (.*)$", re.S), r"邮件服务器拒收（\1：\2）"),
    (re.compile(r"^dispatcher stopped mid-send; requeued$"), "发送程序中途停止，已重新排队"),
]


def error_text(error: str | None) -> str:
    if not error:
        return ""
    for pattern, words in _ERRORS:
        if pattern.match(error):
            return pattern.sub(words, error)
    return error
