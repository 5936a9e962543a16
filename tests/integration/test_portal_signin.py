"""Office sign-in and uploads against a real portal server (uvicorn on loopback) and the
in-process client (issue 22): who the client is, atomic failure counting, spray, timing,
sessions kept on the server, the upload cap while reading. Runs on SQLite and, with
DUBAN_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import socket
import statistics
import threading
import time

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from db.models import LoginAttempt
from duban.portal.app import create_app
from duban.portal.security import MAX_FAILURES, add_user

from ..conftest import at
from ..servers import free_port
from .test_portal import SECRET, D, csrf_of, link, portal  # noqa: F401

PASSWORD = "correct horse battery"


class Counting:
    """ASGI wrapper counting the request body bytes the app took in."""

    def __init__(self, app):  # type: ignore[no-untyped-def]
        self.app, self.received = app, 0

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        async def counted():  # type: ignore[no-untyped-def]
            message = await receive()
            if message["type"] == "http.request":
                self.received += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
def served(portal):  # noqa: F811
    rt, client, requests, _clock = portal
    with rt.sessions.begin() as session:
        add_user(session, "bgs", PASSWORD, at(D(2025, 10, 1)))
    app = Counting(client.app)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield rt, f"http://127.0.0.1:{port}", requests, app
    server.should_exit = True
    thread.join(timeout=10)


def signed_in_form(http: httpx.Client) -> str:
    return csrf_of(http.get("/office/login").text)


def test_forty_concurrent_wrong_passwords_let_at_most_the_limit_through(served):
    rt, base, _, _ = served
    clients = [httpx.Client(base_url=base, timeout=60) for _ in range(40)]
    tokens = [signed_in_form(c) for c in clients]
    start = threading.Barrier(40)
    codes: list[int] = []

    def attempt(i: int) -> None:
        start.wait()
        r = clients[i].post(
            "/office/login", data={"username": "bgs", "password": f"wrong-{i}", "csrf": tokens[i]}
        )
        codes.append(r.status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(set(codes)) == [401, 429] and len(codes) == 40
    assert codes.count(401) <= MAX_FAILURES
    with rt.sessions() as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) <= MAX_FAILURES
    ok = clients[0].post(
        "/office/login", data={"username": "bgs", "password": PASSWORD, "csrf": tokens[0]}
    )
    assert ok.status_code == 429  # locked for the window, even with the right password
    for c in clients:
        c.close()


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(portal):  # noqa: F811
    rt, client, _, clock = portal
    with rt.sessions.begin() as session:
        add_user(session, "bgs", PASSWORD, at(D(2025, 10, 1)))

    def spray(app, forwarded: bool) -> list[int]:  # type: ignore[no-untyped-def]
        visitor = TestClient(app, client=("127.0.0.9", 40000))
        token = csrf_of(visitor.get("/office/login").text)
        codes = []
        for i in range(8):
            headers = {"x-forwarded-for": f"198.51.100.{i}"} if forwarded else {}
            r = visitor.post("/office/login", data={"username": f"user{i}", "password": "wrong", "csrf": token},
                             headers=headers)  # fmt: skip
            codes.append(r.status_code)
        return codes

    # a spray over 8 usernames from one address, each claiming another address
    assert spray(client.app, forwarded=True) == [401] * MAX_FAILURES + [429] * 3
    clock["now"] = clock["now"].replace(hour=12)  # a new window
    behind_proxy = create_app(rt, SECRET, clock=lambda: clock["now"], trusted_proxies="127.0.0.9")
    assert spray(behind_proxy, forwarded=True) == [401] * 8  # each forwarded client is its own
    with rt.sessions() as session:
        addresses = set(
            session.scalars(select(LoginAttempt.address).where(LoginAttempt.username == "user7"))
        )
        assert addresses == {"198.51.100.7"}


def test_an_unknown_username_takes_as_long_as_a_known_one(portal):  # noqa: F811
    rt, client, _, _ = portal
    with rt.sessions.begin() as session:
        add_user(session, "bgs", PASSWORD, at(D(2025, 10, 1)))

    def timed(username: str, n: int) -> float:
        visitor = TestClient(client.app, client=(f"127.0.1.{n}", 40000))
        token = csrf_of(visitor.get("/office/login").text)
        started = time.perf_counter()
        r = visitor.post(
            "/office/login",
            data={"username": username, "password": "wrong password", "csrf": token},
        )
        assert r.status_code == 401 and "用户名或密码错误" in r.text
        return time.perf_counter() - started

    timed("warm-up", 0)
    known = statistics.median(timed("bgs", n) for n in range(1, 4))
    unknown = statistics.median(timed(f"nobody{n}", n) for n in range(4, 7))
    assert unknown > 0.5 * known, (known, unknown)


def test_logout_is_csrf_checked_and_a_copied_cookie_stops_working(portal):  # noqa: F811
    from db.models import OfficeSession

    rt, client, _, _ = portal
    with rt.sessions.begin() as session:
        add_user(session, "bgs", PASSWORD, at(D(2025, 10, 1)))
    token = csrf_of(client.get("/office/login").text)
    r = client.post("/office/login", data={"username": "bgs", "password": PASSWORD, "csrf": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    cookie = client.cookies["duban_office"]
    with rt.sessions() as session:
        stored = session.scalar(select(OfficeSession))
        assert (
            stored.username == "bgs"
            and cookie not in stored.token_hash
            and len(stored.token_hash) == 64
        )
    thief = TestClient(client.app, cookies={"duban_office": cookie})
    assert thief.get("/office").status_code == 200
    assert client.post("/office/logout", data={"csrf": "0" * 64}).status_code == 403
    assert thief.get("/office").status_code == 200  # a forged logout ended nothing
    dash_csrf = csrf_of(client.get("/office").text)
    r = client.post("/office/logout", data={"csrf": dash_csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/office/login"
    assert thief.get("/office", follow_redirects=False).headers["location"] == "/office/login"
    with rt.sessions() as session:
        assert session.scalar(select(OfficeSession.revoked_at)) is not None


def test_the_login_forms_token_belongs_to_one_visitor(portal):  # noqa: F811
    rt, client, _, _ = portal
    with rt.sessions.begin() as session:
        add_user(session, "bgs", PASSWORD, at(D(2025, 10, 1)))
    alice, mallory = TestClient(client.app), TestClient(client.app)
    alice_token = csrf_of(alice.get("/office/login").text)
    mallory_token = csrf_of(mallory.get("/office/login").text)
    assert alice_token != mallory_token
    # a token lifted from one visitor's page does not work in another browser
    r = alice.post(
        "/office/login", data={"username": "bgs", "password": PASSWORD, "csrf": mallory_token}
    )
    assert r.status_code == 403
    no_cookie = TestClient(client.app)
    r = no_cookie.post(
        "/office/login", data={"username": "bgs", "password": PASSWORD, "csrf": alice_token}
    )
    assert r.status_code == 403
    r = alice.post("/office/login", data={"username": "bgs", "password": PASSWORD, "csrf": alice_token},
                   follow_redirects=False)  # fmt: skip
    assert r.status_code == 303


def test_an_endless_upload_is_cut_off_at_the_cap_while_reading(served):
    rt, base, requests, counting = served
    url = link(rt, requests["zs-sti"])
    token = csrf_of(httpx.get(base + url).text)
    port = int(base.rsplit(":", 1)[1])
    boundary = "duban-boundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\nPK").encode()  # fmt: skip
    chunk = b"0" * 131_072
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            (f"POST {url}/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
             f"Content-Type: multipart/form-data; boundary={boundary}\r\n\r\n").encode()
            + f"{len(head):x}\r\n".encode() + head + b"\r\n"
        )  # fmt: skip
        try:
            for _ in range(400):  # up to 50 MB, unless the server answers first
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
            sock.settimeout(60)
        except OSError:  # timed out (the server stopped reading) or the connection was closed
            pass
        answer = b""
        while b"\r\n\r\n" not in answer:
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert counting.received < 200_000 + 512_000, counting.received  # the cap is 200 kB
    declared = httpx.post(base + url + "/upload", content=b"x" * 10,
                          headers={"content-type": f"multipart/form-data; boundary={boundary}",
                                   "content-length": "10"})  # fmt: skip
    assert declared.status_code == 415


def test_the_access_log_never_holds_a_units_link_token():
    import logging

    from duban.portal.security import RedactLinks

    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "POST", "/u/eyJyIjoyfQ.abc-DEF/upload?x=1", "1.1", 200), None)  # fmt: skip
    assert RedactLinks().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "POST /u/…/upload?x=1 HTTP/1.1" 200'


def test_old_attempts_and_ended_sessions_are_dropped(portal):  # noqa: F811
    import datetime as dt

    from db.models import OfficeSession
    from duban.portal.security import open_session, reserve_attempt

    rt, _, _, _ = portal
    long_ago, now = at(D(2025, 8, 1)), at(D(2025, 10, 9))
    with rt.sessions.begin() as session:
        open_session(session, "bgs", "127.0.0.1", long_ago)
        reserve_attempt(session, "bgs", "127.0.0.1", long_ago)
    with rt.sessions.begin() as session:
        assert reserve_attempt(session, "bgs", "127.0.0.1", now) is not None
        open_session(session, "bgs", "127.0.0.1", now)
    with rt.sessions() as session:
        assert list(session.scalars(select(LoginAttempt.at))) == [now]
        assert [
            e - dt.timedelta(hours=8) for e in session.scalars(select(OfficeSession.expires_at))
        ] == [now]


def test_a_trusted_proxys_https_makes_cookies_secure(portal):  # noqa: F811
    rt, _, _, clock = portal
    with rt.sessions.begin() as session:
        add_user(session, "bgs", PASSWORD, at(D(2025, 10, 1)))

    def sign_in(trusted: str) -> httpx.Response:
        app = create_app(rt, SECRET, clock=lambda: clock["now"], trusted_proxies=trusted)
        visitor = TestClient(
            app, client=("127.0.0.9", 40000), headers={"x-forwarded-proto": "https"}
        )
        form = visitor.get("/office/login")
        nonce = form.headers["set-cookie"].split(";")[0]  # Secure: the jar sends it over https only
        return visitor.post("/office/login", data={"username": "bgs", "password": PASSWORD, "csrf": csrf_of(form.text)},
                            headers={"cookie": nonce}, follow_redirects=False)  # fmt: skip

    behind = sign_in("127.0.0.9")
    assert behind.status_code == 303 and "secure" in behind.headers["set-cookie"].lower()
    assert behind.headers["strict-transport-security"] == "max-age=31536000"
    direct = sign_in("")  # anybody can send the header: not believed from an untrusted peer
    assert direct.status_code == 303 and "secure" not in direct.headers["set-cookie"].lower()
    assert "strict-transport-security" not in direct.headers
