"""The portal's pages under its Content-Security-Policy in real headless Chromium (Debian's
package, driven by Playwright): a unit submits script as progress text, the office reads the
dashboard and the period's report; no policy violation, no dialog, the styles apply."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ..integration.test_portal import D, link, portal  # noqa: F401
from ..integration.test_portal_security import POISON
from ..integration.test_portal_signin import PASSWORD, served  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (.ci/run installs it)",
)


def test_pages_keep_to_the_policy_and_a_units_script_never_runs(served):  # noqa: F811
    from playwright.sync_api import sync_playwright

    rt, base, requests, _ = served
    problems: list[str] = []
    dialogs: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on(
            "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
        )
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base + link(rt, requests["zs-amr"]))
        for select in page.locator("select[name^=status_]").all():  # a whole answer
            select.select_option("推进中")
        for area in page.locator("textarea[name^=text_]").all():
            area.fill("按计划推进")
        for value in page.locator("input[name^=value_]").all():
            value.fill("12")
        page.fill("textarea[name^=text_] >> nth=0", POISON)
        page.click("#submit")
        page.wait_for_selector("text=报送成功")
        page.goto(base + link(rt, requests["zs-amr"]))
        assert page.input_value("textarea[name^=text_] >> nth=0") == POISON  # given back as text
        header = page.eval_on_selector("header", "e => getComputedStyle(e).backgroundColor")
        assert header == "rgb(166, 27, 27)"  # portal.css applies
        page.goto(base + "/office")
        page.fill("#username", "bgs")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("text=报送总览")
        page.click("text=重新评估")
        page.wait_for_selector("text=报送总览")
        page.screenshot(path=str(SHOTS / "office-dashboard-csp.png"), full_page=True)
        report = re.search(r'href="(/office/reports/[^"]+\.html)"', page.content()).group(1)
        # shown inline under its own policy; the office also saves it and opens it from disk
        served = page.request.get(base + report)
        assert "sandbox" in served.headers["content-security-policy"]
        saved = SHOTS / "downloaded-report.html"
        saved.write_bytes(served.body())
        page.goto(saved.as_uri())
        collapse = page.eval_on_selector("table", "e => getComputedStyle(e).borderCollapse")
        assert collapse == "collapse"  # the report's own <style> applies under its policy
        assert "<script>alert(1)</script>" in page.inner_text("body")
        page.screenshot(path=str(SHOTS / "report-csp.png"), full_page=True)
        page.wait_for_timeout(300)
        assert page.url == saved.as_uri()  # no meta refresh to elsewhere
        violations = [m for m in problems if "Content Security Policy" in m or "Refused" in m]
        assert dialogs == [] and violations == []
        # were escaping ever to fail, the report's own policy would still stop scripts (not a
        # meta refresh: no policy governs that, only the escaping tested above)
        tampered = SHOTS / "tampered-report.html"
        raw = "<script>alert(1)</script><img src=x onerror=alert(2)><a href='javascript:alert(3)' id=js>j</a>"
        tampered.write_text(saved.read_text("utf-8").replace("</h1>", "</h1>" + raw, 1), "utf-8")
        page.goto(tampered.as_uri())
        page.wait_for_timeout(300)
        page.click("#js")
        page.wait_for_timeout(200)
        assert page.url == tampered.as_uri() and dialogs == []
        assert any("Content Security Policy" in m for m in problems)
        browser.close()
