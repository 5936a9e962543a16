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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import apprise
from apprise.config.base import ConfigBase

from notifications.channels import DeliveryError, NoChannel, Outgoing
from notifications.dingtalk import register
from notifications.pacing import Pacer
from notifications.smtp import (
    SmtpPool,
    _nothing,
)
from notifications.transports import (
    APPRISE,
    DINGTALK,
    EMAIL,
    AppriseTransport,
    EmailTransport,
    RobotTransport,
    Transport,
    kind_of,
)
from vocab.words import MessageKind

log = logging.getLogger(__name__)


def _no_clock() -> dt.datetime:
    raise RuntimeError("AppriseChannel needs a clock from its entry point for pacing and tests")


def url_id(server: Any) -> str:
    """A stable, secret-free id of one configured URL (a hash of the full URL)."""
    return hashlib.sha256(server.url(privacy=False).encode("utf-8")).hexdigest()[:16]


def shown(server: Any) -> str:
    return str(server.url(privacy=True)).split("?")[0]


def _has_entries(path: Path) -> bool:
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return any(line.strip() and not line.lstrip().startswith(("#", ";")) for line in lines)


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
        self.transports: dict[str, Transport] = {
            EMAIL: EmailTransport(self.smtp),
            DINGTALK: RobotTransport(pacer, self.clock),
            APPRISE: AppriseTransport(),
        }
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
                f"没有标签为 {message.recipient!r} 的通道（通讯录和 Apprise 配置中都没有）"
                f" (no channel for tag {message.recipient!r})"
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
        self.transports[kind_of(server)].send(server, uid, message, ready, meanwhile)

    def prepare(self, message: Outgoing) -> None:
        """Serialise the message's email for each email address of its recipient now, so that
        sending it is only the SMTP exchange. The dispatcher calls this while the previous
        message is still with the server (serialising was half the sender's time, measured)."""
        uid = ""
        try:
            for server in self.servers(message.recipient):
                if kind_of(server) == EMAIL:
                    uid = self._name(server)[0]
                    for to_name, to_addr in server.targets:
                        message.wire[(uid, to_addr)] = EmailTransport.addressed(
                            server, message.email, to_name, to_addr
                        )
        except Exception:  # the send builds what is missing and reports any error itself
            log.warning("could not prepare %s for %s", message.key, uid or message.recipient)

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
