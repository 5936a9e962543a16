"""One transport per kind of channel, each behind the same `send` with the permanent/transient
`DeliveryError` (after healthchecks' `hc/api/transports.py`); `AppriseChannel` picks one by the
kind of the configured URL, read from its scheme.

- email (`mailto://`, `mailtos://`): the message Duban built, over Duban's pooled SMTP client;
- dingtalk (`dingtalks://`): the markdown through Duban's corrected robot plugin, paced per robot;
- dingtalk-work: a userid from the 通讯录, by DingTalk work notification (`contact_channels`);
- apprise (anything else): Apprise's own plugin with the text body.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from email.message import Message
from typing import Any, Protocol

from apprise import NotifyFormat

from notifications.channels import DeliveryError, Outgoing
from notifications.dingtalk import TRANSIENT_CODES
from notifications.mail import address, display_name, plain_text, wire
from notifications.pacing import Pacer
from notifications.smtp import ServerSilent, SmtpPool, SmtpTarget, classify_smtp

EMAIL, DINGTALK, WORK, APPRISE = "email", "dingtalk", "dingtalk-work", "apprise"
SCHEMES = {
    "mailto": EMAIL,
    "mailtos": EMAIL,
    "dingtalk": DINGTALK,
    "dingtalks": DINGTALK,
    "dingtalk-work": WORK,  # a 通讯录 userid by DingTalk work notification (contact_channels)
}


def kind_of(server: Any) -> str:
    """The transport a configured Apprise URL goes through, by its plugin's schemes."""
    for attr in ("protocol", "secure_protocol"):
        schemes = getattr(server, attr, None) or ()
        for scheme in (schemes,) if isinstance(schemes, str) else schemes:
            if scheme in SCHEMES:
                return SCHEMES[scheme]
    return APPRISE


class Transport(Protocol):
    def send(
        self,
        server: Any,
        uid: str,
        message: Outgoing,
        ready: Callable[[], None],
        meanwhile: Callable[[], None],
    ) -> None: ...


class EmailTransport:
    """The email as Duban built it (Message-ID from the outbox key, our text part, attachments
    as they are), addressed per recipient and sent over the pooled SMTP client."""

    def __init__(self, pool: SmtpPool):
        self.pool = pool

    @staticmethod
    def addressed(server: Any, email: Message, to_name: str | None, to_addr: str) -> bytes:
        """The email's bytes as sent from the URL's sender to one address. Addressed in place
        (a deep copy per recipient cost more than the send itself, measured)."""
        name = display_name(email["From"])
        del email["From"]
        email["From"] = address(name, server.from_addr[1])
        del email["To"]
        email["To"] = address(to_name or "", to_addr)
        return wire(email)

    def send(
        self,
        server: Any,
        uid: str,
        message: Outgoing,
        ready: Callable[[], None],
        meanwhile: Callable[[], None],
    ) -> None:
        target = SmtpTarget(
            server.smtp_host,
            int(server.port),
            server.secure_mode,
            server.user,
            server.password,
            server.verify_certificate,
        )
        for to_name, to_addr in server.targets:
            data = message.wire.get((uid, to_addr))
            if data is None:
                data = self.addressed(server, message.email, to_name, to_addr)
            try:
                self.pool.send(target, server.from_addr[1], [to_addr], data, ready, meanwhile)
            except ServerSilent as exc:
                raise DeliveryError(
                    f"SMTP 服务器 {exc} 本轮此前无应答，未再尝试 (server silent earlier in this run)",
                    attempted=False,
                ) from None
            except (smtplib.SMTPException, OSError) as exc:
                raise classify_smtp(exc) from None


class RobotTransport:
    """A DingTalk group robot: the digest's markdown, paced per robot (DingTalk allows 20 a
    minute), DingTalk's error codes read as permanent or transient."""

    def __init__(self, pacer: Pacer | None, clock: Callable[[], dt.datetime]):
        self.pacer, self.clock = pacer, clock

    def send(
        self,
        server: Any,
        uid: str,
        message: Outgoing,
        ready: Callable[[], None],
        meanwhile: Callable[[], None],
    ) -> None:
        ready()
        if self.pacer is not None:
            self.pacer.acquire(uid, self.clock())
        ok = server.notify(
            body=message.markdown, title=message.subject, body_format=NotifyFormat.MARKDOWN
        )
        if not ok:
            code = server.last_errcode
            raise DeliveryError(
                f"钉钉返回错误 errcode {code}: {server.last_errmsg}",
                permanent=code not in TRANSIENT_CODES,
            )


class AppriseTransport:
    """Any other Apprise service, with the message's plain text."""

    def send(
        self,
        server: Any,
        uid: str,
        message: Outgoing,
        ready: Callable[[], None],
        meanwhile: Callable[[], None],
    ) -> None:
        ready()
        text = plain_text(message.email) or message.subject
        if not server.notify(body=text, title=message.subject):
            raise DeliveryError("该服务拒收了消息 (the service refused it; see Apprise's log)")
