"""A local DingTalk-compatible server for work notifications (工作通知): gettoken, asyncsend_v2
and getsendresult of oapi.dingtalk.com, strict as DingTalk is, with its silent drops.

What it checks and answers (sources in notifications/dingtalk_work.py):
- gettoken: GET only; appkey and appsecret must match (40089 otherwise); within its validity
  the same token is returned and renewed, as DingTalk does; `token_ttl` can be shortened.
- the two topapi calls: POST with a JSON body; a token unknown or expired → 40014; missing
  field → 40 "Missing required arguments", malformed → 41 "Invalid arguments" (the TOP
  gateway's codes); agent_id of another app → 41020; more than 100 userids → 41; msg above
  2048 bytes → 34016; an unknown topapi method → 22; any other path → 404.
- asyncsend_v2 answers errcode 0 and a task_id whatever then happens to each userid: unknown
  in the directory → invalid_user_id_list; identical msg already delivered to that user today
  (Asia/Shanghai) → forbidden 143106; `daily_cap` messages already today → forbidden 143105;
  listed in `failing` → failed_user_id_list; otherwise delivered (unread) and recorded.
Not confirmed in DingTalk's documentation: the code for a wrong HTTP method (we answer
43001/43002 from the global table's "需要GET/POST请求" range).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.servers import free_port

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
SEND = "/topapi/message/corpconversation/asyncsend_v2"
RESULT = "/topapi/message/corpconversation/getsendresult"
MAX_USERIDS = 100
MAX_MSG_BYTES = 2048
Answer = dict[str, Any]


def refusal(code: int, message: str) -> Answer:
    return {"errcode": code, "errmsg": message, "request_id": secrets.token_hex(6)}


def missing(name: str) -> Answer:
    return refusal(40, f"Missing required arguments:{name}")


def invalid(name: str) -> Answer:
    return refusal(41, f"Invalid arguments:{name}")


def canonical(msg: dict[str, Any]) -> str:
    return json.dumps(msg, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def msg_problem(msg: Any) -> Answer | None:
    """Why `msg` is not a valid markdown, action_card or text message, or None."""
    if not isinstance(msg, dict):
        return missing("msg") if msg is None else invalid("msg")
    kind = msg.get("msgtype")
    needed = {
        "markdown": ("title", "text"),
        "action_card": ("title", "markdown", "single_title", "single_url"),
        "text": ("content",),
    }.get(kind if isinstance(kind, str) else "")
    if needed is None:
        return invalid("msg.msgtype")
    body = msg.get(kind)
    if not isinstance(body, dict):
        return missing(f"msg.{kind}")
    for name in needed:
        if not isinstance(body.get(name), str) or not body[name].strip():
            return missing(f"msg.{kind}.{name}")
    if len(json.dumps(msg, ensure_ascii=False, separators=(",", ":")).encode()) > MAX_MSG_BYTES:
        return refusal(34016, "消息内容长度超过限制")
    return None


class DingTalkWorkPeer:
    """Answers like oapi.dingtalk.com for one app (app key, secret, agent id) and a directory of
    userids. `received[userid]` is every msg that user got; `calls` every (method, path)."""

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        agent_id: int,
        userids: Iterable[str],
        clock: Callable[[], dt.datetime] | None = None,
    ):
        self.app_key, self.app_secret, self.agent_id = app_key, app_secret, agent_id
        self.directory = set(userids)
        self.clock = clock or (lambda: dt.datetime.now(SHANGHAI))
        self.token_ttl = 7200
        self.daily_cap = 500  # per user per day, as for an internal app
        self.failing: set[str] = set()  # userids whose delivery fails
        self.pending_results = 0  # getsendresult answers "nothing known yet" this many times
        # answers to give instead, first come first served: (path, HTTP status, body)
        self.inject: list[tuple[str, int, Answer | str]] = []
        self.received: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.calls: list[tuple[str, str]] = []
        self.tokens: dict[str, dt.datetime] = {}
        self.results: dict[int, Answer] = {}
        self._today: dict[tuple[str, dt.date], list[str]] = defaultdict(list)
        self._task_ids = itertools.count(256_271_667_526)
        self._lock = threading.Lock()
        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        # a short poll so that stopping the server takes milliseconds, not half a second
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> DingTalkWorkPeer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def expire_tokens(self) -> None:
        """Let every issued token run out now (the client's cache still believes in it)."""
        with self._lock:
            now = self.clock()
            self.tokens = {t: now - dt.timedelta(seconds=1) for t in self.tokens}

    def count(self, path: str) -> int:
        return sum(1 for _, p in self.calls if p == path)

    # -- HTTP ---------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, answer = peer.answer(self.command, url.path, parse_qs(url.query), body)
                data = answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        return Handler

    def answer(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Answer | str]:
        with self._lock:
            self.calls.append((method, path))
            for number, (where, status, answer) in enumerate(self.inject):
                if where == path:
                    del self.inject[number]
                    return status, answer
            return 200, self._route(method, path, query, body)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        if path == "/gettoken":
            return refusal(43001, "需要GET请求") if method != "GET" else self._gettoken(query)
        if path not in (SEND, RESULT):
            return (
                refusal(22, "Invalid method")
                if path.startswith("/topapi/")
                else refusal(404, "请求的URI地址不存在")
            )
        if method != "POST":
            return refusal(43002, "需要POST请求")
        if not self._token_valid(query.get("access_token", [""])[0]):
            return refusal(40014, "不合法的access_token")
        try:
            args = json.loads(body or b"null")
        except ValueError:
            return invalid("body is not JSON")
        if not isinstance(args, dict):
            return invalid("body")
        problem = self._agent_problem(args.get("agent_id"))
        if problem:
            return problem
        return self._asyncsend(args) if path == SEND else self._getsendresult(args)

    # -- gettoken -----------------------------------------------------------------------------

    def _gettoken(self, query: dict[str, list[str]]) -> Answer:
        key, secret = query.get("appkey", [""])[0], query.get("appsecret", [""])[0]
        if key != self.app_key or secret != self.app_secret:
            return refusal(40089, "不合法的appKey或appSecret")
        now = self.clock()
        valid = [t for t, until in self.tokens.items() if until > now]
        token = valid[0] if valid else secrets.token_hex(16)
        self.tokens[token] = now + dt.timedelta(seconds=self.token_ttl)  # renewed, as DingTalk does
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.token_ttl}

    def _token_valid(self, token: str) -> bool:
        until = self.tokens.get(token)
        return until is not None and until > self.clock()

    def _agent_problem(self, agent_id: Any) -> Answer | None:
        if agent_id is None:
            return missing("agent_id")
        if not str(agent_id).isdigit():
            return invalid("agent_id")
        if int(agent_id) != self.agent_id:
            return refusal(41020, "accessToken中包含的appKey与agentId不一致， 无法使用当前agentId")
        return None

    # -- asyncsend_v2 -------------------------------------------------------------------------

    def _asyncsend(self, args: dict[str, Any]) -> Answer:
        userids = args.get("userid_list")
        if userids is None:
            return missing("userid_list")  # dept_id_list and to_all_user: not for Duban
        if not isinstance(userids, str) or not userids.strip():
            return invalid("userid_list")
        targets = list(dict.fromkeys(u.strip() for u in userids.split(",")))
        if len(targets) > MAX_USERIDS:
            return invalid("userid_list")
        problem = msg_problem(args.get("msg"))
        if problem:
            return problem
        task_id = next(self._task_ids)
        self.results[task_id] = self._deliver(targets, args["msg"])
        return {
            "errcode": 0,
            "errmsg": "ok",
            "task_id": task_id,
            "request_id": secrets.token_hex(6),
        }

    def _deliver(self, targets: list[str], msg: dict[str, Any]) -> Answer:
        """What getsendresult will tell about this task; delivered messages are recorded."""
        day, text = self.clock().astimezone(SHANGHAI).date(), canonical(msg)
        lists: dict[str, list[Any]] = defaultdict(list)
        for userid in targets:
            sent_today = self._today[(userid, day)]
            if userid not in self.directory:
                lists["invalid_user_id_list"].append(userid)
            elif userid in self.failing:
                lists["failed_user_id_list"].append(userid)
            elif text in sent_today:
                self._forbid(lists, userid, "143106", 1)
            elif len(sent_today) >= self.daily_cap:
                self._forbid(lists, userid, "143105", self.daily_cap)
            else:
                sent_today.append(text)
                self.received[userid].append(msg)
                lists["unread_user_id_list"].append(userid)
        return dict(lists)  # DingTalk leaves out the empty lists

    @staticmethod
    def _forbid(lists: dict[str, list[Any]], userid: str, code: str, count: int) -> None:
        lists["forbidden_user_id_list"].append(userid)
        lists["forbidden_list"].append({"code": code, "count": count, "userid": userid})

    # -- getsendresult ------------------------------------------------------------------------

    def _getsendresult(self, args: dict[str, Any]) -> Answer:
        task_id = args.get("task_id")
        if task_id is None:
            return missing("task_id")
        if not str(task_id).isdigit() or int(task_id) not in self.results:
            return invalid("task_id")
        result = self.results[int(task_id)]
        if self.pending_results > 0:  # still being processed: nothing known yet
            self.pending_results -= 1
            result = {}
        return {
            "errcode": 0,
            "errmsg": "ok",
            "send_result": result,
            "request_id": secrets.token_hex(6),
        }
