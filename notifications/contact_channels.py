"""Channels built from the contact directory: a unit's liaison and leader by email (through the
office's SMTP server, `DUBAN_SMTP_URL`) and by DingTalk work notification to their userid
(`DUBAN_DINGTALK_APP_*`), its group robots by Apprise. The Apprise configuration file, when
there is one, adds its URLs to these.

Contacts are read again at most once a minute, so an import or an edit on the portal reaches
the next dispatch without a restart. Every URL is shown only as Apprise's privacy URL."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlparse

import apprise
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import UnitContact
from notifications.channels import DeliveryError, Outgoing
from notifications.delivery import AppriseChannel, ChannelConfigError
from notifications.dingtalk import register
from notifications.dingtalk_work import DingTalkWorkNotifier, distinct_text, redact_http_logs
from notifications.pacing import Pacer
from notifications.render import fit_markdown
from notifications.transports import WORK

REFRESH = dt.timedelta(minutes=1)
WORK_TEXT_BYTES = 1500  # of asyncsend_v2's 2048 for the whole msg: title, link and JSON too
_LINK = re.compile(r"\[在线填报\]\((https?://[^)\s]+)\)")
TLS_MODES = {"none": "insecure", "starttls": "starttls", "ssl": "ssl"}


@dataclass(frozen=True)
class SmtpSettings:
    """The office's SMTP server: `smtp://user@host:587?from=office@example.gov.cn&tls=starttls`
    (`smtps://` for implicit TLS on 465; `tls=none` for a relay on the local network). The
    password comes from DUBAN_SMTP_PASSWORD_FILE, never from the URL."""

    host: str
    port: int
    mode: str
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def parse(cls, url: str, password: str | None, fallback_sender: str) -> SmtpSettings:
        parts = urlparse(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ChannelConfigError(
                "DUBAN_SMTP_URL：请写成 smtp://用户名@主机:端口?from=发件地址&tls=starttls"
                "（或 smtps://…，tls=none 用于内网中继）"
            )
        if parts.password:
            raise ChannelConfigError(
                "DUBAN_SMTP_URL 不能含密码；请把密码写入一个文件，用 DUBAN_SMTP_PASSWORD_FILE 指向它"
            )
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        default = "ssl" if parts.scheme == "smtps" else "starttls"
        mode = TLS_MODES.get(query.get("tls", default).lower())
        if mode is None:
            raise ChannelConfigError("DUBAN_SMTP_URL：tls= 只能是 none、starttls 或 ssl")
        try:
            port = parts.port or (465 if mode == "ssl" else 587 if mode == "starttls" else 25)
        except ValueError:
            raise ChannelConfigError("DUBAN_SMTP_URL：端口须为数字") from None
        user = unquote(parts.username) if parts.username else None
        return cls(parts.hostname, port, mode, user, password, query.get("from", fallback_sender))

    def mailto(self, to: str) -> str:
        """The Apprise URL that sends to `to` through this server (password included: it is
        given to Apprise only, which shows its privacy form)."""
        login = ""
        if self.user:
            secret = f":{quote(self.password, safe='')}" if self.password else ""
            login = f"{quote(self.user, safe='')}{secret}@"
        query = {"smtp": self.host, "from": self.sender, "to": to, "mode": self.mode}
        scheme = "mailto" if self.mode == "insecure" else "mailtos"
        return f"{scheme}://{login}{self.host}:{self.port}?{urlencode(query)}"


class WorkTarget:
    """One userid reached by DingTalk work notification, as a "server" of the channel's index
    (its `url` names the agent and the userid: nothing secret)."""

    protocol = WORK  # the transport it goes through (transports.kind_of)

    def __init__(self, notifier: DingTalkWorkNotifier, userid: str, tag: str):
        self.notifier, self.userid = notifier, userid
        self.tags = {tag}

    def url(self, privacy: bool = False) -> str:
        return f"dingtalk-work://{self.notifier.agent_id}/{quote(self.userid, safe='')}"

    def send(self, message: Outgoing) -> None:
        link = _LINK.search(message.markdown)
        text = distinct_text(fit_markdown(message.markdown, WORK_TEXT_BYTES), message.key)
        title = message.subject[:60]
        self.notifier.send_and_confirm([self.userid], title, text, link.group(1) if link else None)


def contact_urls(
    contacts: Iterable[UnitContact], smtp: SmtpSettings | None
) -> list[tuple[str, str]]:
    """(tag, Apprise URL) of every channel the contacts give: email needs the SMTP server."""
    urls = []
    for c in contacts:
        if smtp is not None and c.liaison_email:
            urls.append((c.unit_id, smtp.mailto(c.liaison_email)))
        if smtp is not None and c.leader_email:
            urls.append((f"{c.unit_id}:leader", smtp.mailto(c.leader_email)))
        if c.robot_token:
            secret = f"{quote(c.robot_secret, safe='')}@" if c.robot_secret else ""
            mention = (
                f"/{c.liaison_mobile}" if c.liaison_mobile and c.liaison_mobile.isdigit() else ""
            )
            urls.append((c.unit_id, f"dingtalk://{secret}{c.robot_token}{mention}"))
        if c.wecom_key:
            urls.append((c.unit_id, f"wecombot://{c.wecom_key}"))
    return urls


def contact_userids(contacts: Iterable[UnitContact]) -> list[tuple[str, str]]:
    """(tag, DingTalk userid) of every liaison and leader with one."""
    found = []
    for c in contacts:
        if c.liaison_userid:
            found.append((c.unit_id, c.liaison_userid))
        if c.leader_userid:
            found.append((f"{c.unit_id}:leader", c.leader_userid))
    return found


def robots_kept(sessions: sessionmaker[Session]) -> bool:
    """Whether any unit has a group robot (reachable without any server setting)."""
    with sessions() as session:
        query = select(UnitContact.unit_id).where(
            (UnitContact.robot_token.is_not(None)) | (UnitContact.wecom_key.is_not(None))
        )
        return session.scalars(query.limit(1)).first() is not None


class ContactChannel(AppriseChannel):
    """The Apprise channel over the contacts' channels plus the configuration file's."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        config: apprise.Apprise | None = None,
        smtp: SmtpSettings | None = None,
        work: DingTalkWorkNotifier | None = None,
        pacer: Pacer | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        smtp_timeout: float = 5,
    ):
        register()
        redact_http_logs()  # urllib3 logs each request line, robot access_token included
        super().__init__(config or apprise.Apprise(), pacer, clock, smtp_timeout)
        self.sessions, self.smtp_settings, self.work = sessions, smtp, work
        self.transports[WORK] = WorkTransport()
        self._loaded: dt.datetime | None = None

    def index(self) -> dict[str, tuple[Any, ...]]:
        now = self.clock()
        if self._servers is None or self._loaded is None or now - self._loaded >= REFRESH:
            self._names.clear()  # the names of the servers replaced (else kept alive forever)
            self._servers, self._loaded = self._build(), now
        return self._servers

    def _build(self) -> dict[str, tuple[Any, ...]]:
        with self.sessions() as session:
            contacts = list(session.scalars(select(UnitContact).order_by(UnitContact.unit_id)))
            session.expunge_all()
        by_tag: dict[str, list[Any]] = {}
        for tag, url in contact_urls(contacts, self.smtp_settings):
            server = apprise.Apprise.instantiate(url, tag=tag)
            if server:  # a URL Apprise refuses is left out (the import checked its parts)
                by_tag.setdefault(tag, []).append(server)
        if self.work is not None:
            for tag, userid in contact_userids(contacts):
                by_tag.setdefault(tag, []).append(WorkTarget(self.work, userid, tag))
        for server in self.apprise:
            for tag in sorted(server.tags):
                by_tag.setdefault(tag, []).append(server)
        return {tag: tuple(found) for tag, found in by_tag.items()}


class WorkTransport:
    """The work-notification transport: the target sends and confirms its one userid."""

    def send(
        self,
        server: Any,
        uid: str,
        message: Outgoing,
        ready: Callable[[], None],
        meanwhile: Callable[[], None],
    ) -> None:
        ready()
        try:
            server.send(message)
        except DeliveryError as exc:
            exc.done = set()  # ids of this channel are URL ids, not userids
            raise
