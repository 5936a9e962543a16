"""Secrets kept in the database sealed (Fernet, from the `cryptography` package Prefect already
brings): the 通讯录's robot tokens, 加签 secrets and WeCom keys are needed in clear only to send,
so a database dump or backup shows `sealed:…`, never them.

The key is derived from Duban's secret (`DUBAN_SECRET_KEY[_FILE]` or `var/secret.key`), set once
by the entry point (`seal_with`); the database layer never reads settings. A value written
before sealing existed is read as it is and sealed at its next write."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

PREFIX = "sealed:"
_fernet: Fernet | None = None


def seal_with(secret: str | bytes) -> None:
    """Use `secret` (Duban's signing secret) for the sealed columns of this process."""
    global _fernet
    raw = secret.encode() if isinstance(secret, str) else secret
    key = base64.urlsafe_b64encode(hashlib.sha256(b"duban sealed columns\0" + raw).digest())
    _fernet = Fernet(key)


def _key() -> Fernet:
    if _fernet is None:
        raise RuntimeError("sealed columns need a key: the entry point calls db.sealed.seal_with")
    return _fernet


class Sealed(TypeDecorator[str]):
    """A string column whose values are stored sealed."""

    impl = String(400)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None or value == "":
            return value
        return PREFIX + _key().encrypt(str(value).encode()).decode()

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is None or not str(value).startswith(PREFIX):
            return value  # empty, or kept before sealing existed
        try:
            return _key().decrypt(str(value)[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise RuntimeError(
                "a sealed contact secret cannot be opened with this secret key: was "
                "DUBAN_SECRET_KEY or var/secret.key replaced? Restore it, or import the 通讯录 again"
            ) from None
