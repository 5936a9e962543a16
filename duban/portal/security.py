"""Office sign-in: argon2 password hashes, signed expiring session cookies, rate-limited
attempts, CSRF tokens bound to the session (or to a unit's link)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import LoginAttempt, OfficeUser

SESSION_MAX_AGE = 8 * 3600  # an office session lasts a working day
ATTEMPT_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 5
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise ValueError("password too short: use at least 10 characters")
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def add_user(session: Session, username: str, password: str, now: dt.datetime) -> OfficeUser:
    existing = session.scalar(select(OfficeUser).where(OfficeUser.username == username))
    if existing is not None:
        existing.password_hash = hash_password(password)
        return existing
    user = OfficeUser(username=username, password_hash=hash_password(password), created_at=now)
    session.add(user)
    return user


def too_many_failures(session: Session, username: str, address: str, now: dt.datetime) -> bool:
    since = now - ATTEMPT_WINDOW
    count = session.scalar(
        select(func.count()).select_from(LoginAttempt)
        .where(LoginAttempt.at > since, (LoginAttempt.username == username) | (LoginAttempt.address == address))
    )  # fmt: skip
    return (count or 0) >= MAX_FAILURES


def authenticate(
    session: Session, username: str, password: str, address: str, now: dt.datetime
) -> OfficeUser | None:
    user = session.scalar(select(OfficeUser).where(OfficeUser.username == username))
    if user is not None and verify_password(user.password_hash, password):
        return user
    session.add(LoginAttempt(username=username[:80], address=address[:64], at=now))
    return None


class Sessions:
    def __init__(self, secret: str):
        self._signer = TimestampSigner(secret, salt="duban-office-session")
        self._secret = secret.encode()

    def issue(self, username: str) -> str:
        return self._signer.sign(username).decode()

    def user(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return self._signer.unsign(cookie, max_age=SESSION_MAX_AGE).decode()
        except (SignatureExpired, BadSignature):
            return None

    def csrf(self, bound_to: str) -> str:
        """A token for forms, bound to the session cookie (office) or the link token (unit)."""
        return hmac.new(self._secret, f"csrf:{bound_to}".encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, bound_to: str, given: str | None) -> bool:
        return bool(given) and hmac.compare_digest(self.csrf(bound_to), given or "")
