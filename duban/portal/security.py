"""Office sign-in: argon2 password hashes, server-side sessions, rate-limited attempts, CSRF
tokens bound to the session, the visitor (login form) or a unit's link."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
from collections.abc import Iterable, Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from db.models import LoginAttempt, OfficeSession, OfficeUser

SESSION_MAX_AGE = 8 * 3600  # an office session lasts a working day
ATTEMPT_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 5
KEEP = dt.timedelta(days=30)  # failed attempts and ended sessions are kept this long, then dropped
LOGIN_LOCK = 0x64756261  # PostgreSQL advisory lock serialising the attempt count ("duba")
_hasher = PasswordHasher()
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise ValueError("password too short: use at least 10 characters")
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    # An unknown username costs the same argon2 verification as a known one: no timing oracle.
    return _hasher.hash(secrets.token_hex(16))


def add_user(session: Session, username: str, password: str, now: dt.datetime) -> OfficeUser:
    existing = session.scalar(select(OfficeUser).where(OfficeUser.username == username))
    if existing is not None:
        existing.password_hash = hash_password(password)
        return existing
    user = OfficeUser(username=username, password_hash=hash_password(password), created_at=now)
    session.add(user)
    return user


# --- who is asking ------------------------------------------------------------------------------


def trusted_networks(spec: str | Iterable[str]) -> tuple[Network, ...]:
    """Parse `DUBAN_TRUSTED_PROXIES` ("127.0.0.1, 10.0.0.0/8"); raise ValueError on a bad entry."""
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    return tuple(ipaddress.ip_network(i.strip(), strict=False) for i in items if i.strip())


def _in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(
    peer: str | None, headers: Mapping[str, str], trusted: tuple[Network, ...]
) -> str:
    """The socket's peer; only when the peer is a trusted proxy, the nearest untrusted address
    of X-Forwarded-For (the proxies append on the right, a client can forge only the left)."""
    address = peer or "?"
    if not _in(address, trusted):
        return address
    hops = [h.strip() for h in headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            return hop[:64] if _valid(hop) else address
    return address


def forwarded_https(
    peer: str | None, headers: Mapping[str, str], trusted: tuple[Network, ...]
) -> bool:
    """A trusted proxy says the client came over TLS (X-Forwarded-Proto: https)."""
    proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
    return proto == "https" and _in(peer or "?", trusted)


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


# --- attempts -----------------------------------------------------------------------------------


def reserve_attempt(session: Session, username: str, address: str, now: dt.datetime) -> int | None:
    """Record an attempt before the password is checked; return its id, or None when the
    username or the address has used up its failures. Serialised, so concurrent attempts
    cannot all read "4 so far": PostgreSQL by an advisory lock, SQLite by its write lock (the
    insert comes first). Run in a transaction of its own."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(LOGIN_LOCK)))
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - KEEP))
    attempt = LoginAttempt(username=username[:80], address=address[:64], at=now)
    session.add(attempt)
    session.flush()
    count = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.at > now - ATTEMPT_WINDOW,
            (LoginAttempt.username == username[:80]) | (LoginAttempt.address == address[:64]),
        )
    )
    if (count or 0) > MAX_FAILURES:
        session.delete(attempt)
        return None
    return attempt.id


def authenticate(session: Session, username: str, password: str) -> OfficeUser | None:
    """The user if the password is right. An unknown username is checked against a dummy hash."""
    user = session.scalar(select(OfficeUser).where(OfficeUser.username == username))
    stored = user.password_hash if user is not None else _dummy_hash()
    if verify_password(stored, password) and user is not None:
        return user
    return None


def forget_attempt(session: Session, attempt_id: int) -> None:
    """A successful sign-in does not count as a failure."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


# --- sessions -----------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, username: str, address: str, now: dt.datetime) -> str:
    """Return a new cookie value; the database keeps only its hash."""
    token = secrets.token_urlsafe(32)
    session.execute(delete(OfficeSession).where(OfficeSession.expires_at < now - KEEP))
    session.add(
        OfficeSession(
            token_hash=_digest(token),
            username=username,
            address=address[:64],
            created_at=now,
            expires_at=now + dt.timedelta(seconds=SESSION_MAX_AGE),
        )
    )
    return token


def session_user(session: Session, token: str | None, now: dt.datetime) -> str | None:
    if not token or len(token) > 100:
        return None
    row = session.scalar(select(OfficeSession).where(OfficeSession.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return row.username


def revoke_session(session: Session, token: str | None, now: dt.datetime) -> bool:
    if not token:
        return False
    row = session.scalar(select(OfficeSession).where(OfficeSession.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True


class Sessions:
    """CSRF tokens: an HMAC of what the form is bound to under the portal's secret."""

    def __init__(self, secret: str):
        self._secret = secret.encode()

    def csrf(self, bound_to: str) -> str:
        """A token for forms, bound to the session cookie (office), the visitor's login nonce
        (login form) or the link token (unit)."""
        return hmac.new(self._secret, f"csrf:{bound_to}".encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, bound_to: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf(bound_to), given or "")


class RedactLinks:
    """A logging filter for uvicorn's access log: a unit's link token is a credential, so the
    path is logged as `/u/…/upload`, never with the token."""

    _token = re.compile(r"/u/[^/?\s]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._token.sub("/u/…", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactLinks) for f in access.filters):
        access.addFilter(RedactLinks())
