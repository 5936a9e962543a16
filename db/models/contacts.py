"""The contact directory the office keeps: per unit its liaison (联络员), its leader in charge
(分管领导) and optional group robots; per office the 联系人 and 联系电话 every message signs with.

Robot tokens, 加签 secrets and WeCom keys are stored sealed (`db.sealed`: a dump or backup never
shows them) and opened only to send; nothing that shows contacts (pages, exports, logs, errors)
prints them (`tasks_catalog.contacts.masked`)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base
from db.sealed import Sealed
from db.types import AwareDateTime


class UnitContact(Base):
    """One unit's contacts; a unit without a row has none (messages go by the Apprise file)."""

    __tablename__ = "unit_contact"
    unit_id: Mapped[str] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    liaison_name: Mapped[str | None] = mapped_column(String(100))
    liaison_mobile: Mapped[str | None] = mapped_column(String(30))
    liaison_email: Mapped[str | None] = mapped_column(String(200))
    liaison_userid: Mapped[str | None] = mapped_column(String(100))  # DingTalk userid
    leader_name: Mapped[str | None] = mapped_column(String(100))
    leader_mobile: Mapped[str | None] = mapped_column(String(30))
    leader_email: Mapped[str | None] = mapped_column(String(200))
    leader_userid: Mapped[str | None] = mapped_column(String(100))
    robot_token: Mapped[str | None] = mapped_column(Sealed())  # DingTalk group robot
    robot_secret: Mapped[str | None] = mapped_column(Sealed())  # its 加签 secret (SEC…)
    wecom_key: Mapped[str | None] = mapped_column(Sealed())  # WeCom group robot key
    updated_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    updated_by: Mapped[str] = mapped_column(String(100), default="")


class OfficeContact(Base):
    """The office's contact person and phone (one row, id 1)."""

    __tablename__ = "office_contact"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    person: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
