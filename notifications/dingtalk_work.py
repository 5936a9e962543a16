"""DingTalk work notifications (工作通知) to a person's userid, through the old-style corp-conversation
API of oapi.dingtalk.com (`DUBAN_DINGTALK_BASE_URL` for 浙政钉 and other private deployments).

    GET  /gettoken?appkey=…&appsecret=…          → access_token, expires_in (7200 s)
    POST /topapi/message/corpconversation/asyncsend_v2?access_token=…
         {agent_id, userid_list: "a,b", msg}      → task_id
    POST /topapi/message/corpconversation/getsendresult?access_token=…
         {agent_id, task_id}                      → send_result (who got it, who did not, why)

asyncsend_v2 answers errcode 0 even for a message it then drops (identical content to a user the
same day, a user's daily cap, an unknown userid), so `send_and_confirm` asks getsendresult and only
counts a userid as reached when DingTalk lists it as read or unread.

Sources (stored copies; the official pages live under open.dingtalk.com/document/orgapp/):
- 发送工作通知 (asyncsend_v2): userid_list at most 100 ids, msg at most 2048 bytes; identical
  content reaches a user once a day; an internal app sends a user at most 500 a day; beyond these
  the API answers success and the user gets nothing — https://blog.csdn.net/zhangfeijava/article/details/120429182
  (quoting the official page), https://docs.rs/dingtalk-rs/0.1.13/dingtalk_rs/client/struct.ParamsWorkNotificationSend.html
  (the TOP page https://developer.alibaba.com/docs/api.htm?apiId=37692 still says 5000: the newer
  limit, 100, is the one we keep).
- 获取工作通知消息的发送结果 (getsendresult): fields and the forbidden_list codes 143103–143106,
  143203–143206, 1430000–1430004 — https://zidingyi.apifox.cn/api-37157310,
  https://developer.alibaba.com/docs/api.htm?apiId=37024
- 消息类型与数据格式: markdown {title, text}; action_card {title, markdown, single_title, single_url}
  — https://developer.aliyun.com/article/1423302, https://cnblogs.com/lxwphp/p/16811872.html
- Errcodes and what each means for a retry: notifications/dingtalk_codes.py.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

import requests

from notifications.channels import DeliveryError
from notifications.dingtalk_codes import (
    API_ERRORS,
    BAD_USERID,
    CREDENTIAL_CODES,
    DAILY_CAP_CODES,
    DUPLICATE_CODES,
    TOKEN_CODES,
    Verdict,
    api_verdict,
    errcode,
)
from notifications.dingtalk_parts import (
    MAX_MSG_BYTES,
    MAX_USERIDS,
    MIDNIGHT_MARGIN,
    REFERENCE,
    REFRESH_EARLY,
    RESULT_PATH,
    SEND_PATH,
    Confirmation,
    DeliveryReport,
    Outcome,
    WorkSendResult,
    batches,
    distinct_text,
    latest_retry,
    msg_bytes,
    redact_http_logs,
    refused,
    summary,
    until_midnight,
    valid,
    work_message,
)

log = logging.getLogger(__name__)

__all__ = [
    "MAX_USERIDS",
    "MIDNIGHT_MARGIN",
    "SEND_PATH",
    "DingTalkWorkNotifier",
    "distinct_text",
    "redact_http_logs",
]


class DingTalkWorkNotifier:
    """Send work notifications as one DingTalk app (AppKey, AppSecret, AgentId).

    `clock` returns an aware datetime (token expiry, the daily cap's midnight); `sleep` waits
    between getsendresult polls. Both come from the entry point, fakes from the tests."""

    def __init__(
        self,
        base_url: str,
        app_key: str,
        app_secret: str,
        agent_id: int | str,
        session: requests.Session | None = None,
        *,
        clock: Callable[[], dt.datetime],
        sleep: Callable[[float], None] = time.sleep,
        polls: int = 5,
        poll_interval: float = 1.0,
        timeout: tuple[float, float] = (5.0, 15.0),
    ):
        if not str(agent_id).isdigit():
            raise ValueError("DUBAN_DINGTALK_AGENT_ID 须为数字 (the app's AgentId)")
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self._secret = app_secret
        self.agent_id = int(agent_id)
        self.session = session or requests.Session()
        self.clock, self.sleep = clock, sleep
        self.polls, self.poll_interval, self.timeout = polls, poll_interval, timeout
        self._token: str | None = None
        self._expires: dt.datetime | None = None
        self._issued: set[str] = set()  # every token seen, so that an old one is masked too
        self._lock = threading.Lock()
        redact_http_logs()

    def __repr__(self) -> str:  # never the secret or the token
        return f"DingTalkWorkNotifier({self.base_url!r}, app_key={self.app_key!r}, agent_id={self.agent_id})"

    # -- access token -------------------------------------------------------------------------

    def access_token(self) -> str:
        """The cached token, fetched again 5 minutes before DingTalk would expire it."""
        with self._lock:
            now = self.clock()
            if self._token is None or self._expires is None or now >= self._expires - REFRESH_EARLY:
                self._token, self._expires = self._fetch_token(now)
            return self._token

    def _forget(self, token: str) -> None:
        with self._lock:
            if self._token == token:  # another thread may have refreshed it already
                self._token = None

    def _fetch_token(self, now: dt.datetime) -> tuple[str, dt.datetime]:
        query = {"appkey": self.app_key, "appsecret": self._secret}
        answer = self._request("GET", "/gettoken", params=query)
        code = errcode(answer)
        if code in CREDENTIAL_CODES:
            raise self._error(code, API_ERRORS[40089], answer)
        if code != 0:
            raise self._refusal(answer)
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise DeliveryError("钉钉 gettoken 未返回 access_token (no token in answer)")
        expires_in = int(answer.get("expires_in", 7200))
        self._issued.add(token)
        return token, now + dt.timedelta(seconds=expires_in)

    # -- the two calls ------------------------------------------------------------------------

    def send(
        self, userids: list[str], title: str, markdown: str, link: str | None = None
    ) -> WorkSendResult:
        """Hand the message to DingTalk in batches of 100 userids; return its task ids. Says
        nothing about delivery: see `result` and `send_and_confirm`."""
        msg = self._checked(work_message(title, markdown, link))
        bad = [u for u in userids if not valid(u)]
        if bad:
            raise DeliveryError(f"{BAD_USERID.reason}：{bad[:10]}", permanent=True, attempted=False)
        parts = tuple(batches(dict.fromkeys(userids)))
        return WorkSendResult(tuple(self._send_batch(b, msg) for b in parts), parts)

    def result(self, task_id: int) -> DeliveryReport:
        """getsendresult of one task: who received it, who did not, and the codes why."""
        answer = self._call(RESULT_PATH, {"agent_id": self.agent_id, "task_id": task_id})
        found = answer.get("send_result") or {}

        def ids(name: str) -> frozenset[str]:
            return frozenset(str(u) for u in found.get(name) or [])

        forbidden = {
            str(f.get("userid")): str(f.get("code")) for f in found.get("forbidden_list") or []
        }
        # forbidden_user_id_list without a forbidden_list entry: filtered, reason unknown
        for userid in ids("forbidden_user_id_list") - forbidden.keys():
            forbidden[userid] = ""
        return DeliveryReport(
            task_id,
            ids("read_user_id_list"),
            ids("unread_user_id_list"),
            ids("invalid_user_id_list"),
            ids("failed_user_id_list"),
            forbidden,
        )

    def _send_batch(self, userids: tuple[str, ...], msg: dict[str, Any]) -> int:
        body = {"agent_id": self.agent_id, "userid_list": ",".join(userids), "msg": msg}
        answer = self._call(SEND_PATH, body)
        try:
            return int(answer["task_id"])
        except (KeyError, TypeError, ValueError):
            raise DeliveryError("钉钉 asyncsend_v2 未返回 task_id (no task id in answer)") from None

    def _checked(self, msg: dict[str, Any]) -> dict[str, Any]:
        size = msg_bytes(msg)
        if size > MAX_MSG_BYTES:
            raise DeliveryError(
                f"工作通知过长：{size} 字节，钉钉上限 {MAX_MSG_BYTES} 字节，请缩短正文（详情放在门户链接里）",
                permanent=True,
                attempted=False,
            )
        return msg

    # -- send, then learn what really happened ------------------------------------------------

    def send_and_confirm(
        self,
        userids: list[str],
        title: str,
        markdown: str,
        link: str | None = None,
        *,
        already: Collection[str] = (),
    ) -> Confirmation:
        """Send to every userid not in `already` (reached by an earlier attempt), then poll
        getsendresult. Return the outcome of each when all were reached; otherwise raise
        DeliveryError whose `done` holds every userid reached (with `already`), permanent only
        when retrying can help none of the others."""
        msg = self._checked(work_message(title, markdown, link))
        wanted = [u for u in dict.fromkeys(userids) if u not in already]
        outcomes = {u: Outcome(u, False, BAD_USERID.reason, True) for u in wanted if not valid(u)}
        todo = [u for u in wanted if u not in outcomes]
        task_ids: list[int] = []
        for number, batch in enumerate(batches(todo)):
            try:
                task_ids.append(self._send_batch(batch, msg))
            except DeliveryError as exc:
                if not outcomes and not task_ids:  # nothing happened: the error says it all
                    exc.done = set(already)
                    raise
                outcomes |= refused(todo[number * MAX_USERIDS :], exc)
                break
            report = self._await(task_ids[-1], batch)
            outcomes |= {u: self._outcome(report, u, markdown) for u in batch}
        confirmation = Confirmation(outcomes, tuple(task_ids))
        failures = [o for o in outcomes.values() if not o.delivered]
        if failures:
            raise DeliveryError(
                summary(failures),
                permanent=all(o.permanent for o in failures),
                done=set(already) | confirmation.delivered,
                retry_after=latest_retry(failures),
            )
        return confirmation

    def _await(self, task_id: int, batch: tuple[str, ...]) -> DeliveryReport:
        """Poll getsendresult until DingTalk has a word on every userid of the batch (a few
        short polls; what stays unknown is retried later)."""
        report = DeliveryReport(task_id)
        for _ in range(self.polls):
            self.sleep(self.poll_interval)
            try:
                report = self.result(task_id)
            except DeliveryError as exc:
                log.warning("DingTalk getsendresult of task %s failed: %s", task_id, exc)
                continue
            if all(report.known(u) for u in batch):
                break
        return report

    def _outcome(self, report: DeliveryReport, userid: str, markdown: str) -> Outcome:
        if userid in report.delivered:
            return Outcome(userid, True, report.reason(userid))
        code = report.forbidden.get(userid, "")
        if code in DUPLICATE_CODES and REFERENCE.search(markdown):
            # The text carries this message's own reference (distinct_text): identical content
            # today can only be this message, delivered by an earlier attempt.
            return Outcome(userid, True, "今日已送达（此前一次发送）", code=code)
        verdict = report.verdict(userid)
        retry_after = verdict.retry_after
        if code in DAILY_CAP_CODES:
            retry_after = until_midnight(self.clock()) + MIDNIGHT_MARGIN
        return Outcome(userid, False, verdict.reason, verdict.permanent, code, retry_after)

    # -- HTTP ---------------------------------------------------------------------------------

    def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with the access token; a token DingTalk rejects is refreshed and the call
        retried once."""
        for attempt in (1, 2):
            token = self.access_token()
            answer = self._request("POST", path, params={"access_token": token}, body=body)
            code = errcode(answer)
            if code in TOKEN_CODES and attempt == 1:
                log.info("DingTalk rejected the access token (errcode %s): refreshing", code)
                self._forget(token)
                continue
            if code != 0:
                raise self._refusal(answer)
            return answer
        raise AssertionError("unreachable")

    def _request(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One HTTP exchange; a failure of the network or of the answer's form is transient.
        Exceptions are never shown as text: requests puts the URL, with the secret or the
        token in its query, into them."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if data else {}
        try:
            r = self.session.request(
                method,
                self.base_url + path,
                params=params,
                data=data,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            log.warning("DingTalk %s unreachable: %s", path, type(exc).__name__)
            raise DeliveryError(f"钉钉服务器无法连接 ({type(exc).__name__})") from None
        try:
            answer = r.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            permanent = r.status_code == 404  # a wrong base URL: waiting will not fix it
            raise DeliveryError(
                f"钉钉返回了非 JSON 应答 (HTTP {r.status_code})", permanent=permanent
            )
        if "errcode" not in answer and "wait" in answer:
            # The per-IP flood guard: no errcode, `wait` in minutes (5 by DingTalk's text).
            wait = answer["wait"] if isinstance(answer["wait"], int | float) else 5
            raise DeliveryError("钉钉按 IP 限流，暂停调用", retry_after=float(wait) * 60)
        return answer

    # -- errors -------------------------------------------------------------------------------

    def _refusal(self, answer: Mapping[str, Any]) -> DeliveryError:
        return self._error(*api_verdict(answer), answer)

    def _error(self, code: int, verdict: Verdict, answer: Mapping[str, Any]) -> DeliveryError:
        said = self.mask(str(answer.get("sub_msg") or answer.get("errmsg") or ""))[:200]
        log.warning("DingTalk refused: errcode=%s %s", code, said)
        return DeliveryError(
            f"钉钉工作通知：{verdict.reason}（errcode {code}：{said}）",
            permanent=verdict.permanent,
            retry_after=verdict.retry_after,
        )

    def mask(self, text: str) -> str:
        """`text` with the app secret and the access token replaced by ****."""
        for secret in (self._secret, *self._issued):
            if secret:
                text = text.replace(secret, "****")
        return text
