"""What the portal's routes take as FastAPI dependencies: the runtime and the clock (kept on
`app.state` by `create_app`), the page renderer, the signed-in office user, the CSRF check of
office forms, a unit link's claims and the audit line.

A dependency that refuses raises one of the exceptions below; `create_app` turns each into
the page (or redirect) the closure used to return by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from db.models import AuditLog
from db.models import Request as ReportRequest
from duban.portal.security import Network, Sessions, session_user
from flows.runtime import Runtime
from notifications.links import LinkClaims, LinkError, Links
from reporting.extensions import link_open

COOKIE = "duban_office"  # the office session's cookie
STALE_FORM = "表单已失效，请刷新页面 (CSRF check failed)"


@dataclass(frozen=True)
class Settings:
    """The portal's own settings, as `create_app` was given them."""

    max_upload_bytes: int
    trusted: tuple[Network, ...]
    catalog_dir: Path | None


class SignedOut(Exception):
    """No office user: the answer is a redirect to /office/login."""


class StaleForm(Exception):
    """An office form whose CSRF token does not match the session."""


class FeedRefused(Exception):
    """A calendar feed's link is not (or no longer) valid: answered in plain text."""

    def __init__(self, error: LinkError):
        super().__init__(str(error))
        self.error = error


# --- the shared state ------------------------------------------------------------------------


def runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


def clock(request: Request) -> Callable[[], dt.datetime]:
    now: Callable[[], dt.datetime] = request.app.state.clock
    return now


def csrf_tokens(request: Request) -> Sessions:
    tokens: Sessions = request.app.state.sessions
    return tokens


def settings(request: Request) -> Settings:
    found: Settings = request.app.state.settings
    return found


Rt = Annotated[Runtime, Depends(runtime)]
Clock = Annotated[Callable[[], dt.datetime], Depends(clock)]
Tokens = Annotated[Sessions, Depends(csrf_tokens)]
PortalSettings = Annotated[Settings, Depends(settings)]


# --- pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pages:
    """Renders the portal's templates for one request."""

    request: Request

    def __call__(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        templates: Jinja2Templates = self.request.app.state.templates
        return templates.TemplateResponse(self.request, name, context, status_code=status)

    def message(
        self, status: int, title: str, message: str, back: str | None = None
    ) -> HTMLResponse:
        extra = {} if back is None else {"back": back}
        return self("message.html", status, title=title, message=message, **extra)

    def refuse(self, status: int, message: str) -> HTMLResponse:
        return self.message(status, "无法访问", message)


def pages(request: Request) -> Pages:
    return Pages(request)


Page = Annotated[Pages, Depends(pages)]


# --- the office ------------------------------------------------------------------------------


def signed_in_user(request: Request, rt: Rt, now: Clock) -> str | None:
    """Who is signed in, or None (for routes that answer both)."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    with rt.sessions() as session:
        return session_user(session, token, now())


def office_user(user: Annotated[str | None, Depends(signed_in_user)]) -> str:
    if user is None:
        raise SignedOut
    return user


def office_form(request: Request, tokens: Tokens) -> str:
    """The CSRF token an office page puts in its forms (bound to the session cookie)."""
    return tokens.csrf(request.cookies.get(COOKIE, ""))


def office_action(
    request: Request,
    user: Annotated[str, Depends(office_user)],
    tokens: Tokens,
    csrf: Annotated[str, Form()] = "",
) -> str:
    """The signed-in user of a POST whose form carries the session's CSRF token."""
    if not tokens.check_csrf(request.cookies.get(COOKIE, ""), csrf):
        raise StaleForm
    return user


OfficeUser = Annotated[str, Depends(office_user)]
OfficeAction = Annotated[str, Depends(office_action)]
FormToken = Annotated[str, Depends(office_form)]


@dataclass(frozen=True)
class Auditor:
    """Adds the office's audit line, stamped by the portal's clock, to a session."""

    now: Callable[[], dt.datetime]

    def __call__(
        self, session: Session, actor: str, action: str, target: str, detail: str | None = None
    ) -> None:
        session.add(
            AuditLog(at=self.now(), actor=actor, action=action, target=target, detail=detail)
        )


def auditor(now: Clock) -> Auditor:
    return Auditor(now)


Audit = Annotated[Auditor, Depends(auditor)]


# --- units -----------------------------------------------------------------------------------


def read_claims(rt: Runtime, links: Links, token: str, today: dt.date) -> LinkClaims:
    """The link's claims; LinkError when it is forged or has expired. Expiry is signed into
    the link: after an extension, the request's own due date rules."""
    try:
        return links.read(token, today)
    except LinkError as exc:
        if not exc.expired:
            raise
        claims = links.claims(token)
        with rt.sessions() as session:
            req = session.get(ReportRequest, claims.request_id)
            due = req.due_on if req is not None else claims.expires
        if link_open(claims.expires, due, links.grace_days, today):
            return claims
        raise


def links_of(rt: Runtime) -> Links:
    assert rt.links is not None, "the portal needs unit links (a secret and a base URL)"
    return rt.links


def unit_claims(token: str, rt: Rt, now: Clock) -> LinkClaims:
    """The claims of `/u/{token}`; a LinkError is answered with the 403/410 page."""
    return read_claims(rt, links_of(rt), token, now().date())


def feed_claims(token: str, rt: Rt, now: Clock) -> LinkClaims:
    try:
        return read_claims(rt, links_of(rt), token, now().date())
    except LinkError as exc:
        raise FeedRefused(exc) from exc


Claims = Annotated[LinkClaims, Depends(unit_claims)]
FeedClaims = Annotated[LinkClaims, Depends(feed_claims)]
