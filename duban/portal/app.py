"""The web portal (FastAPI, server-rendered Jinja2, no front-end build).

Units open the personal link from their reminder and answer in a form (or upload the Excel
template) — through the same intake as every other channel. Office staff sign in to see who has
reported, which targets are behind and what was sent, and to extend, waive, resend, re-assess.

`create_app` keeps the shared state on `app.state` and includes the routers; what the routes
take from it (runtime, clock, pages, the office user, CSRF, a unit's link) is in `deps`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from duban.portal import (
    actions,
    catalog,
    closures,
    contacts,
    extensions,
    office,
    signin,
    units,
    upload,
)
from duban.portal.deps import STALE_FORM, FeedRefused, Pages, Settings, SignedOut, StaleForm
from duban.portal.security import Sessions, forwarded_https, trusted_networks
from flows.runtime import Runtime
from notifications.links import LinkError
from reporting.schedule import SHANGHAI

HERE = Path(__file__).parent
# No inline script or style anywhere: whatever got into a page could not run.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # unit links carry their token in the path
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
}
NOT_FOUND = "没有这个页面，请检查链接是否完整"


def create_app(
    rt: Runtime,
    secret: str,
    *,
    max_upload_bytes: int = 5 * 1024 * 1024,
    clock: Callable[[], dt.datetime] | None = None,
    trusted_proxies: str | Iterable[str] = (),
    catalog_dir: Path | None = None,
) -> FastAPI:
    assert rt.links is not None, "the portal needs unit links (a secret and a base URL)"
    app = FastAPI(title="督办 Duban", docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["local"] = lambda d: d.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    app.state.runtime = rt
    app.state.sessions = Sessions(secret)  # the CSRF tokens (office sessions live in the database)
    app.state.clock = clock or (lambda: dt.datetime.now(SHANGHAI))
    app.state.templates = templates
    app.state.settings = Settings(max_upload_bytes, trusted_networks(trusted_proxies), catalog_dir)
    app.middleware("http")(secure_headers)
    add_refusals(app)
    for module in (units, upload, signin, office, actions, contacts, extensions, closures):
        app.include_router(module.router)
    if catalog_dir is not None:  # the office's own catalog: review, Excel round trip, 发布
        app.include_router(catalog.router)
    app.add_api_route("/", to_office, include_in_schema=False)
    return app


def to_office() -> Response:
    return RedirectResponse("/office", status_code=303)


async def secure_headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else None
    if forwarded_https(peer, request.headers, settings.trusted):
        request.scope["scheme"] = "https"  # Secure cookies and HSTS behind the TLS proxy
    if any(ord(c) < 32 or ord(c) == 127 for c in request.scope["path"]):
        # %00 and other control characters: no route has them (PostgreSQL refuses NUL)
        response: Response = Pages(request).refuse(404, NOT_FOUND)
    else:
        response = await call_next(request)
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    if request.url.scheme == "https":
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def add_refusals(app: FastAPI) -> None:
    """What a refusing dependency (or an unknown page) is answered with."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {404: NOT_FOUND, 405: "不支持这种访问方式"}
        return Pages(request).refuse(exc.status_code, messages.get(exc.status_code, "请求无效"))

    @app.exception_handler(LinkError)
    async def bad_link(request: Request, exc: LinkError) -> Response:
        return Pages(request).refuse(410 if exc.expired else 403, str(exc))

    @app.exception_handler(FeedRefused)
    async def bad_feed(request: Request, exc: FeedRefused) -> Response:
        return Response(str(exc.error), status_code=410 if exc.error.expired else 403)

    @app.exception_handler(SignedOut)
    async def signed_out(request: Request, exc: SignedOut) -> Response:
        return RedirectResponse("/office/login", status_code=303)

    @app.exception_handler(StaleForm)
    async def stale_form(request: Request, exc: StaleForm) -> Response:
        return Pages(request).refuse(403, STALE_FORM)
