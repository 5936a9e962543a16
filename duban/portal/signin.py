"""The office's sign-in and sign-out routes.

The login form's CSRF token is bound to a random nonce in the visitor's own cookie; a failed
attempt is reserved (counted) before the password is checked, atomically; the session lives
on the server and logout (CSRF-checked) revokes it.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from db.models import AuditLog
from duban.portal.deps import COOKIE, Clock, OfficeUser, Page, Pages, PortalSettings, Rt, Tokens
from duban.portal.security import (
    SESSION_MAX_AGE,
    Network,
    Sessions,
    authenticate,
    client_address,
    forget_attempt,
    open_session,
    reserve_attempt,
    revoke_session,
)

VISITOR = "duban_visitor"  # the login form's nonce, one per browser
router = APIRouter()
Field = Annotated[str, Form()]


def address_of(request: Request, trusted: tuple[Network, ...]) -> str:
    return client_address(request.client.host if request.client else None, request.headers, trusted)


def login_page(
    request: Request,
    page: Pages,
    tokens: Sessions,
    nonce: str,
    status: int = 200,
    error: str | None = None,
) -> HTMLResponse:
    response = page("login.html", status, csrf=tokens.csrf(f"login:{nonce}"), error=error)
    response.set_cookie(
        VISITOR,
        nonce,
        httponly=True,
        samesite="strict",
        max_age=3600,
        secure=request.url.scheme == "https",
        path="/office/login",
    )
    return response


def nonce_of(request: Request) -> str:
    given = request.cookies.get(VISITOR, "")
    return given if 20 <= len(given) <= 64 and given.isascii() else secrets.token_urlsafe(24)


@router.get("/office/login", response_class=HTMLResponse)
def login_form(request: Request, page: Page, tokens: Tokens) -> HTMLResponse:
    return login_page(request, page, tokens, nonce_of(request))


@router.post("/office/login", response_class=HTMLResponse)
def login(
    request: Request,
    rt: Rt,
    now: Clock,
    page: Page,
    tokens: Tokens,
    settings: PortalSettings,
    username: Field = "",
    password: Field = "",
    csrf: Field = "",
) -> Response:
    nonce = request.cookies.get(VISITOR, "")
    if not nonce or not tokens.check_csrf(f"login:{nonce}", csrf):
        return page.message(
            403,
            "无法登录",
            "表单已失效，请刷新页面后重新登录 (CSRF check failed)",
            back="/office/login",
        )
    address, at = address_of(request, settings.trusted), now()
    with rt.sessions.begin() as session:
        attempt = reserve_attempt(session, username, address, at)
    if attempt is None:
        return login_page(request, page, tokens, nonce, 429, "尝试次数过多，请 15 分钟后再试")
    with rt.sessions() as session:
        user = authenticate(session, username, password)
    if user is None:
        return login_page(request, page, tokens, nonce, 401, "用户名或密码错误")
    with rt.sessions.begin() as session:
        forget_attempt(session, attempt)
        token = open_session(session, user.username, address, at)
        session.add(
            AuditLog(at=at, actor=user.username, action="login", target="office", detail=address)
        )
    response = RedirectResponse("/office", status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=SESSION_MAX_AGE,
        secure=request.url.scheme == "https",
    )
    response.delete_cookie(VISITOR, path="/office/login")
    return response


@router.post("/office/logout")
def logout(
    request: Request,
    user: OfficeUser,
    rt: Rt,
    now: Clock,
    page: Page,
    tokens: Tokens,
    csrf: Field = "",
) -> Response:
    token = request.cookies.get(COOKIE, "")
    if not tokens.check_csrf(token, csrf):
        return page.message(
            403, "未能退出", "表单已失效，请刷新页面后重试 (CSRF check failed)", back="/office"
        )
    at = now()
    with rt.sessions.begin() as session:
        revoke_session(session, token, at)
        session.add(AuditLog(at=at, actor=user, action="logout", target="office"))
    response = RedirectResponse("/office/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
