"""`duban serve`: the Prefect server (unless one is configured), the portal and the deployments,
started in that order and stopped in the reverse one.

Ports are taken before anything starts, so a port already in use stops `serve` with a message
instead of leaving a service without its portal. The Prefect API address is set before Prefect
is imported: Prefect reads its settings once, and without an address it would start a
temporary server of its own beside ours.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from duban.settings import Settings


class ServeError(Exception):
    """Something `serve` needs is not there; the message says what to do."""


def take_port(host: str, port: int, what: str, setting: str) -> socket.socket:
    """Bind `host:port` now (the socket is handed to the server), or say who should move."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServeError(
            f"{what}无法监听 {host}:{port}（{exc.strerror}）：端口已被占用或地址不可用。"
            f"请停止占用该端口的程序，或用 {setting} 换一个端口。"
        ) from None
    sock.set_inheritable(True)
    return sock


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@contextmanager
def prefect_server(home: Path, host: str, port: int, timeout: float = 120) -> Iterator[str]:
    """Run `prefect server start` (SQLite under `home`) in its own session; yield its API URL;
    stop it on the way out."""
    if not port_is_free(host, port):
        raise ServeError(
            f"Prefect 服务器无法监听 {host}:{port}：端口已被占用。请停止占用该端口的程序，"
            "用 DUBAN_PREFECT_PORT 换一个端口，或用 PREFECT_API_URL 指向已有的 Prefect 服务器。"
        )
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "ab")
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", host]
    proc = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a Ctrl-C in the terminal reaches us, and we stop it in order
    )
    url = f"http://{host}:{port}/api"
    try:
        _wait_healthy(url, proc, timeout, home / "server.log")
        yield url
    finally:
        _stop(proc)
        log.close()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServeError(f"Prefect 服务器启动失败（退出码 {proc.returncode}），见 {log}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise ServeError(f"Prefect 服务器 {timeout:.0f} 秒内未就绪，见 {log}")


def _stop(proc: subprocess.Popen[bytes], grace: float = 20) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextmanager
def portal(settings: Settings, sock: socket.socket) -> Iterator[None]:
    """Serve the portal on the bound socket in a thread until the block ends."""
    import uvicorn

    from duban.bootstrap import build_portal

    server = uvicorn.Server(
        uvicorn.Config(build_portal(settings), log_level="warning", proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="portal")
    thread.start()
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()


def run(settings: Settings, say: Callable[[str], None], api_url: str | None = None) -> None:
    """Start everything and block until SIGTERM or Ctrl-C; raise ServeError when a part
    cannot start (nothing is left running then)."""
    var_dir = settings.var_dir.resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    home = var_dir / "prefect"
    os.environ.setdefault("PREFECT_HOME", str(home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    sock = take_port(settings.portal_host, settings.portal_port, "门户", "DUBAN_PORTAL_PORT")
    with _api(api_url, home, settings) as url:
        os.environ["PREFECT_API_URL"] = url  # flow runs' processes inherit it
        with portal(settings, sock):
            say(f"门户 portal: http://{settings.portal_host}:{settings.portal_port}/office")
            say(f"Prefect: {url.removesuffix('/api')}")
            say(
                f"日常任务 tick: {settings.tick_cron} (Asia/Shanghai，非工作日不办理); "
                f"发送 dispatch: 每 {settings.dispatch_every} 秒; 数据 var: {var_dir}"
            )
            _serve(url, var_dir, settings)


@contextmanager
def _api(api_url: str | None, home: Path, settings: Settings) -> Iterator[str]:
    if api_url:
        yield api_url
        return
    with prefect_server(home, "127.0.0.1", settings.prefect_port) as url:
        yield url


def _serve(url: str, var_dir: Path, settings: Settings) -> Any:
    from prefect.logging.handlers import APILogWorker
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.prefect_flows import serve_deployments

    with temporary_settings(updates={PREFECT_API_URL: url}):
        try:
            serve_deployments(var_dir, settings.tick_cron, settings.dispatch_every)
        finally:
            APILogWorker.drain_all(timeout=5)  # the runs' last log lines, while the API is up
