"""The contact directory as the office keeps it: checking a 通讯录 row, matching it to a unit,
applying a whole file at once, and showing contacts with their secrets masked.

Every field is checked here, never echoing a robot token or 加签 secret in an error: a
message names the cell and what to write. The workbook itself is read and written by
`tasks_catalog.contacts_sheet`."""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Assignment, OfficeContact, Plan, Task, Unit, UnitContact

PERSON_FIELDS = ("name", "mobile", "email", "userid")
SECRET_FIELDS = ("robot_token", "robot_secret", "wecom_key")
MASK = "****"
_MOBILE = re.compile(r"1\d{10}")
_PHONE = re.compile(r"0\d{2,3}-?\d{7,8}(转\d{1,6})?")  # a landline with its area code
_EMAIL = re.compile(r"[^@\s,;，；]+@[^@\s,;，；]+\.[A-Za-z0-9-]+")
_USERID = re.compile(r"[^\s,，]{1,64}")
_TOKEN = re.compile(r"[0-9A-Za-z_-]{16,128}")
_SECRET = re.compile(r"SEC[0-9A-Za-z]{10,120}")
_WECOM = re.compile(r"[0-9A-Za-z-]{8,64}")
_ABBREVIATED = re.compile(r".\.\.\..")  # how Apprise shows a token: first…last character


@dataclass(frozen=True)
class Contact:
    """One unit's contacts; None: not given."""

    liaison_name: str | None = None
    liaison_mobile: str | None = None
    liaison_email: str | None = None
    liaison_userid: str | None = None
    leader_name: str | None = None
    leader_mobile: str | None = None
    leader_email: str | None = None
    leader_userid: str | None = None
    robot_token: str | None = None
    robot_secret: str | None = None
    wecom_key: str | None = None

    @classmethod
    def of(cls, row: UnitContact) -> Contact:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


class ContactsError(ValueError):
    """The file cannot be applied; `problems` lists every reason (cell and what to write)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class BadValue(ValueError):
    """A field that cannot be stored; the message says what to write (never the value)."""


def text(raw: object) -> str:
    """A cell's text, without control characters or surrounding space (a number as digits)."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = re.sub(r"[\x00-\x1f\x7f-\x9f]", "", str(raw))
    return unicodedata.normalize("NFC", value).strip()


def _digits(value: str) -> str:
    return re.sub(r"[\s\-]", "", value)


def check_field(name: str, value: str) -> str | None:
    """The stored form of one field, None when empty; BadValue says what to write."""
    if not value:
        return None
    if name.endswith("_name"):
        if len(value) > 100:
            raise BadValue("姓名不超过 100 个字")
        return value
    if name.endswith("_mobile"):
        number = _digits(value)
        if not (_MOBILE.fullmatch(number) or _PHONE.fullmatch(value.replace(" ", ""))):
            raise BadValue("请写 11 位手机号（如 13800000000）或带区号的电话")
        return number if _MOBILE.fullmatch(number) else value
    if name.endswith("_email"):
        if not _EMAIL.fullmatch(value) or len(value) > 200:
            raise BadValue("请写一个邮箱地址（如 name@example.gov.cn），多个邮箱请只留一个")
        return value
    if name.endswith("_userid"):
        if not _USERID.fullmatch(value):
            raise BadValue("请写钉钉 userid（管理后台通讯录中的 UserID，一格一个，不含空格和逗号）")
        return value
    return _secret(name, value)


def _secret(name: str, value: str) -> str:
    if name == "robot_token":
        token = _query(value, "access_token") if "://" in value else value
        if token is None or not _TOKEN.fullmatch(token):
            raise BadValue("请粘贴钉钉群机器人的 Webhook 地址（…robot/send?access_token=…）")
        return token
    if name == "robot_secret":
        if not _SECRET.fullmatch(value):
            raise BadValue("请粘贴机器人安全设置「加签」中以 SEC 开头的密钥")
        return value
    key = _query(value, "key") if "://" in value else value
    if key is None or not _WECOM.fullmatch(key):
        raise BadValue("请粘贴企业微信群机器人的 Webhook 地址（…webhook/send?key=…）")
    return key


def _query(url: str, name: str) -> str | None:
    found = parse_qs(urlparse(url).query).get(name)
    return found[0] if found else None


def unchanged(value: str) -> bool:
    """Whether a secret's cell holds the mask an export wrote (keep the stored secret)."""
    return value == MASK or bool(_ABBREVIATED.fullmatch(value))


def masked(name: str, value: str | None) -> str:
    """A secret as Apprise's privacy URLs show it: a token by its first and last character,
    a 加签 secret as ****. Never the secret itself."""
    if not value:
        return ""
    if name == "robot_secret" or len(value) < 8:
        return MASK
    return f"{value[0]}...{value[-1]}"


class UnitMatcher:
    """Units by id, name and alias (retired units and collective phrases left out)."""

    def __init__(self, units: Iterable[Unit]):
        self.by_key: dict[str, list[Unit]] = {}
        self._units: list[Unit] = []
        self.default: str | None = None
        for unit in units:
            if unit.retired_at is not None or unit.kind == "collective":
                continue
            self._units.append(unit)
            for key in {unit.id, unit.name, *unit.aliases}:
                self.by_key.setdefault(key, []).append(unit)

    @classmethod
    def of(cls, session: Session, jurisdiction: str | None = None) -> UnitMatcher:
        """The units of the database; `jurisdiction` (else the one jurisdiction whose units
        current plans assign tasks to, if only one) decides a name several share."""
        matcher = cls(session.scalars(select(Unit).order_by(Unit.order, Unit.id)))
        if jurisdiction is None:
            active = set(
                session.scalars(
                    select(Unit.jurisdiction)
                    .distinct()
                    .join(Assignment, Assignment.unit_id == Unit.id)
                    .join(Task, Task.id == Assignment.task_id)
                    .join(Plan, Plan.id == Task.plan_id)
                    .where(Plan.retired_at.is_(None))
                )
            )
            jurisdiction = active.pop() if len(active) == 1 else None
        matcher.default = jurisdiction
        return matcher

    def units(self, kept: Iterable[str] = ()) -> list[Unit]:
        """The units contacts may be kept for, in official order: those of the plans'
        jurisdiction when there is one (and any in `kept`, units that have contacts)."""
        keep = set(kept)
        return [
            u
            for u in self._units
            if self.default is None or u.jurisdiction == self.default or u.id in keep
        ]

    def jurisdiction_of(self, names: Iterable[str]) -> str | None:
        """The one jurisdiction of every name that matches a single unit, if there is one."""
        seen = {found[0].jurisdiction for n in names if len(found := self._found(n)) == 1}
        return seen.pop() if len(seen) == 1 else self.default

    def _found(self, name: str) -> list[Unit]:
        return list({u.id: u for u in self.by_key.get(name, [])}.values())

    def find(self, name: str, prefer: str | None = None) -> Unit:
        """The unit `name` means; a name several jurisdictions share means the one in
        `prefer` (the jurisdiction of the file's other rows)."""
        found = self._found(name)
        if len(found) > 1 and prefer is not None:
            found = [u for u in found if u.jurisdiction == prefer] or found
        if len(found) == 1:
            return found[0]
        if found:
            ids = "、".join(f"{u.name}（{u.jurisdiction}）{u.id}" for u in found)
            raise BadValue(
                f"「{name}」不止一个单位：{ids}；请改写单位编号，或导入时加 --jurisdiction"
            )
        close = difflib.get_close_matches(name, list(self.by_key), n=3, cutoff=0.5)
        hint = f"，是否指：{'、'.join(close)}" if close else ""
        raise BadValue(
            f"单位目录中没有「{name}」{hint}；请写单位全称、简称或编号（duban units list）"
        )


def apply_contacts(
    session: Session, rows: dict[str, Contact], now: dt.datetime, by: str
) -> tuple[int, int]:
    """Store each unit's contacts as given (a masked secret keeps the stored one; a row left
    blank clears them); return (added, changed). Units not in `rows` keep theirs."""
    known = {c.unit_id: c for c in session.scalars(select(UnitContact))}
    added = changed = 0
    for unit_id, contact in rows.items():
        row = known.get(unit_id)
        values = {f.name: getattr(contact, f.name) for f in fields(Contact)}
        for name in SECRET_FIELDS:
            if values[name] is not None and unchanged(values[name]):
                values[name] = getattr(row, name) if row is not None else None
        if row is None and Contact(**values) == Contact():
            continue  # a listed unit left blank
        if row is None:
            session.add(UnitContact(unit_id=unit_id, updated_at=now, updated_by=by, **values))
            added += 1
        elif Contact(**values) != Contact.of(row):
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at, row.updated_by = now, by
            changed += 1
    return added, changed


def office_contact(session: Session) -> tuple[str, str] | None:
    """The office's (联系人, 联系电话), or None when not set yet."""
    row = session.get(OfficeContact, 1)
    return (row.person, row.phone) if row is not None else None


def set_office_contact(session: Session, person: str, phone: str, now: dt.datetime) -> None:
    person, phone = text(person), text(phone)
    if not person or len(person) > 100:
        raise BadValue("联系人：请写办公室联系人的姓名（不超过 100 个字）")
    if not (_PHONE.fullmatch(phone.replace(" ", "")) or _MOBILE.fullmatch(_digits(phone))):
        raise BadValue("联系电话：请写带区号的电话或手机号（如 0580-2280000）")
    row = session.get(OfficeContact, 1)
    if row is None:
        session.add(OfficeContact(id=1, person=person, phone=phone, updated_at=now))
    else:
        row.person, row.phone, row.updated_at = person, phone, now
