"""Delivery through Apprise: channels come from an Apprise configuration file whose tags are
recipients — a unit id reaches its liaison officers, `<unit id>:leader` its leader, `office`
the leading-group office, `admin` whoever runs Duban.

Email URLs (`mailto://`, `mailtos://`) are parsed by Apprise but sent by Duban over a pooled
SMTP connection, because Apprise's email plugin (measured, 1.13) builds its own Message-ID (we
need one derived from the outbox key so a resent copy folds), converts the HTML to its own text
part, rejects an attachment mimetype with parameters, and opens one SMTP connection per notify.
DingTalk goes through our corrected plugin (notifications.dingtalk), every other service through
Apprise as it is. Errors and logs only ever show Apprise's privacy URLs: no password or token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

import apprise
from apprise import NotifyFormat
from apprise.config.base import ConfigBase
from apprise.plugins.email import NotifyEmail, SecureMailMode

from notifications.channels import DeliveryError, NoChannel, Outgoing
from notifications.dingtalk import TRANSIENT_CODES, DubanDingTalk, register
from notifications.mail import address, display_name, plain_text, wire
from notifications.pacing import Pacer
from vocab.words import MessageKind

log = logging.getLogger(__name__)


def _no_clock() -> dt.datetime:
    raise RuntimeError("AppriseChannel needs a clock from its entry point for pacing and tests")


def url_id(server: Any) -> str:
    """A stable, secret-free id of one configured URL (a hash of the full URL)."""
    return hashlib.sha256(server.url(privacy=False).encode("utf-8")).hexdigest()[:16]


def shown(server: Any) -> str:
    return str(server.url(privacy=True)).split("?")[0]


@dataclass
class SmtpTarget:
    host: str
    port: int
    secure: str
    user: str | None
    password: str | None
    verify: bool

    @property
    def key(self) -> tuple[str, int, str | None]:
        return (self.host, self.port, self.user)


def _nothing() -> None:
    pass


def _has_entries(path: Path) -> bool:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return any(line.strip() and not line.lstrip().startswith(("#", ";")) for line in lines)


_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


def exchange(
    conn: smtplib.SMTP,
    sender: str,
    recipients: list[str],
    data: bytes,
    ready: Callable[[], None] = _nothing,
    meanwhile: Callable[[], None] = _nothing,
    data_timeout: float | None = None,
) -> dict[str, tuple[int, bytes]]:
    """`conn.sendmail(sender, recipients, data)` for bytes with CRLF line ends, its replies and
    errors the same, with the dispatcher's work put where the client would only wait for
    the server: `ready()` (commit the previous message's result) while the server answers
    MAIL FROM, so it is committed before this message can be delivered, and `meanwhile()`
    (compose the next message) while the server takes in this one's data. That waiting was
    most of an exchange, and threads would share one interpreter lock (measured,
    bench/dispatch_smtp.py). If `ready()` raises, the transaction is reset, nothing is
    delivered and the exception goes on."""
    conn.ehlo_or_helo_if_needed()
    size = f" SIZE={len(data)}" if conn.does_esmtp and conn.has_extn("size") else ""
    conn.putcmd("mail", f"FROM:{smtplib.quoteaddr(sender)}{size}")
    try:
        ready()
    except BaseException:
        try:
            conn.getreply()
        except (smtplib.SMTPException, OSError):
            pass
        _abandon(conn, 0)
        raise
    code, resp = conn.getreply()
    if code != 250:
        _abandon(conn, code)
        raise smtplib.SMTPSenderRefused(code, resp, sender)
    refused: dict[str, tuple[int, bytes]] = {}
    for each in recipients:
        code, resp = conn.rcpt(each)
        if code not in (250, 251):
            refused[each] = (code, resp)
        if code == 421:
            conn.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(recipients):
        _abandon(conn, 0)
        raise smtplib.SMTPRecipientsRefused(refused)
    conn.putcmd("data")
    code, resp = conn.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, resp)
    quoted = _LEADING_DOT.sub(b"..", data)
    conn.send(quoted + (b".\r\n" if quoted.endswith(b"\r\n") else b"\r\n.\r\n"))
    meanwhile()
    code, resp = _final_reply(conn, data_timeout)
    if code != 250:
        _abandon(conn, code)
        raise smtplib.SMTPDataError(code, resp)
    return refused


def _final_reply(conn: smtplib.SMTP, timeout: float | None) -> tuple[int, bytes]:
    """The reply to the data's final dot, which a server may take longer to give (content
    checks): RFC 5321 allows it minutes, where every other reply comes at once."""
    if timeout is None or conn.sock is None:
        return conn.getreply()
    before = conn.sock.gettimeout()
    conn.sock.settimeout(timeout)
    try:
        return conn.getreply()
    finally:
        if conn.sock is not None:
            conn.sock.settimeout(before)


def _abandon(conn: smtplib.SMTP, code: int) -> None:
    """End a failed transaction as sendmail does: close on 421, else RSET (a server already
    gone is left to the pool, which drops the connection)."""
    if code == 421:
        conn.close()
        return
    try:
        conn.rset()
    except (smtplib.SMTPException, OSError):
        conn.close()


def timed_out(exc: BaseException) -> bool:
    """Whether an SMTP error is a server's silence (smtplib reports a read that timed out as
    a disconnection, with the timeout as its context)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__context__
    return False


class ServerSilent(Exception):
    """The SMTP server did not answer in time earlier in this run: it is not tried again."""


class SmtpPool:
    """One open SMTP connection per server, reused across messages (Apprise opens one per
    notify; reusing it is what lets dispatch approach the server's own ceiling).

    A server that accepts the connection and then says nothing is found out by `timeout`
    (greeting and every command; the data's final reply gets `data_timeout`) and is not tried
    again by this pool: a dispatch run on a silent server costs one timeout, not one per
    message, and stays far inside the outbox lease."""

    def __init__(self, timeout: float = 5, data_timeout: float = 60):
        self.timeout = timeout
        self.data_timeout = max(data_timeout, timeout)
        self._connections: dict[tuple[str, int, str | None], smtplib.SMTP] = {}
        self._silent: set[tuple[str, int, str | None]] = set()
        self._lock = threading.Lock()

    def _connect(self, t: SmtpTarget) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if not t.verify:
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        if t.secure == SecureMailMode.SSL:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                t.host, t.port, timeout=self.timeout, context=context
            )
        else:
            conn = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            if t.secure == SecureMailMode.STARTTLS:
                conn.starttls(context=context)
        if t.user and t.password:
            conn.login(t.user, t.password)
        return conn

    def send(
        self,
        t: SmtpTarget,
        sender: str,
        recipients: list[str],
        data: bytes,
        ready: Callable[[], None] = _nothing,
        meanwhile: Callable[[], None] = _nothing,
    ) -> None:
        """Send `data` over the pooled connection (`exchange`, with its `ready` and
        `meanwhile`); a connection the server had closed is replaced once."""
        with self._lock:
            if t.key in self._silent:
                raise ServerSilent(f"{t.host}:{t.port}")
            for attempt in (1, 2):
                conn = self._connections.get(t.key)
                try:
                    if conn is None:
                        conn = self._connections[t.key] = self._connect(t)
                    exchange(conn, sender, recipients, data, ready, meanwhile, self.data_timeout)
                    return
                except (TimeoutError, smtplib.SMTPServerDisconnected) as exc:
                    if timed_out(exc):
                        self._silent.add(t.key)
                        self._drop(t.key, polite=False)
                        raise TimeoutError(f"{t.host}:{t.port} did not answer") from None
                    self._drop(t.key)
                    if attempt == 2:
                        raise
                except BaseException:  # also an interrupted exchange: its replies are unread
                    self._drop(t.key)
                    raise

    def _drop(self, key: tuple[str, int, str | None], polite: bool = True) -> None:
        """Forget a connection; say QUIT unless the server is silent (it would not answer)."""
        conn = self._connections.pop(key, None)
        if conn is None:
            return
        try:
            conn.quit() if polite else conn.close()
        except Exception:  # already gone
            conn.close()

    def close(self) -> None:
        with self._lock:
            for key in list(self._connections):
                self._drop(key)


def classify_smtp(exc: Exception) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return DeliveryError(
            f"recipient refused ({', '.join(map(str, codes))})",
            permanent=all(c >= 500 for c in codes),
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError(f"SMTP login refused ({exc.smtp_code})", permanent=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        said = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return DeliveryError(f"SMTP {exc.smtp_code} {said[:120]}", permanent=exc.smtp_code >= 500)
    if isinstance(exc, TimeoutError):
        return DeliveryError(
            "SMTP 服务器无应答，本轮不再尝试 (SMTP server silent; retried later)", permanent=False
        )
    return DeliveryError(f"SMTP server unreachable ({type(exc).__name__})", permanent=False)


class ChannelConfigError(Exception):
    """The channel configuration cannot be used; the message says what to do."""


class AppriseChannel:
    def __init__(
        self,
        apobj: apprise.Apprise,
        pacer: Pacer | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        smtp_timeout: float = 5,
    ):
        self.apprise = apobj
        self.pacer = pacer
        self.clock = clock or _no_clock
        self.smtp = SmtpPool(smtp_timeout)
        # Apprise rebuilds a URL from its parts on every call (a tenth of a send, measured):
        # each configured URL's id and shown form are computed once.
        self._names: dict[int, tuple[Any, str, str]] = {}
        # Apprise's find() walks every URL's tags on each call, so a lookup grew with the
        # number of URLs: the URLs are indexed by tag once instead.
        self._servers: dict[str, tuple[Any, ...]] | None = None

    @classmethod
    def from_config(
        cls,
        path: Path,
        pacer: Pacer | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        smtp_timeout: float = 5,
    ) -> AppriseChannel:
        """The channels of an Apprise configuration file; ChannelConfigError when Apprise
        would not read it (it ignores a file over its size limit and sends nothing)."""
        register()
        if not path.exists():
            raise ChannelConfigError(
                f"DUBAN_APPRISE_CONFIG：{path} 不存在；请创建该文件，或取消该设置（消息将写入 var/outbox/）"
            )
        size, limit = path.stat().st_size, ConfigBase.max_buffer_size
        if size > limit:
            raise ChannelConfigError(
                f"DUBAN_APPRISE_CONFIG：{path} 有 {size // 1024} KB，超过 Apprise 可读取的 "
                f"{limit // 1024} KB 上限，Apprise 会忽略整个文件。请把单位联系人移入通讯录"
                "（duban contacts import），或把配置拆成多个不超过上限的文件。"
            )
        config = apprise.AppriseConfig()
        config.add(str(path))
        apobj = apprise.Apprise()
        apobj.add(config)
        channel = cls(apobj, pacer, clock, smtp_timeout)
        if not channel.index() and _has_entries(path):
            raise ChannelConfigError(
                f"DUBAN_APPRISE_CONFIG：Apprise 未能从 {path} 读出任何通道；请检查文件格式"
                "（每行「标签 = URL」，或 Apprise 的 YAML 格式）"
            )
        return channel

    def index(self) -> dict[str, tuple[Any, ...]]:
        """Every configured URL by tag, in the configuration's order (read once)."""
        if self._servers is None:
            by_tag: dict[str, list[Any]] = {}
            for server in self.apprise:
                for tag in sorted(server.tags):
                    by_tag.setdefault(tag, []).append(server)
            self._servers = {tag: tuple(found) for tag, found in by_tag.items()}
        return self._servers

    def servers(self, recipient: str) -> tuple[Any, ...]:
        """The configured URLs tagged `recipient`."""
        return self.index().get(recipient, ())

    def _name(self, server: Any) -> tuple[str, str]:
        """(url_id, shown) of a configured URL, computed once (the server object is kept with
        them, so its id() is not reused)."""
        known = self._names.get(id(server))
        if known is None or known[0] is not server:
            known = self._names[id(server)] = (server, url_id(server), shown(server))
        return known[1], known[2]

    def send(self, message: Outgoing) -> str:
        return self.send_overlapped(message, _nothing, _nothing)

    def send_overlapped(
        self, message: Outgoing, ready: Callable[[], None], meanwhile: Callable[[], None]
    ) -> str:
        """Deliver to every URL of the recipient (`channels.Overlapping`): `ready()` before
        each delivery, `meanwhile()` while an SMTP server takes in the data."""
        servers = self.servers(message.recipient)
        if not servers:
            raise NoChannel(
                f"no channel configured for tag {message.recipient!r} in the Apprise configuration"
            )
        done = set(message.already)
        errors: list[tuple[str, DeliveryError]] = []
        for server in servers:
            uid, where = self._name(server)
            if uid in done:
                continue  # delivered on an earlier attempt of this message
            try:
                self._send_one(server, uid, message, ready, meanwhile)
                done.add(uid)
            except DeliveryError as exc:
                errors.append((where, exc))
        if errors:
            text = "; ".join(f"{where}: {exc}" for where, exc in errors)
            reached = any(e.attempted for _, e in errors) or bool(done - message.already)
            raise DeliveryError(
                text,
                permanent=all(e.permanent for _, e in errors),
                done=done,
                attempted=reached,
            )
        return ", ".join(self._name(s)[1] for s in servers)

    def _send_one(
        self,
        server: Any,
        uid: str,
        message: Outgoing,
        ready: Callable[[], None] = _nothing,
        meanwhile: Callable[[], None] = _nothing,
    ) -> None:
        if isinstance(server, NotifyEmail):
            self._email(server, message, ready, meanwhile)
            return
        ready()
        if self.pacer is not None and isinstance(server, DubanDingTalk):
            self.pacer.acquire(uid, self.clock())
        if isinstance(server, DubanDingTalk):
            ok = server.notify(
                body=message.markdown, title=message.subject, body_format=NotifyFormat.MARKDOWN
            )
            if not ok:
                code = server.last_errcode
                raise DeliveryError(
                    f"DingTalk errcode {code}: {server.last_errmsg}",
                    permanent=code not in TRANSIENT_CODES,
                )
            return
        text = plain_text(message.email) or message.subject
        if not server.notify(body=text, title=message.subject):
            raise DeliveryError(
                "the service refused the message (see Apprise's log)", permanent=False
            )

    def prepare(self, message: Outgoing) -> None:
        """Serialise the message's email for each email address of its recipient now, so that
        sending it is only the SMTP exchange. The dispatcher calls this while the previous
        message is still with the server (serialising was half the sender's time, measured)."""
        uid = ""
        try:
            for server in self.servers(message.recipient):
                if isinstance(server, NotifyEmail):
                    uid = self._name(server)[0]
                    for to_name, to_addr in server.targets:
                        message.wire[(uid, to_addr)] = self._addressed(
                            server, message.email, to_name, to_addr
                        )
        except Exception:  # the send builds what is missing and reports any error itself
            log.warning("could not prepare %s for %s", message.key, uid or message.recipient)

    @staticmethod
    def _addressed(server: NotifyEmail, email: Message, to_name: str | None, to_addr: str) -> bytes:
        """The email's bytes as sent from the URL's sender to one address. Addressed in place
        (a deep copy per recipient cost more than the send itself, measured)."""
        name = display_name(email["From"])
        del email["From"]
        email["From"] = address(name, server.from_addr[1])
        del email["To"]
        email["To"] = address(to_name or "", to_addr)
        return wire(email)

    def _email(
        self,
        server: NotifyEmail,
        message: Outgoing,
        ready: Callable[[], None] = _nothing,
        meanwhile: Callable[[], None] = _nothing,
    ) -> None:
        target = SmtpTarget(
            server.smtp_host,
            int(server.port),
            server.secure_mode,
            server.user,
            server.password,
            server.verify_certificate,
        )
        uid = self._name(server)[0]
        for to_name, to_addr in server.targets:
            data = message.wire.get((uid, to_addr))
            if data is None:
                data = self._addressed(server, message.email, to_name, to_addr)
            try:
                self.smtp.send(target, server.from_addr[1], [to_addr], data, ready, meanwhile)
            except ServerSilent as exc:
                raise DeliveryError(
                    f"SMTP 服务器 {exc} 本轮此前无应答，未再尝试 (server silent earlier in this run)",
                    attempted=False,
                ) from None
            except (smtplib.SMTPException, OSError) as exc:
                raise classify_smtp(exc) from None

    def test(self, recipient: str) -> list[tuple[str, bool, str]]:
        """Send a short test message to every URL of `recipient`; return (url, ok, error)."""
        from notifications.mail import build_email
        from notifications.render import Signature, render

        now = self.clock()
        rendered = render(
            MessageKind.TEST,
            {"salutation": recipient, "programme": ""},
            Signature("督办系统"),
            now.date(),
        )
        email = build_email(
            key=f"test:{recipient}:{now.isoformat()}",
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            sender=("督办系统", "duban@localhost"),
            to=[(recipient, "test@localhost")],
            attachments=[],
            when=now,
            domain="duban.test",
        )
        outgoing = Outgoing(
            f"test:{recipient}", recipient, "test", rendered.subject, email, rendered.markdown
        )
        results = []
        for server in self.servers(recipient):
            try:
                self._send_one(server, url_id(server), outgoing)
                results.append((shown(server), True, ""))
            except DeliveryError as exc:
                results.append((shown(server), False, str(exc)))
        return results
