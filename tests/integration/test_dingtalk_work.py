"""DingTalk work notifications against a local DingTalk-compatible server (tests/dingtalk_peer.py)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator

import pytest
import requests

from notifications.channels import DeliveryError
from notifications.dingtalk_work import (
    MAX_USERIDS,
    MIDNIGHT_MARGIN,
    SEND_PATH,
    DingTalkWorkNotifier,
    distinct_text,
)
from tests.dingtalk_peer import RESULT, SEND, DingTalkWorkPeer
from tests.servers import free_port

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
APP_KEY, APP_SECRET, AGENT_ID = "dingappkey42", "s3cr3t-app-secret-value", 2_718_281
LIAISONS = ["kejiju01", "fagaiwei02", "caizhengju03"]
TITLE = "【标准强市建设】报送提醒"
TEXT = "### 关于报送2025年第三季度工作进展的通知\n\n请于 7 月 10 日前在线填报。"
PORTAL = "https://duban.example.gov.cn/r/AB12CD"


class Clock:
    """The time both the client and the peer see; tests move it."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI))


@pytest.fixture
def peer(clock: Clock) -> Iterator[DingTalkWorkPeer]:
    directory = [*LIAISONS, *(f"user{i:03}" for i in range(250))]
    server = DingTalkWorkPeer(APP_KEY, APP_SECRET, AGENT_ID, directory, clock=clock).start()
    yield server
    server.stop()


@pytest.fixture
def slept() -> list[float]:
    return []


def notifier(
    peer: DingTalkWorkPeer, clock: Clock, slept: list[float], **kwargs: object
) -> DingTalkWorkNotifier:
    options: dict[str, object] = {"clock": clock, "sleep": slept.append, "poll_interval": 0.5}
    options.update(kwargs)
    secret = str(options.pop("secret", APP_SECRET))
    base_url = str(options.pop("base_url", peer.base_url))
    return DingTalkWorkNotifier(base_url, APP_KEY, secret, AGENT_ID, **options)  # type: ignore[arg-type]


@pytest.fixture
def client(peer: DingTalkWorkPeer, clock: Clock, slept: list[float]) -> DingTalkWorkNotifier:
    return notifier(peer, clock, slept)


# -- access token ---------------------------------------------------------------------------


def test_token_is_cached_and_fetched_again_five_minutes_before_it_expires(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer, clock: Clock
) -> None:
    first = client.access_token()
    clock.advance(seconds=7200 - 301)
    assert client.access_token() == first
    assert peer.count("/gettoken") == 1
    clock.advance(seconds=2)
    client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert peer.count("/gettoken") == 2


def test_token_the_server_rejects_is_refreshed_and_the_send_retried_once(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    stale = client.access_token()
    peer.expire_tokens()
    confirmed = client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert confirmed.delivered == {"kejiju01"}
    assert client.access_token() != stale
    assert peer.count("/gettoken") == 2
    assert peer.count(SEND) == 2  # the refused call and its one retry


def test_token_refused_again_after_refresh_is_transient_without_a_loop(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    refused = (SEND, 200, {"errcode": 40014, "errmsg": "不合法的access_token"})
    client.access_token()
    peer.inject = [refused, refused]
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert not caught.value.permanent
    assert peer.count(SEND) == 2


# -- messages reach people ------------------------------------------------------------------


def test_markdown_message_reaches_every_userid(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    confirmed = client.send_and_confirm(LIAISONS, TITLE, TEXT)
    assert confirmed.delivered == set(LIAISONS)
    for userid in LIAISONS:
        assert peer.received[userid] == [
            {"msgtype": "markdown", "markdown": {"title": TITLE, "text": TEXT}}
        ]
    assert confirmed.outcomes["kejiju01"].reason == "已送达（未读）"


def test_action_card_carries_one_button_to_the_portal_link(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    client.send_and_confirm(["kejiju01"], TITLE, TEXT, link=PORTAL)
    (msg,) = peer.received["kejiju01"]
    assert msg == {
        "msgtype": "action_card",
        "action_card": {"title": TITLE, "markdown": TEXT, "single_title": "在线填报",
                        "single_url": PORTAL},
    }  # fmt: skip


def test_send_returns_the_task_ids_and_result_says_who_received_it(
    client: DingTalkWorkNotifier,
) -> None:
    sent = client.send(["kejiju01", "nobody"], TITLE, TEXT)
    (task_id,) = sent.task_ids
    report = client.result(task_id)
    assert report.delivered == {"kejiju01"}
    assert report.reason("nobody") == "用户不存在（userid 无效）"


def test_more_userids_than_one_call_takes_go_in_batches(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    many = [f"user{i:03}" for i in range(250)]
    confirmed = client.send_and_confirm(many, TITLE, TEXT)
    assert confirmed.delivered == set(many)
    assert len(confirmed.task_ids) == 3 and peer.count(SEND) == 3
    assert all(len(peer.received[u]) == 1 for u in many)
    assert MAX_USERIDS == 100


def test_userids_reached_by_an_earlier_attempt_are_not_sent_again(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    confirmed = client.send_and_confirm(LIAISONS, TITLE, TEXT, already={"kejiju01"})
    assert set(confirmed.outcomes) == {"fagaiwei02", "caizhengju03"}
    assert "kejiju01" not in peer.received


# -- what DingTalk drops is not success ------------------------------------------------------


def test_unknown_userid_is_permanent_and_the_others_are_done(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01", "ghost99", "fagaiwei02"], TITLE, TEXT)
    error = caught.value
    assert error.permanent
    assert error.done == {"kejiju01", "fagaiwei02"}
    assert "用户不存在" in str(error) and "ghost99" in str(error)
    assert len(peer.received["kejiju01"]) == 1


def test_identical_content_the_same_day_is_reported_as_dropped(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01"], TITLE, TEXT)  # asyncsend_v2 says ok to this too
    assert caught.value.permanent
    assert "同一内容当天已发送" in str(caught.value)
    assert caught.value.done == set()
    assert len(peer.received["kejiju01"]) == 1


def test_two_different_reminders_to_one_user_on_one_day_both_arrive(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    for key in ("reminder:2025-07-01:kejiju:D-3", "receipt:2025-07-01:kejiju:S1"):
        client.send_and_confirm(["kejiju01"], TITLE, distinct_text(TEXT, key))
    first, second = peer.received["kejiju01"]
    assert first != second


def test_retry_of_a_message_that_already_arrived_today_counts_as_delivered(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    text = distinct_text(TEXT, "reminder:2025-07-01:kejiju:D-3")
    client.send_and_confirm(["kejiju01"], TITLE, text)
    again = client.send_and_confirm(["kejiju01"], TITLE, text)  # e.g. its result was lost
    assert again.delivered == {"kejiju01"}
    assert again.outcomes["kejiju01"].code == "143106"
    assert len(peer.received["kejiju01"]) == 1


def test_daily_cap_is_transient_until_shanghai_midnight(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer, clock: Clock
) -> None:
    peer.daily_cap = 1
    client.send_and_confirm(["kejiju01"], TITLE, distinct_text(TEXT, "one"))
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01", "fagaiwei02"], TITLE, distinct_text(TEXT, "two"))
    error = caught.value
    assert not error.permanent
    assert error.done == {"fagaiwei02"}
    assert error.retry_after == 15 * 3600 + MIDNIGHT_MARGIN  # 09:00 → 24:00 Asia/Shanghai
    assert "超过每日上限" in str(error)
    clock.advance(seconds=error.retry_after)
    retried = client.send_and_confirm(["kejiju01", "fagaiwei02"], TITLE, distinct_text(TEXT, "two"),
                                      already=error.done)  # fmt: skip
    assert retried.delivered == {"kejiju01"}


def test_failed_delivery_is_transient(client: DingTalkWorkNotifier, peer: DingTalkWorkPeer) -> None:
    peer.failing = {"caizhengju03"}
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(LIAISONS, TITLE, TEXT)
    assert not caught.value.permanent
    assert caught.value.done == {"kejiju01", "fagaiwei02"}


def test_results_not_ready_yet_are_polled_again(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer, slept: list[float]
) -> None:
    peer.pending_results = 2
    assert client.send_and_confirm(["kejiju01"], TITLE, TEXT).delivered == {"kejiju01"}
    assert peer.count(RESULT) == 3
    assert slept == [0.5, 0.5, 0.5]


def test_results_that_never_come_are_transient_not_success(
    peer: DingTalkWorkPeer, clock: Clock, slept: list[float]
) -> None:
    peer.pending_results = 10
    client = notifier(peer, clock, slept, polls=3)
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert not caught.value.permanent and caught.value.done == set()
    assert "尚未给出发送结果" in str(caught.value)
    assert peer.count(RESULT) == 3


# -- refusals, outages, secrets -------------------------------------------------------------


def test_invalid_app_secret_is_permanent_in_chinese_without_the_secret(
    peer: DingTalkWorkPeer, clock: Clock, slept: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "wrong-secret-never-shown-1234"
    client = notifier(peer, clock, slept, secret=wrong)
    with caplog.at_level(logging.DEBUG), pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    error = caught.value
    assert error.permanent
    assert "AppKey 或 AppSecret 错误" in str(error) and "40089" in str(error)
    assert wrong not in str(error) and wrong not in caplog.text and wrong not in repr(client)
    assert peer.count(SEND) == 0


def test_network_down_is_transient_and_shows_no_secret(
    clock: Clock, slept: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    dead = DingTalkWorkNotifier(f"http://127.0.0.1:{free_port()}", APP_KEY, APP_SECRET, AGENT_ID,
                                clock=clock, sleep=slept.append)  # fmt: skip
    with caplog.at_level(logging.DEBUG), pytest.raises(DeliveryError) as caught:
        dead.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert not caught.value.permanent
    assert "无法连接" in str(caught.value)
    assert APP_SECRET not in str(caught.value) and APP_SECRET not in caplog.text


def test_system_busy_is_transient_and_rate_limit_waits(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    client.access_token()
    peer.inject = [(SEND, 200, {"errcode": -1, "errmsg": "系统繁忙"})]
    with pytest.raises(DeliveryError) as busy:
        client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert not busy.value.permanent and busy.value.retry_after == 60
    peer.inject = [(SEND, 200, {"status": 1111, "wait": 5, "punish": "deny"})]
    with pytest.raises(DeliveryError) as flood:
        client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert not flood.value.permanent and flood.value.retry_after == 300


def test_unknown_errcode_is_transient_never_success(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    client.access_token()
    peer.inject = [(SEND, 200, {"errcode": 777777, "errmsg": "something new"})]
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert not caught.value.permanent and "777777" in str(caught.value)


def test_ip_not_whitelisted_is_permanent_through_sub_code(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    client.access_token()
    peer.inject = [
        (SEND, 200, {"errcode": 88, "sub_code": "60020", "sub_msg": "访问ip不在白名单之中"})
    ]
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert caught.value.permanent and "白名单" in str(caught.value)


def test_server_error_page_is_transient(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    client.access_token()
    peer.inject = [(SEND, 502, "<html>Bad Gateway</html>")]
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert not caught.value.permanent and "HTTP 502" in str(caught.value)


def test_wrong_agent_id_is_permanent(peer: DingTalkWorkPeer, clock: Clock) -> None:
    other = DingTalkWorkNotifier(peer.base_url, APP_KEY, APP_SECRET, 1, clock=clock)
    with pytest.raises(DeliveryError) as caught:
        other.send_and_confirm(["kejiju01"], TITLE, TEXT)
    assert caught.value.permanent and "41020" in str(caught.value)


def test_message_too_long_is_refused_before_anything_is_sent(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    with pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01"], TITLE, "进展" * 400)
    assert caught.value.permanent and not caught.value.attempted
    assert "2048" in str(caught.value)
    assert peer.calls == []


def test_token_never_appears_in_errors_or_logs(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer, caplog: pytest.LogCaptureFixture
) -> None:
    token = client.access_token()
    peer.inject = [
        (SEND, 200, {"errcode": 41, "errmsg": f"Invalid arguments: access_token={token}"})
    ]
    with caplog.at_level(logging.DEBUG), pytest.raises(DeliveryError) as caught:
        client.send_and_confirm(["kejiju01", "ghost99"], TITLE, TEXT)
    assert token not in str(caught.value) and token not in caplog.text
    assert "****" in str(caught.value)


# -- the peer is as strict as DingTalk -------------------------------------------------------


def test_peer_refuses_what_dingtalk_refuses(
    client: DingTalkWorkNotifier, peer: DingTalkWorkPeer
) -> None:
    url = peer.base_url + SEND_PATH
    token = {"access_token": client.access_token()}
    msg = {"msgtype": "markdown", "markdown": {"title": TITLE, "text": TEXT}}

    def send(body: object, method: str = "POST", params: dict[str, str] = token) -> int:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return int(
            requests.request(method, url, params=params, data=data, timeout=5).json()["errcode"]
        )

    assert send({"agent_id": AGENT_ID, "userid_list": "kejiju01", "msg": msg}, "GET") == 43002
    assert send({"agent_id": AGENT_ID, "userid_list": "kejiju01", "msg": msg}, params={}) == 40014
    assert send(b"{not json") == 41
    assert send({"userid_list": "kejiju01", "msg": msg}) == 40
    assert send({"agent_id": 1, "userid_list": "kejiju01", "msg": msg}) == 41020
    assert send({"agent_id": AGENT_ID, "msg": msg}) == 40
    assert send({"agent_id": AGENT_ID, "userid_list": ",".join(f"user{i:03}" for i in range(101)),
                 "msg": msg}) == 41  # fmt: skip
    assert send({"agent_id": AGENT_ID, "userid_list": "kejiju01",
                 "msg": {"msgtype": "markdown", "markdown": {"title": TITLE}}}) == 40  # fmt: skip
    assert send({"agent_id": AGENT_ID, "userid_list": "kejiju01",
                 "msg": {"msgtype": "markdown", "markdown": {"title": TITLE, "text": "长" * 700}}}) == 34016  # fmt: skip
    assert requests.post(peer.base_url + "/topapi/nothing", timeout=5).json()["errcode"] == 22
    assert requests.get(peer.base_url + "/gettoken", params={"appkey": APP_KEY, "appsecret": "x"},
                        timeout=5).json()["errcode"] == 40089  # fmt: skip
    assert peer.received == {}
