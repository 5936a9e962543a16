"""Running unattended: `duban serve` (tick, dispatch and the portal together) and `duban
portal` (the web portal alone)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from duban.cli.common import fail, out
from duban.settings import Settings


def serve() -> None:
    """Run unattended: the daily tick (DUBAN_TICK_CRON, default 09:00 Asia/Shanghai; non-working
    days do nothing), dispatch every DUBAN_DISPATCH_EVERY seconds, and the portal on
    DUBAN_PORTAL_HOST:DUBAN_PORTAL_PORT. Starts a local Prefect server unless PREFECT_API_URL
    is set. Stops cleanly on SIGTERM or Ctrl-C."""
    from duban.serve import ServeError, run

    try:
        run(
            Settings(),
            lambda line: out.print(line, highlight=False),
            os.environ.get("PREFECT_API_URL"),
        )
    except ServeError as exc:
        fail(str(exc), 1)


def portal(
    host: Annotated[
        str | None, typer.Option("--host", help="Address to listen on (default DUBAN_PORTAL_HOST)")
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", help="Port to listen on (default DUBAN_PORTAL_PORT)")
    ] = None,
) -> None:
    """Serve the web portal (units' forms, the office dashboard) with uvicorn on the configured database."""
    import uvicorn

    from duban.bootstrap import build_portal
    from duban.portal.security import redact_access_log
    from duban.serve import ServeError, take_port

    settings = Settings()
    host, port = host or settings.portal_host, port or settings.portal_port
    try:
        sock = take_port(host, port, "门户", "--port 或 DUBAN_PORTAL_PORT")
    except ServeError as exc:
        fail(str(exc), 1)
    out.print(f"门户 portal: http://{host}:{port}/office", highlight=False)
    redact_access_log()  # link tokens never reach the log
    # the client address is decided by the portal, not by proxy headers a client could forge
    config = uvicorn.Config(build_portal(settings), log_level="info", proxy_headers=False)
    uvicorn.Server(config).run(sockets=[sock])
