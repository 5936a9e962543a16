"""DingTalk's errcodes for work notifications, and what each means for the outbox: the Chinese
reason shown to the office and IT, permanent or transient, and when to try again.

Sources (stored copies of DingTalk's pages and of the SDK that calls them):
- getsendresult's forbidden_list codes 143103–143106, 143203–143206, 1430000–1430004 —
  https://zidingyi.apifox.cn/api-37157310 (a copy of 获取工作通知消息的发送结果).
- 服务端API全局错误码: -1 busy (retry), 88 look at sub_code (60011 no permission), 404, 33001,
  33012 invalid userid, 34016 content too long, 40078 — https://www.mabiji.com/dingtalk/errcode.html,
  https://blog.csdn.net/weixin_38171468/article/details/106051120, https://blog.csdn.net/weixin_40514790/article/details/104249446
- 40089 invalid appkey/appsecret at gettoken — https://developer.aliyun.com/ask/578910; an expired
  token answers 40014, not 42001 — https://developer.aliyun.com/ask/242976; 60020 IP not in the
  whitelist — https://cloud.tencent.com/developer/article/1182275; token errors that warrant a
  refresh (33001, 40001, 40014, 42001) as the Python SDK treats them —
  https://github.com/007gzs/dingtalk-sdk/blob/master/dingtalk/client/__init__.py; 41020 agent id of
  another app — https://github.com/007gzs/dingtalk-sdk/issues/44; 41 invalid arguments from the TOP
  gateway — https://github.com/007gzs/dingtalk-sdk/pull/39.
- Rate limits: 90002 (all apps), 90019 (ISV); the IP flood guard answers `{"status":1111,"wait":5}`
  with no errcode and bans for 5 minutes — https://tianjinsc.cn/default/894239.html. 90018 (one
  internal app too fast) is in the same document's part we could not read; 90020 monthly quota —
  http://www.dingtalk.com/qidian/help-detail-1061621972.html.
Not found documented: 43004, the exact code for a wrong HTTP method. Any errcode not in the tables
below is treated as transient with the outbox's backoff, never as success.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TOKEN_CODES = {33001, 40001, 40014, 42001}  # refresh the token and retry once
CREDENTIAL_CODES = {40001, 40089, 33001}  # at gettoken: the app key or secret is wrong


@dataclass(frozen=True)
class Verdict:
    """How to treat one errcode or forbidden code: the Chinese reason, and when to retry."""

    reason: str
    permanent: bool
    retry_after: float | None = None


MINUTE, HOUR = 60.0, 3600.0
API_ERRORS: dict[int, Verdict] = {
    -1: Verdict("钉钉系统繁忙 (system busy)", False, MINUTE),
    # A token refused again right after a refresh: DingTalk's side, so try again later.
    **dict.fromkeys(TOKEN_CODES, Verdict("钉钉刷新后仍拒绝 access_token", False, MINUTE)),
    # 22, 40, 41: the TOP gateway in front of /topapi (our request is wrong: fix, not retry)
    22: Verdict("钉钉接口不存在，请检查 DUBAN_DINGTALK_BASE_URL (invalid method)", True),
    40: Verdict("请求缺少必填参数 (missing required arguments)", True),
    41: Verdict("请求参数不合法 (invalid arguments)", True),
    404: Verdict("钉钉接口地址不存在，请检查 DUBAN_DINGTALK_BASE_URL", True),
    33012: Verdict("userid 无效 (invalid userid)", True),
    34016: Verdict("消息内容长度超过钉钉限制 (content too long)", True),
    40078: Verdict("不存在的临时授权码", True),
    40089: Verdict(
        "钉钉应用凭证无效：AppKey 或 AppSecret 错误，"
        "请检查 DUBAN_DINGTALK_APP_KEY 与 DUBAN_DINGTALK_APP_SECRET_FILE",
        True,
    ),
    41020: Verdict("DUBAN_DINGTALK_AGENT_ID 与应用的 AppKey 不一致", True),
    60011: Verdict("钉钉应用没有调用该接口的权限，请在开发者后台开通", True),
    60020: Verdict("服务器出口 IP 不在钉钉应用的白名单中", True),
    90002: Verdict("钉钉接口限流 (rate limited)", False, MINUTE),
    90018: Verdict("钉钉接口限流 (rate limited)", False, MINUTE),
    90019: Verdict("钉钉接口限流 (rate limited)", False, MINUTE),
    90020: Verdict("企业本月钉钉接口调用量已超限额", False, HOUR),
    143103: Verdict("发送过快：每分钟发送人次超限", False, MINUTE),
    143104: Verdict("发送过快：每分钟发送人次超限", False, MINUTE),
}

DAILY_CAP = "超过每日上限：单应用每天给一人最多 500 条"
DUPLICATE = (
    "同一内容当天已发送，钉钉不再投递 (identical content today: vary the text, distinct_text)"
)
# forbidden_list codes of getsendresult. The daily cap is transient: the same message goes
# through after midnight (the client sets retry_after). Identical content is permanent: the
# same text is dropped all day, and tomorrow a new reminder replaces it anyway.
FORBIDDEN: dict[str, Verdict] = {
    "143103": API_ERRORS[143103],
    "143104": API_ERRORS[143104],
    "143203": API_ERRORS[143103],
    "143204": API_ERRORS[143103],
    "143105": Verdict(DAILY_CAP, False),
    "143205": Verdict(DAILY_CAP, False),
    "143106": Verdict(DUPLICATE, True),
    "143206": Verdict(DUPLICATE, True),
    "1430000": Verdict("接收者为空", True),
    "1430002": Verdict("消息包含违禁内容", True),
    "1430003": Verdict("触发钉钉系统保护", False, MINUTE),
    "1430004": Verdict("接收者受超级高管保护", True),
}
DAILY_CAP_CODES = {"143105", "143205"}
DUPLICATE_CODES = {"143106", "143206"}
INVALID_USER = Verdict("用户不存在（userid 无效）", True)
FAILED = Verdict("钉钉发送失败 (failed)", False)
PENDING = Verdict("钉钉尚未给出发送结果 (no result yet)", False, MINUTE)
BAD_USERID = Verdict("userid 格式无效（为空或含逗号）", True)
# Not documented, or new: transient with the outbox's backoff (never taken for success).
UNKNOWN = Verdict("钉钉返回未知错误码，稍后重试", False)


def errcode(answer: Mapping[str, Any]) -> int:
    """The answer's errcode; one missing or not a number is -1 (unknown, transient)."""
    try:
        return int(answer.get("errcode", -1))
    except (TypeError, ValueError):
        return -1


def api_verdict(answer: Mapping[str, Any]) -> tuple[int, Verdict]:
    """The errcode of a refused call and its verdict; 88 only says "see sub_code"."""
    code = errcode(answer)
    sub = str(answer.get("sub_code", ""))
    if code == 88 and sub.lstrip("-").isdigit():
        code = int(sub)
    return code, API_ERRORS.get(code, UNKNOWN)
