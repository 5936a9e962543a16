"""Where messages go. Each channel implements `send`, which raises DeliveryError saying whether
the failure is permanent; the dispatcher records every attempt and its error."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Protocol, runtime_checkable


class DeliveryError(Exception):
    """`done` holds the ids of the URLs that did receive the message (not to be sent again);
    `attempted` is False when no server was even tried (one known silent in this run)."""

    def __init__(
        self,
        message: str,
        permanent: bool = False,
        done: set[str] | None = None,
        retry_after: float | None = None,
        attempted: bool = True,
    ):
        super().__init__(message)
        self.permanent = permanent
        self.done = done or set()
        self.retry_after = retry_after
        self.attempted = attempted


class NoChannel(Exception):
    """No channel is configured for the recipient: the row becomes 'undeliverable'."""


@dataclass
class Outgoing:
    key: str
    recipient: str  # Apprise tag
    kind: str
    subject: str
    email: Message  # built by notifications.mail
    markdown: str
    already: frozenset[str] = frozenset()  # URL ids reached by an earlier attempt
    # The email as sent to each (URL id, address), when the channel serialised it in advance
    # (`AppriseChannel.prepare`, called while the previous message is still with the server).
    wire: dict[tuple[str, str], bytes] = field(default_factory=dict)


@runtime_checkable
class Preparing(Protocol):
    def prepare(self, message: Outgoing) -> None:
        """Do the sending's CPU work ahead (serialising), never raising."""
        ...


class Channel(Protocol):
    def send(self, message: Outgoing) -> str:
        """Deliver; return a short description of where it went (no secrets)."""
        ...


@runtime_checkable
class Overlapping(Protocol):
    def send_overlapped(
        self, message: Outgoing, ready: Callable[[], None], meanwhile: Callable[[], None]
    ) -> str:
        """Deliver as `send` does, with the dispatcher's work done while the server is busy.

        `ready()` commits the previous message's result: call it before anything of this
        message can be delivered (for SMTP, before the data's final dot), and if it raises,
        deliver nothing and let the exception through. `meanwhile()` composes the next
        message: call it while the server handles this one (after the dot, before its
        reply). Either may be called more than once (only the first call does anything) or
        not at all (the dispatcher then calls it after `send_overlapped` returns)."""
        ...


def safe_name(key: str) -> str:
    return re.sub(r"[^0-9A-Za-z._-]+", "_", key)


class FileOutbox:
    """The embedded default: a real .eml (invite and template attached) and the DingTalk
    markdown per message, so a new user sees exactly what would be sent."""

    def __init__(self, directory: Path):
        self.directory = directory

    def send(self, message: Outgoing) -> str:
        day = message.key.split(":")[1] if message.key.count(":") >= 2 else "misc"
        folder = self.directory / day
        folder.mkdir(parents=True, exist_ok=True)
        base = folder / safe_name(message.key)
        # Write to a temporary name and rename: a crash never leaves half a message.
        for suffix, data in (
            (".eml", message.email.as_bytes()),
            (".dingtalk.md", message.markdown.encode("utf-8")),
        ):
            tmp = base.with_name(base.name + suffix + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(base.with_name(base.name + suffix))
        return f"file:{base.relative_to(self.directory)}.eml"
