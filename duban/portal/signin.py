"""The office's sign-in and sign-out routes.

The login form's CSRF token is bound to a random nonce in the visitor's own cookie; a failed
attempt is reserved (counted) before the password is checked, atomically; the session lives
on the server and logout (CSRF-checked) revokes it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from db.models import AuditLog
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
    session_user,
)
from flows.runtime import Runtime

COOKIE = "duban_office"
VISITOR = "duban_visitor"  # the login form's nonce, one per browser


def address_of(request: Request, trusted: tuple[Network, ...]) -> str:
    return client_address(request.client.host if request.client else None, request.headers, trusted)


def add_signin_routes(
    app: FastAPI,
    rt: Runtime,
    sessions: Sessions,
    now: Callable[[], dt.datetime],
    page: Callable[..., HTMLResponse],
    trusted: tuple[Network, ...],
) -> Callable[[Request], str | None]:
    """Add /office/login and /office/logout; return the function telling who is signed in."""

    def office_user(request: Request) -> str | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        with rt.sessions() as session:
            return session_user(session, token, now())

    def login_page(
        request: Request, nonce: str, status: int = 200, error: str | None = None
    ) -> HTMLResponse:
        response = page(
            request, "login.html", status, csrf=sessions.csrf(f"login:{nonce}"), error=error
        )
        response.set_cookie(VISITOR, nonce, httponly=True, samesite="strict", max_age=3600,
                            secure=request.url.scheme == "https", path="/office/login")  # fmt: skip
        return response

    def nonce_of(request: Request) -> str:
        given = request.cookies.get(VISITOR, "")
        return given if 20 <= len(given) <= 64 and given.isascii() else secrets.token_urlsafe(24)

    @app.get("/office/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return login_page(request, nonce_of(request))

    @app.post("/office/login", response_class=HTMLResponse)
    def login(
        request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form("")
    ) -> Response:
        nonce = request.cookies.get(VISITOR, "")
        if not nonce or not sessions.check_csrf(f"login:{nonce}", csrf):
            return page(request, "message.html", 403, title="无法登录", message="表单已失效，请刷新页面后重新登录 (CSRF check failed)",
                        back="/office/login")  # fmt: skip
        address, at = address_of(request, trusted), now()
        with rt.sessions.begin() as session:
            attempt = reserve_attempt(session, username, address, at)
        if attempt is None:
            return login_page(request, nonce, 429, "尝试次数过多，请 15 分钟后再试")
        with rt.sessions() as session:
            user = authenticate(session, username, password)
        if user is None:
            return login_page(request, nonce, 401, "用户名或密码错误")
        with rt.sessions.begin() as session:
            forget_attempt(session, attempt)
            token = open_session(session, user.username, address, at)
            session.add(
                AuditLog(
                    at=at, actor=user.username, action="login", target="office", detail=address
                )
            )
        response = RedirectResponse("/office", status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="lax", max_age=SESSION_MAX_AGE,
                            secure=request.url.scheme == "https")  # fmt: skip
        response.delete_cookie(VISITOR, path="/office/login")
        return response

    @app.post("/office/logout")
    def logout(request: Request, csrf: str = Form("")) -> Response:
        token = request.cookies.get(COOKIE, "")
        user = office_user(request)
        if user is None:
            return RedirectResponse("/office/login", status_code=303)
        if not sessions.check_csrf(token, csrf):
            return page(request, "message.html", 403, title="未能退出", message="表单已失效，请刷新页面后重试 (CSRF check failed)",
                        back="/office")  # fmt: skip
        at = now()
        with rt.sessions.begin() as session:
            revoke_session(session, token, at)
            session.add(AuditLog(at=at, actor=user, action="logout", target="office"))
        response = RedirectResponse("/office/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    return office_user
