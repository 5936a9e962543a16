"""/office/contacts: the 通讯录 as the office sees it — every unit with its liaison, leader and
robots (tokens and 加签 secrets masked, never sent to the browser), a form per unit, and the
office's own 联系人 and 联系电话. Edits are checked as an import is, CSRF-protected and audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from db.models import UnitContact
from duban.portal.deps import Audit, Clock, FormToken, OfficeAction, OfficeUser, Page, Pages, Rt
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

router = APIRouter()
LABELS = {
    "liaison_name": "联络员",
    "liaison_mobile": "手机",
    "liaison_email": "邮箱",
    "liaison_userid": "钉钉UserID",
    "leader_name": "分管领导",
    "leader_mobile": "领导手机",
    "leader_email": "领导邮箱",
    "leader_userid": "领导钉钉UserID",
    "robot_token": "钉钉机器人",
    "robot_secret": "加签密钥",
    "wecom_key": "企业微信机器人",
}


def shown(contact: Contact) -> dict[str, str]:
    """A contact's fields as a page may show them: secrets masked."""
    return {
        f.name: (masked(f.name, v) if f.name in SECRET_FIELDS else v or "")
        for f in fields(Contact)
        for v in [getattr(contact, f.name)]
    }


def listing(
    user: str, rt: Runtime, page: Pages, csrf: str, status: int = 200, **extra: Any
) -> Response:
    with rt.sessions() as session:
        kept = {c.unit_id: Contact.of(c) for c in session.scalars(select(UnitContact))}
        matcher = UnitMatcher.of(session)
        units = matcher.units(kept)
        person, phone = office_contact(session) or ("", "")
    rows = [(u, shown(kept.get(u.id, Contact())), u.id in kept) for u in units]
    context = {
        "user": user,
        "csrf": csrf,
        "rows": rows,
        "labels": LABELS,
        "person": person,
        "phone": phone,
        "error": None,
        "saved": False,
        "places": matcher.default is None,
    } | extra
    return page("contacts.html", status, **context)


def no_unit(page: Pages, unit_id: str) -> Response:
    return page.message(404, "没有这个单位", f"单位目录中没有 {unit_id}", back="/office/contacts")


def checked_fields(
    form: Mapping[str, Any],
) -> tuple[dict[str, str], dict[str, str | None], dict[str, str]]:
    """What was typed, what passed the import's checks (a masked secret kept), the errors."""
    typed = {name: text(form.get(name, "")) for name in LABELS}
    checked: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for name, value in typed.items():
        try:
            keep = name in SECRET_FIELDS and unchanged(value)
            checked[name] = value if keep else check_field(name, value)
        except BadValue as exc:
            errors[name] = str(exc)
    return typed, checked, errors


@router.get("/office/contacts", response_class=HTMLResponse)
def contacts_page(
    request: Request, user: OfficeUser, rt: Rt, page: Page, csrf: FormToken
) -> Response:
    return listing(user, rt, page, csrf, saved=request.query_params.get("saved") == "1")


@router.get("/office/contacts/{unit_id}", response_class=HTMLResponse)
def contact_form(unit_id: str, user: OfficeUser, rt: Rt, page: Page, csrf: FormToken) -> Response:
    with rt.sessions() as session:
        row = session.get(UnitContact, unit_id)
        unit = next((u for u in UnitMatcher.of(session).units([unit_id]) if u.id == unit_id), None)
    if unit is None:
        return no_unit(page, unit_id)
    values = shown(Contact.of(row) if row is not None else Contact())
    return page(
        "contact_form.html",
        user=user,
        csrf=csrf,
        unit=unit,
        values=values,
        labels=LABELS,
        errors={},
    )


@router.post("/office/contacts/{unit_id}", response_class=HTMLResponse)
async def contact_save(
    request: Request,
    unit_id: str,
    user: OfficeAction,
    rt: Rt,
    now: Clock,
    page: Page,
    csrf: FormToken,
    audit: Audit,
) -> Response:
    typed, checked, errors = checked_fields(await request.form())
    with rt.sessions.begin() as session:
        unit = next((u for u in UnitMatcher.of(session).units([unit_id]) if u.id == unit_id), None)
        if unit is None:
            return no_unit(page, unit_id)
        if errors:
            values = {
                n: ("" if n in SECRET_FIELDS and n in errors else v) for n, v in typed.items()
            }
            return page(
                "contact_form.html",
                422,
                user=user,
                unit=unit,
                csrf=csrf,
                values=values,
                labels=LABELS,
                errors=errors,
            )
        apply_contacts(session, {unit_id: Contact(**checked)}, now(), f"portal:{user}")
        audit(session, user, "contacts", unit_id)
    return RedirectResponse("/office/contacts?saved=1", status_code=303)


@router.post("/office/contacts-office", response_class=HTMLResponse)
def office_save(
    request: Request,
    user: OfficeAction,
    rt: Rt,
    now: Clock,
    page: Page,
    csrf: FormToken,
    audit: Audit,
    person: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
) -> Response:
    try:
        with rt.sessions.begin() as session:
            set_office_contact(session, person, phone, now())
            audit(session, user, "office-contact", "office")
    except BadValue as exc:
        return listing(user, rt, page, csrf, 422, error=str(exc), person=person, phone=phone)
    return RedirectResponse("/office/contacts?saved=1", status_code=303)
