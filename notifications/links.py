"""Personal links for units: an unguessable signed token scoped to one request (one unit, one
period), valid until the period is closed plus a grace the office sets. No account needed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "duban-unit-link"


@dataclass(frozen=True)
class LinkClaims:
    request_id: int
    unit_id: str
    period: str
    expires: dt.date


class LinkError(Exception):
    def __init__(self, message: str, expired: bool = False):
        super().__init__(message)
        self.expired = expired


class Links:
    def __init__(self, secret: str, base_url: str, grace_days: int = 30):
        self._signer = URLSafeSerializer(secret, salt=SALT)
        self.base_url = base_url.rstrip("/")
        self.grace = dt.timedelta(days=grace_days)
        self.grace_days = grace_days

    def token(self, request_id: int, unit_id: str, period: str, due_on: dt.date) -> str:
        expires = due_on + self.grace
        return self._signer.dumps(
            {"r": request_id, "u": unit_id, "p": period, "e": expires.isoformat()}
        )

    def url(self, request_id: int, unit_id: str, period: str, due_on: dt.date) -> str:
        return f"{self.base_url}/u/{self.token(request_id, unit_id, period, due_on)}"

    def claims(self, token: str) -> LinkClaims:
        """Return the claims of a genuine token, expired or not; raise LinkError for a forged one.
        (An extension reaches links sent before it: the caller checks the request's own due
        date, `reporting.extensions.link_open`.)"""
        try:
            data = self._signer.loads(token)
            return LinkClaims(
                int(data["r"]), str(data["u"]), str(data["p"]), dt.date.fromisoformat(data["e"])
            )
        except (BadSignature, KeyError, TypeError, ValueError):
            raise LinkError("链接无效 (invalid link)") from None

    def read(self, token: str, today: dt.date) -> LinkClaims:
        """Return the claims of a valid token; raise LinkError for a forged or expired one."""
        claims = self.claims(token)
        if today > claims.expires:
            raise LinkError(
                f"链接已于 {claims.expires} 过期 (link expired); 请联系领导小组办公室", expired=True
            )
        return claims
