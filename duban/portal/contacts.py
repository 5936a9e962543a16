"""/office/contacts: the 通讯录 as the office sees it — every unit with its liaison, leader and
robots (tokens and 加签 secrets masked, never sent to the browser), a form per unit, and the
office's own 联系人 and 联系电话. Edits are checked as an import is, CSRF-protected and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from db.models import UnitContact
from flows.runtime import Runtime
from tasks_catalog.contacts import (
    SECRET_FIELDS,
    BadValue,
    Contact,
    UnitMatcher,
    apply_contacts,
    check_field,
    masked,
    office_contact,
    set_office_contact,
    text,
    unchanged,
)

LABELS = {
    "liaison_name": "联络员", "liaison_mobile": "手机", "liaison_email": "邮箱",
    "liaison_userid": "钉钉UserID", "leader_name": "分管领导", "leader_mobile": "领导手机",
    "leader_email": "领导邮箱", "leader_userid": "领导钉钉UserID", "robot_token": "钉钉机器人",
    "robot_secret": "加签密钥", "wecom_key": "企业微信机器人",
}  # fmt: skip


@dataclass(frozen=True)
class Office:
    """What the portal's office pages share (closures of `create_app`)."""

    rt: Runtime
    page: Callable[..., HTMLResponse]
    user: Callable[[Request], str | None]
    action: Callable[[Request, str], str | Response]  # the user, or the response refusing
    csrf: Callable[[Request], str]
    audit: Callable[..., None]
    now: Callable[[], dt.datetime]


def shown(contact: Contact) -> dict[str, str]:
    """A contact's fields as a page may show them: secrets masked."""
    return {f.name: (masked(f.name, v) if f.name in SECRET_FIELDS else v or "")
            for f in fields(Contact) for v in [getattr(contact, f.name)]}  # fmt: skip


def add_contact_routes(app: FastAPI, office: Office) -> None:
    rt = office.rt

    def listing(request: Request, status: int = 200, **extra: Any) -> Response:
        user = office.user(request)
        if user is None:
            return RedirectResponse("/office/login", status_code=303)
        with rt.sessions() as session:
            kept = {c.unit_id: Contact.of(c) for c in session.scalars(select(UnitContact))}
            matcher = UnitMatcher.of(session)
            units = matcher.units(kept)
            person, phone = office_contact(session) or ("", "")
        rows = [(u, shown(kept.get(u.id, Contact())), u.id in kept) for u in units]
        context = {"user": user, "csrf": office.csrf(request), "rows": rows, "labels": LABELS,
                   "person": person, "phone": phone, "error": None, "saved": False,
                   "places": matcher.default is None} | extra  # fmt: skip
        return office.page(request, "contacts.html", status, **context)

    @app.get("/office/contacts", response_class=HTMLResponse)
    def contacts_page(request: Request) -> Response:
        return listing(request, saved=request.query_params.get("saved") == "1")

    @app.get("/office/contacts/{unit_id}", response_class=HTMLResponse)
    def contact_form(request: Request, unit_id: str) -> Response:
        user = office.user(request)
        if user is None:
            return RedirectResponse("/office/login", status_code=303)
        with rt.sessions() as session:
            row = session.get(UnitContact, unit_id)
            unit = next(
                (u for u in UnitMatcher.of(session).units([unit_id]) if u.id == unit_id), None
            )
        if unit is None:
            return office.page(request, "message.html", 404, title="没有这个单位",
                               message=f"单位目录中没有 {unit_id}", back="/office/contacts")  # fmt: skip
        values = shown(Contact.of(row) if row is not None else Contact())
        return office.page(request, "contact_form.html", user=user, csrf=office.csrf(request),
                           unit=unit, values=values, labels=LABELS, errors={})  # fmt: skip

    @app.post("/office/contacts/{unit_id}", response_class=HTMLResponse)
    async def contact_save(request: Request, unit_id: str) -> Response:
        form = await request.form()
        user = office.action(request, str(form.get("csrf", "")))
        if not isinstance(user, str):
            return user
        typed = {name: text(form.get(name, "")) for name in LABELS}
        checked, errors = {}, {}
        for name, value in typed.items():
            try:
                keep = name in SECRET_FIELDS and unchanged(value)
                checked[name] = value if keep else check_field(name, value)
            except BadValue as exc:
                errors[name] = str(exc)
        with rt.sessions.begin() as session:
            unit = next(
                (u for u in UnitMatcher.of(session).units([unit_id]) if u.id == unit_id), None
            )
            if unit is None:
                return office.page(request, "message.html", 404, title="没有这个单位",
                                   message=f"单位目录中没有 {unit_id}", back="/office/contacts")  # fmt: skip
            if errors:
                values = {
                    n: ("" if n in SECRET_FIELDS and n in errors else v) for n, v in typed.items()
                }
                return office.page(request, "contact_form.html", 422, user=user, unit=unit,
                                   csrf=office.csrf(request), values=values, labels=LABELS,
                                   errors=errors)  # fmt: skip
            apply_contacts(session, {unit_id: Contact(**checked)}, office.now(), f"portal:{user}")
            office.audit(session, user, "contacts", unit_id)
        return RedirectResponse("/office/contacts?saved=1", status_code=303)

    @app.post("/office/contacts-office", response_class=HTMLResponse)
    async def office_save(request: Request) -> Response:
        form = await request.form()
        user = office.action(request, str(form.get("csrf", "")))
        if not isinstance(user, str):
            return user
        person, phone = str(form.get("person", "")), str(form.get("phone", ""))
        try:
            with rt.sessions.begin() as session:
                set_office_contact(session, person, phone, office.now())
                office.audit(session, user, "office-contact", "office")
        except BadValue as exc:
            return listing(request, 422, error=str(exc), person=person, phone=phone)
        return RedirectResponse("/office/contacts?saved=1", status_code=303)
