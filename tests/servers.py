"""Real local servers for delivery tests: SMTP (aiosmtpd) and a DingTalk-compatible robot
endpoint that checks timestamp and signature exactly as DingTalk does."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self.lock:
            self.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


class DingTalkRobot:
    """Answers like https://oapi.dingtalk.com/robot/send for one access token and secret."""

    def __init__(self, token: str, secret: str):
        self.token, self.secret = token, secret
        self.received: list[dict] = []
        self.too_fast = 0  # answer 130101 to this many requests
        self.port = free_port()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                query = parse_qs(urlparse(self.path).query)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(
                    json.dumps(robot.answer(urlparse(self.path).path, query, body)).encode()
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, path: str, query: dict, body: bytes) -> dict:
        if path != "/robot/send" or query.get("access_token", [""])[0] != self.token:
            return {"errcode": 300001, "errmsg": "token is not exist"}
        timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
        if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > 3600_000:
            return {"errcode": 310000, "errmsg": "invalid timestamp"}
        digest = hmac.new(
            self.secret.encode(), f"{timestamp}\n{self.secret}".encode(), hashlib.sha256
        ).digest()
        if (
            sign != base64.b64encode(digest).decode()
        ):  # parse_qs has decoded it once, as DingTalk does
            return {"errcode": 310000, "errmsg": "sign not match"}
        if len(body) > 20000:
            return {"errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"}
        if self.too_fast > 0:
            self.too_fast -= 1
            return {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
        self.received.append(json.loads(body))
        return {"errcode": 0, "errmsg": "ok"}

    def start(self) -> DingTalkRobot:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SlowInbox(Inbox):
    """Takes `delay` seconds to accept each message, so a test can kill a sender mid-batch."""

    def __init__(self, delay: float):
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


class SilentSmtpServer:
    """Accepts TCP connections and never says a word (a hung or black-holed mail server)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)  # held open, never answered

    def start(self) -> SilentSmtpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        for conn in self.connections:
            conn.close()
        self.sock.close()
