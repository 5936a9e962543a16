"""A corrected Apprise plugin for `dingtalk://` URLs (same syntax as Apprise's own).

Apprise 1.13's built-in plugin URL-quotes `sign` and then lets `requests` encode it again, so
every signed request carries `%25…` and DingTalk answers "sign not match"; it also sends
msgtype "text" with a markdown body, and reports HTTP 200 with errcode ≠ 0 as success. This one
signs as DingTalk documents (HMAC-SHA256 over "timestamp\\nsecret", base64, URL-encoded once),
sends markdown as markdown, and treats errcode ≠ 0 as failure, remembering the code so the
caller can tell a transient refusal (130101, too fast) from a permanent one (310000, bad sign).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time

import requests
from apprise import NotifyFormat, NotifyType
from apprise.plugins.dingtalk import NotifyDingTalk

DEFAULT_BASE_URL = "https://oapi.dingtalk.com"
TRANSIENT_CODES = {130101, -1, 90018}  # send too fast / system busy / rate limited
MAX_BYTES = 20_000


def sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` parameter before URL encoding: base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")


class DubanDingTalk(NotifyDingTalk):
    service_name = "DingTalk (Duban)"
    notify_format = NotifyFormat.MARKDOWN  # type: ignore[assignment]  # digests are markdown unless the URL says format=text
    # Apprise sleeps 5.5 s between two sends of one URL by default; Duban paces robots itself
    # (notifications.pacing: 20 a minute across all dispatchers), so no sleep here.
    request_rate_per_sec = 0
    # Not a Markdown title limit problem: DingTalk's markdown needs a title and a text.
    title_maxlen = 250

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_errcode: int | None = None
        self.last_errmsg: str | None = None

    @property
    def base_url(self) -> str:
        # 浙政钉 and other private deployments use their own host; tests use a local one.
        return os.environ.get("DUBAN_DINGTALK_BASE_URL", DEFAULT_BASE_URL).rstrip("/")

    def send(self, body, title="", notify_type=NotifyType.INFO, **kwargs):
        self.last_errcode, self.last_errmsg = None, None
        at = {"atMobiles": self.targets, "isAtAll": False}
        if self.notify_format == NotifyFormat.MARKDOWN:
            mentions = "".join(f" @{m}" for m in self.targets)
            payload = {
                "msgtype": "markdown",
                "markdown": {"title": title or body[:30], "text": body + mentions},
                "at": at,
            }
        else:
            payload = {"msgtype": "text", "text": {"content": body}, "at": at}
        params = {"access_token": self.token}
        if self.secret:
            timestamp = int(time.time() * 1000)
            params.update(
                {"timestamp": str(timestamp), "sign": sign(self.secret, timestamp)}
            )  # encoded once, by requests
        self.throttle()
        try:
            r = requests.post(
                f"{self.base_url}/robot/send",
                data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                headers={
                    "User-Agent": self.app_id,
                    "Content-Type": "application/json; charset=utf-8",
                },
                params=params,
                verify=self.verify_certificate,
                timeout=self.request_timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            self.last_errcode, self.last_errmsg = -1, f"connection error: {type(exc).__name__}"
            self.logger.warning("DingTalk: %s", self.last_errmsg)
            return False
        try:
            answer = r.json()
        except ValueError:
            answer = {
                "errcode": -1 if r.status_code >= 500 else r.status_code,
                "errmsg": f"HTTP {r.status_code}",
            }
        code = int(answer.get("errcode", -1 if r.status_code != 200 else 0))
        if r.status_code != 200 or code != 0:
            self.last_errcode, self.last_errmsg = (
                code or r.status_code,
                str(answer.get("errmsg", ""))[:200],
            )
            self.logger.warning(
                "DingTalk refused the message: errcode=%s %s", self.last_errcode, self.last_errmsg
            )
            return False
        return True


def register() -> None:
    """Make `dingtalk://` URLs use this plugin (idempotent)."""
    from apprise.apprise import N_MGR

    if "dingtalk" not in N_MGR or N_MGR["dingtalk"] is not DubanDingTalk:
        N_MGR.add(DubanDingTalk, schemas="dingtalk", force=True)
