"""Build the email of a message: text and HTML alternatives, attachments, a stable Message-ID."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mimetype: str  # "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def message_id(key: str, domain: str) -> str:
    """Derived from the outbox key: a resent copy carries the same id, so clients fold it."""
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}>"


def build_email(
    *,
    key: str,
    subject: str,
    text: str,
    html: str,
    sender: tuple[str, str],
    to: list[tuple[str, str]],
    attachments: list[Attachment],
    when: dt.datetime,
    domain: str,
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = formataddr(sender)
    msg["To"] = ", ".join(formataddr(t) for t in to)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id(key, domain)
    msg["X-Duban-Key"] = key
    # base64: 8-bit Chinese lines can exceed SMTP's 998-byte line limit (RFC 5322 2.1.1).
    msg.set_content(text, cte="base64")
    msg.add_alternative(html, subtype="html", cte="base64")
    for a in attachments:
        maintype, subtype = a.mimetype.split("/", 1)
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename)
    return msg
