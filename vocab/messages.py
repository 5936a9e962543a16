"""What travels from the cycle (`reporting`) through the outbox to the messages
(`notifications`): the JSON payloads of outbox rows, typed. The outbox stores them as JSON, so
they are TypedDicts of plain values."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class TaskLine(TypedDict):
    ref: str
    title: str
    role: str  # 牵头 | 配合


class TargetLine(TypedDict):
    name: str
    goal: str  # 不低于 50 项（2025年）


class RequestItem(TypedDict):
    """One request as a digest, an invite or a feed names it."""

    request_id: int
    code: str
    stage: str
    kind: str  # vocab.words.MessageKind
    unit_id: str
    unit_name: str
    plan_title: str
    period_label: str
    period_name: str
    due_on: str  # ISO date
    alarm_on: str  # ISO date of the reminder alarm (the working day before)
    due_text: str  # 2025年10月14日（星期二）
    overdue_workdays: int
    sequence: int
    tasks: list[TaskLine]
    targets: list[TargetLine]
    template: str  # path of the Excel template (written on first use)
    link: NotRequired[str]  # the unit's personal portal link


class LightLine(TypedDict):
    """A task whose light turned 黄 or 红 since the unit's last digest."""

    ref: str
    title: str
    colour: str  # vocab.words.TaskLight
    text: str  # 由绿转黄：距完成时限还有 3 个工作日


class DigestPayload(TypedDict):
    audience: str  # vocab.words.Audience
    salutation: str
    day: str  # ISO date
    items: list[RequestItem]
    delivered_to: NotRequired[list[str]]
    lights: NotRequired[dict[str, str]]  # {plan slug:task id: colour} as this digest saw them
    light_changes: NotRequired[list[LightLine]]  # tasks turned 黄/红 since the last digest


class InvitePayload(TypedDict):
    item: RequestItem
    method: str  # vocab.words.InviteMethod
    salutation: str
    delivered_to: NotRequired[list[str]]


class NoticePayload(TypedDict):
    """A notice (receipt, report, admin alert, channel test): the facts its words in
    `notifications/templates/kinds.j2` need (code, period_name, …), rendered when sent."""

    salutation: str
    facts: dict[str, Any]
    link: NotRequired[str]
    delivered_to: NotRequired[list[str]]
    text: NotRequired[str]  # rows queued before the facts: their text, sent as it was
