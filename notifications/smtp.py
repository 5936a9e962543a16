"""The SMTP client Duban sends mail with: one exchange per message on pooled connections, the
dispatcher's own work done while the server is busy (`exchange`), silent servers detected and
given up for the run, and SMTP errors classified as permanent or transient.

The secure modes are the values of Apprise's `SecureMailMode` ("ssl", "starttls", "insecure"),
which `notifications.delivery` reads from a `mailto://` URL, and `notifications.contact_channels`
from `DUBAN_SMTP_URL`."""

from __future__ import annotations

import re
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass

from notifications.channels import DeliveryError

SSL, STARTTLS = "ssl", "starttls"


def _nothing() -> None:
    pass


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
        if t.secure == SSL:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                t.host, t.port, timeout=self.timeout, context=context
            )
        else:
            conn = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            if t.secure == STARTTLS:
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
