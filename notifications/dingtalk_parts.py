"""The parts of a DingTalk work notification (工作通知) that are not calls: the message as
DingTalk takes it (its size, a text distinct per message, the 在线填报 button), DingTalk's
reports on what it delivered, and the outcome per userid. `dingtalk_work` makes the calls."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from notifications.channels import DeliveryError
from notifications.dingtalk_codes import (
    FAILED,
    FORBIDDEN,
    INVALID_USER,
    PENDING,
    Verdict,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no DST: a fixed offset is exact
MAX_USERIDS = 100  # userid_list per asyncsend_v2 call
MAX_MSG_BYTES = 2048  # msg as JSON, UTF-8
REFRESH_EARLY = dt.timedelta(minutes=5)  # a token used in its last seconds may expire in flight
BUTTON = "在线填报"
# DingTalk's day and ours may differ by seconds: retry a capped message a minute after midnight.
MIDNIGHT_MARGIN = 60.0
SEND_PATH = "/topapi/message/corpconversation/asyncsend_v2"
RESULT_PATH = "/topapi/message/corpconversation/getsendresult"

# The reference line of `distinct_text`: it makes a message's text unique to its outbox key.
REFERENCE = re.compile(r"\n###### 消息编号 [0-9A-F]{10}$")


class RedactQuery(logging.Filter):
    """Mask `access_token=` and `appsecret=` in log records: urllib3 logs every request line,
    query included, at DEBUG level, and DingTalk wants both in the query."""

    PATTERN = re.compile(r"((?:access_token|appsecret)=)[^&\s\"']+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.PATTERN.sub(r"\1****", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                self.PATTERN.sub(r"\1****", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def redact_http_logs() -> None:
    """Install RedactQuery on urllib3's request logger, once."""
    pool = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(f, RedactQuery) for f in pool.filters):
        pool.addFilter(RedactQuery())


def distinct_text(markdown: str, key: str) -> str:
    """Return `markdown` with a short reference line derived from `key` (the outbox idempotency
    key). DingTalk drops identical content to one user after the first send of the day; with this
    line two different messages never share a text, while a retry of one message keeps its text,
    so DingTalk's "identical content today" then means this very message has reached the user."""
    ref = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10].upper()
    return f"{markdown.rstrip()}\n\n###### 消息编号 {ref}"


def work_message(title: str, markdown: str, link: str | None = None) -> dict[str, Any]:
    """The `msg` of asyncsend_v2: markdown, or an action card whose one button opens `link`."""
    if link is None:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
    card = {"title": title, "markdown": markdown, "single_title": BUTTON, "single_url": link}
    return {"msgtype": "action_card", "action_card": card}


def msg_bytes(msg: Mapping[str, Any]) -> int:
    return len(json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def until_midnight(now: dt.datetime) -> float:
    """Seconds from `now` to the next midnight in Asia/Shanghai."""
    local = now.astimezone(SHANGHAI)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), SHANGHAI)
    return (midnight - local).total_seconds()


@dataclass(frozen=True)
class WorkSendResult:
    """The asyncsend_v2 tasks of one send, and the userids of each (in the same order)."""

    task_ids: tuple[int, ...]
    batches: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class DeliveryReport:
    """getsendresult for one task: `forbidden` maps a userid to its flow-control code."""

    task_id: int
    read: frozenset[str] = frozenset()
    unread: frozenset[str] = frozenset()
    invalid: frozenset[str] = frozenset()
    failed: frozenset[str] = frozenset()
    forbidden: Mapping[str, str] = field(default_factory=dict)

    @property
    def delivered(self) -> frozenset[str]:
        return self.read | self.unread

    def known(self, userid: str) -> bool:
        return userid in self.delivered | self.invalid | self.failed or userid in self.forbidden

    def reason(self, userid: str) -> str:
        """What happened to `userid`, in Chinese."""
        if userid in self.read:
            return "已读"
        if userid in self.unread:
            return "已送达（未读）"
        return self.verdict(userid).reason

    def verdict(self, userid: str) -> Verdict:
        if userid in self.invalid:
            return INVALID_USER
        if userid in self.forbidden:
            code = self.forbidden[userid]
            unknown = Verdict(f"钉钉流控未投递（code {code or '未说明'}）", False)
            return FORBIDDEN.get(code, unknown)
        return FAILED if userid in self.failed else PENDING


@dataclass(frozen=True)
class Outcome:
    """One userid's result: reached or not, and for a failure whether retrying can help."""

    userid: str
    delivered: bool
    reason: str
    permanent: bool = False
    code: str = ""
    retry_after: float | None = None


@dataclass(frozen=True)
class Confirmation:
    """What `send_and_confirm` established: every userid asked for, reached."""

    outcomes: Mapping[str, Outcome]
    task_ids: tuple[int, ...]

    @property
    def delivered(self) -> frozenset[str]:
        return frozenset(u for u, o in self.outcomes.items() if o.delivered)


def batches(userids: Iterable[str], size: int = MAX_USERIDS) -> Iterator[tuple[str, ...]]:
    items = list(userids)
    for start in range(0, len(items), size):
        yield tuple(items[start : start + size])


def valid(userid: str) -> bool:
    return bool(userid.strip()) and "," not in userid


def refused(userids: Iterable[str], exc: DeliveryError) -> dict[str, Outcome]:
    """The outcome of userids whose batch DingTalk refused outright."""
    return {u: Outcome(u, False, str(exc), exc.permanent, "", exc.retry_after) for u in userids}


def latest_retry(failures: Iterable[Outcome]) -> float | None:
    """When every transient failure may be retried (None: the outbox's own backoff)."""
    waits = [o.retry_after for o in failures if not o.permanent and o.retry_after]
    return max(waits) if waits else None


def summary(failures: list[Outcome], shown: int = 10) -> str:
    """One Chinese line: the userids not reached, grouped by reason."""
    groups: dict[str, list[str]] = {}
    for outcome in failures:
        groups.setdefault(outcome.reason, []).append(outcome.userid)
    parts = []
    for reason, ids in groups.items():
        more = f" 等 {len(ids)} 人" if len(ids) > shown else ""
        parts.append(f"{reason}：{', '.join(ids[:shown])}{more}")
    return f"钉钉工作通知未送达 {len(failures)} 人 — " + "；".join(parts)
