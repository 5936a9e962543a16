"""Outbox dispatch to a local SMTP server, against two baselines measured in the same run:
the server's raw ceiling (plain smtplib reusing one connection) and a naive loop of one Apprise
notify per message (one SMTP connection each).

    python -m bench.dispatch_smtp [--messages 300] [--db sqlite|postgresql] [--units 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import smtplib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import apprise
from sqlalchemy import select, text

from db import make_engine, session_factory, upgrade
from db.models import Base, Notification
from db.models.base import core_table
from notifications import outbox
from notifications.delivery import AppriseChannel
from notifications.dispatch import MessageConfig, dispatch
from notifications.mail import SMTP_POLICY, build_email

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.servers import free_port

BODY = "市科技局：\n\n根据领导小组办公室工作安排，现请贵单位报送2025年第三季度工作进展。\n" * 20


def raw_ceiling(port: int, n: int) -> float:
    """Plain smtplib on one connection, sending bytes built once: the message Duban sends for
    the benchmark's rows (same parts, same size), so only building and bookkeeping differ."""
    msg = build_email(key="bench:0", subject="【标准强市建设】测试", text=BODY, html=BODY,
                      sender=("标准强市建设领导小组办公室", "office@duban.test"),
                      to=[("unit", "unit@duban.test")], attachments=[],
                      when=dt.datetime(2025, 9, 24, tzinfo=dt.UTC), domain="duban.test")  # fmt: skip
    data = msg.as_bytes(policy=SMTP_POLICY)
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as conn:
        for _ in range(n):
            conn.sendmail("office@duban.test", ["unit@duban.test"], data)
    return n / (time.perf_counter() - start)


def naive_apprise(port: int, n: int) -> float:
    apobj = apprise.Apprise()
    apobj.add(f"mailto://127.0.0.1:{port}?from=office@duban.test&to=unit@duban.test")
    for server in apobj:
        # Apprise waits request_rate_per_sec (5.5 s) between sends of one URL by default;
        # switched off here so the baseline measures the cost of a connection per message.
        server.request_rate_per_sec = 0
    start = time.perf_counter()
    for _ in range(n):
        assert apobj.notify(body=BODY, title="【标准强市建设】测试")
    return n / (time.perf_counter() - start)


def apprise_config(port: int, units: int) -> str:
    """An office's configuration: one email URL per unit (tags = unit ids), the office's and
    the admin's. Apprise finds a tag's URLs by walking all of them, so their number counts."""
    mailto = f"mailto://127.0.0.1:{port}?from=office@duban.test&to="
    lines = [f"u{i:03}={mailto}u{i:03}@duban.test" for i in range(units)]
    return "\n".join(
        [*lines, f"office={mailto}office@duban.test", f"admin={mailto}admin@duban.test", ""]
    )


def duban_dispatch(port: int, n: int, url: str, workdir: Path, units: int = 60) -> float:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    sessions = session_factory(engine)
    now = dt.datetime(2025, 9, 24, 1, tzinfo=dt.UTC)
    with sessions.begin() as session:
        for i in range(n):
            outbox.enqueue(session, key=f"bench:{i}", recipient=f"u{i % units:03}", unit_id=None, kind="report",
                           subject="【标准强市建设】测试", payload={"text": BODY, "salutation": "市科技局"}, now=now)  # fmt: skip
    config = workdir / "apprise.txt"
    config.write_text(apprise_config(port, units))
    channel = AppriseChannel.from_config(config, clock=lambda: now)
    start = time.perf_counter()
    stats = dispatch(sessions, channel, MessageConfig(), lambda: now, batch=50)
    elapsed = time.perf_counter() - start
    assert stats["sent"] == n, stats
    channel.smtp.close()
    engine.dispose()
    return n / elapsed


REAL_JURISDICTIONS = 8  # 320 units of the province tier: one request digest each


def real_dispatch(port: int, url: str, workdir: Path) -> tuple[float, float, int]:
    """The request digests a real tick enqueues when a period opens (each with the unit's Excel
    template, written on first use, and the deadline invite attached): (msg/s on the first
    dispatch, msg/s sending them again with the templates written, mean message bytes)."""
    from bench.synthetic import iter_plans, synthetic_directory
    from flows import steps
    from flows.runtime import Runtime
    from notifications.channels import FileOutbox
    from reporting.workdays import WorkCalendar
    from tasks_catalog.loader import load_catalog

    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    sessions = session_factory(engine)
    when = dt.datetime(2025, 9, 24, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with sessions.begin() as session:
        load_catalog(session, iter_plans("province", limit=REAL_JURISDICTIONS),
                     synthetic_directory("province", limit=REAL_JURISDICTIONS), when)  # fmt: skip
    rt = Runtime(sessions, workdir, WorkCalendar(), FileOutbox(workdir / "outbox"), MessageConfig())
    steps.open_and_request(rt, when.date(), when)
    digests, _, _ = steps.remind(rt, when.date(), when)
    mailto = f"mailto://127.0.0.1:{port}?from=office@duban.test&to="
    config = workdir / "apprise-real.txt"
    with sessions() as session:
        tags = sorted(set(session.scalars(select(Notification.channel))))
    config.write_text("".join(f"{tag}={mailto}{tag}@duban.test\n" for tag in tags))
    channel = AppriseChannel.from_config(config, clock=lambda: when)
    sizes: list[int] = []
    real_send = channel.smtp.send

    def measured(target, sender, recipients, data, *args):  # type: ignore[no-untyped-def]
        sizes.append(len(data))
        return real_send(target, sender, recipients, data, *args)

    channel.smtp.send = measured  # type: ignore[method-assign]
    rates = []
    for _ in range(2):
        start = time.perf_counter()
        stats = dispatch(
            sessions, channel, MessageConfig(), lambda: when, templates=steps.template_of(rt)
        )
        rates.append(stats["sent"] / (time.perf_counter() - start))
        assert stats["sent"] == digests, stats
        with sessions.begin() as session:
            outbox.requeue(session, list(session.scalars(select(Notification.id))), when)
            session.execute(core_table(Notification).update().values(status="pending"))
    channel.smtp.close()
    engine.dispose()
    return rates[0], rates[1], sum(sizes) // len(sizes)


def sized_ceiling(port: int, n: int, size: int) -> float:
    """The raw ceiling for messages of `size` bytes (plain smtplib, one connection)."""
    data = (b"X-Pad: " + b"x" * 70 + b"\r\n") * (size // 79) + b"\r\nbody\r\n"
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as conn:
        for _ in range(n):
            conn.sendmail("office@duban.test", ["unit@duban.test"], data)
    return n / (time.perf_counter() - start)


class SinkServer:
    """aiosmtpd in its own process, accepting and discarding: a real server never shares the
    dispatcher's interpreter (in-process, its parsing competed with the client for the GIL)."""

    def __init__(self) -> None:
        self.port = free_port()
        code = (
            "import sys, time\n"
            "from aiosmtpd.controller import Controller\n"
            "class Sink:\n"
            "    async def handle_DATA(self, server, session, envelope):\n"
            "        return '250 Message accepted'\n"
            f"c = Controller(Sink(), hostname='127.0.0.1', port={self.port}); c.start()\n"
            "print('ready', flush=True); sys.stdin.read(); c.stop()\n"
        )
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)  # fmt: skip

    def start(self) -> SinkServer:
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"
        return self

    def stop(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--units", type=int, default=60, help="units in the Apprise configuration")
    parser.add_argument(
        "--real",
        action="store_true",
        help="also the request digests of a real tick (template and invite attached)",
    )
    args = parser.parse_args(argv)
    server = SinkServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db" if args.db == "sqlite" else os.environ.get(
                "DUBAN_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")  # fmt: skip
            # The machine's speed drifts within a run: the ceiling is measured before and after
            # the other two and averaged, so the ratio compares like with like.
            before = raw_ceiling(server.port, args.messages)
            naive = naive_apprise(server.port, args.messages)
            ours = duban_dispatch(server.port, args.messages, url, Path(tmp), args.units)
            if args.real:
                real_url = url if args.db == "postgresql" else f"sqlite:///{tmp}/real.db"
                first, again, size = real_dispatch(server.port, real_url, Path(tmp))
                sized = sized_ceiling(server.port, args.messages, size)
            after = raw_ceiling(server.port, args.messages)
            ceiling = (before + after) / 2
    finally:
        server.stop()
    print(f"messages: {args.messages}, database: {args.db}, units: {args.units}")
    print(
        f"raw smtplib, one connection:     {ceiling:8.1f} msg/s  (ceiling, 1.00; {before:.0f} before, {after:.0f} after)"
    )
    print(
        f"naive Apprise notify per message: {naive:8.1f} msg/s  ({naive / ceiling:.2f} of ceiling)"
    )
    print(f"Duban outbox dispatch:            {ours:8.1f} msg/s  ({ours / ceiling:.2f} of ceiling)")
    figures = {"ceiling": ceiling, "naive": naive, "duban": ours}
    if args.real:
        print(f"real request digests, {size / 1024:.1f} KB each (template and invite attached):")
        print(f"  raw smtplib, same size:         {sized:8.1f} msg/s  (ceiling for that size)")
        print(
            f"  first dispatch (templates written): {first:6.1f} msg/s  ({first / sized:.2f} of it)"
        )
        print(
            f"  sent again (templates on disk):     {again:6.1f} msg/s  ({again / sized:.2f} of it)"
        )
        figures |= {"real_first": first, "real_again": again, "real_ceiling": sized, "size": size}
    return figures


if __name__ == "__main__":
    main()
