"""The signing secret is generated once, whoever asks first."""

from __future__ import annotations

import multiprocessing
import stat

from duban.settings import Settings


def _secret_after(barrier, var_dir, results):
    barrier.wait()
    try:
        results.put(Settings(var_dir=var_dir).secret())
    except Exception as exc:  # reported to the test, which fails on it
        results.put(f"error: {exc!r}")


def test_processes_starting_together_agree_on_one_secret(tmp_path):
    """A dispatcher, a tick and the portal may start at the same moment on a new var/:
    none fails because another created the key first, none reads a half-written one."""
    ctx = multiprocessing.get_context("fork")
    for attempt in range(10):
        var_dir = tmp_path / f"var{attempt}"
        n = 6
        barrier, results = ctx.Barrier(n), ctx.Queue()
        procs = [
            ctx.Process(target=_secret_after, args=(barrier, var_dir, results)) for _ in range(n)
        ]
        for p in procs:
            p.start()
        got = [results.get(timeout=30) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        assert len(set(got)) == 1, got
        assert len(got[0]) == 64 and int(got[0], 16) >= 0
        key = var_dir / "secret.key"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert [p.name for p in var_dir.iterdir()] == ["secret.key"]  # no temporary left


def test_an_existing_secret_is_kept(tmp_path):
    (tmp_path / "secret.key").write_text("abc\n")
    assert Settings(var_dir=tmp_path).secret() == "abc"
    assert Settings(var_dir=tmp_path, secret_key="given").secret() == "given"
