"""Build the email of a message: text and HTML alternatives, attachments, a stable Message-ID.

Built with the compat32 MIME classes rather than `EmailMessage`: the modern API parses every
header through its header registry, which was 1.5 ms of the 2.4 ms it took to build and
serialise one message, more than the SMTP exchange itself (measured, bench/dispatch_smtp.py).
The result is the same MIME (any reader parses it with the modern policy, as the tests do).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email import encoders
from email.charset import BASE64, Charset
from email.generator import BytesGenerator
from email.header import Header, decode_header, make_header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import Compat32
from email.utils import format_datetime, formataddr, parseaddr
from functools import lru_cache
from io import BytesIO


class _SmtpPolicy(Compat32):
    """compat32 with CRLF line endings, as SMTP requires, that writes a header already fit to
    send as it is. compat32 runs every header through `Header.encode`, whose folding was 45% of
    serialising a message (measured); a value that is ASCII, on one line and short enough
    comes out of it unchanged, so it is written directly (a test compares both outputs)."""

    def fold_binary(self, name: str, value: object) -> bytes:
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + len(value) + 2 <= (self.max_line_length or 998)
            and "\n" not in value
            and "\r" not in value
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        if isinstance(value, str):  # an address header: the same office and units again
            return _folded(self, name, value)
        return super().fold_binary(name, value)  # type: ignore[arg-type]  # a Header


@lru_cache(maxsize=4096)
def _folded(policy: Compat32, name: str, value: str) -> bytes:
    return Compat32.fold_binary(policy, name, value)


SMTP_POLICY = _SmtpPolicy(linesep="\r\n")
_NEWLINE = re.compile(r"\r\n|\r|\n")  # email.generator's NLCRE


class _SmtpGenerator(BytesGenerator):
    """BytesGenerator writing a body's lines in one call: the stock `_write_lines` splits a
    payload into its lines and writes each and each line end separately (two writes for every
    76 characters of base64, a fifth of serialising a message, measured). The bytes are the
    same (a test compares them)."""

    def _write_lines(self, lines: str) -> None:
        if lines:
            self.write(_NEWLINE.sub(self._NL, lines))  # type: ignore[attr-defined]  # flatten sets it


def wire(msg: Message) -> bytes:
    """The message's bytes for SMTP: `msg.as_bytes(policy=SMTP_POLICY)`, written faster."""
    fp = BytesIO()
    _SmtpGenerator(fp, mangle_from_=False, policy=SMTP_POLICY).flatten(msg)
    return fp.getvalue()


def _utf8_base64() -> Charset:
    """UTF-8 with base64 bodies and headers, whatever the process-wide registry says: Apprise's
    email plugin, on import, switches utf-8 to quoted-printable for everyone, which writes each
    Chinese character as 9 bytes instead of 4 and encodes in pure Python (measured)."""
    cs = Charset("utf-8")
    cs.header_encoding = cs.body_encoding = BASE64
    return cs


UTF8 = _utf8_base64()


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mimetype: str  # "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def message_id(key: str, domain: str) -> str:
    """Derived from the outbox key: a resent copy carries the same id, so clients fold it."""
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}>"


@lru_cache(maxsize=4096)  # the same office and units, message after message
def address(name: str, addr: str) -> str:
    return formataddr((name, addr), charset=UTF8)


@lru_cache(maxsize=4096)
def display_name(header: str | None) -> str:
    """The display name of an address header as built here (RFC 2047 encoded)."""
    return parseaddr(str(make_header(decode_header(header))))[0] if header else ""


def text_part(text: str, subtype: str) -> Message:
    """A UTF-8, base64 text part: what `MIMEText(text, subtype, UTF8)` makes, byte for byte (a
    test compares them), with the body encoded by `base64.encodebytes` in C instead of
    compat32's line-by-line Python loop and without re-parsing its own Content-Type (together
    three quarters of building a part, measured)."""
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(base64.encodebytes(text.encode("utf-8")).decode("ascii"))
    return part


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
) -> Message:
    # utf-8 bodies are base64: 8-bit Chinese lines can exceed SMTP's 998-byte line limit
    # (RFC 5322 2.1.1).
    boundary = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]  # no search of the body
    body = MIMEMultipart("alternative", boundary=f"==alt-{boundary}", policy=SMTP_POLICY)
    body.attach(text_part(text, "plain"))
    body.attach(text_part(html, "html"))
    msg = body
    if attachments:
        msg = MIMEMultipart("mixed", boundary=f"==mix-{boundary}", policy=SMTP_POLICY)
        del body["MIME-Version"]
        msg.attach(body)
        for a in attachments:
            kind, *params = (p.strip() for p in a.mimetype.split(";"))
            maintype, subtype = kind.split("/", 1)
            part = MIMEBase(maintype, subtype)
            for param, _, value in (p.partition("=") for p in params):
                part.set_param(param, value)
            part.set_payload(a.data)
            encoders.encode_base64(part)
            name = a.filename if a.filename.isascii() else ("utf-8", "", a.filename)
            part.add_header("Content-Disposition", "attachment", filename=name)
            msg.attach(part)
    msg["Subject"] = Header(subject, UTF8)  # type: ignore[assignment]  # email accepts a Header
    msg["From"] = address(*sender)
    msg["To"] = ", ".join(address(*t) for t in to)
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id(key, domain)
    msg["X-Duban-Key"] = key
    return msg


def plain_text(msg: Message) -> str:
    """The text/plain body of a message built here."""
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                return data.decode(part.get_content_charset() or "utf-8")
            return ""
    return ""
