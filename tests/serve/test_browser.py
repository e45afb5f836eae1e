"""The demo wizard in a real browser: Debian's Chromium driven by Playwright, through
`serve`'s page and websocket, from the first step to Result and out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.serve.conftest import alive
from wizard.sandbox import DEMO_AUTH_TOKEN
from wizard.sandbox.config_rules import TOKEN_PREFIX_LENGTH
from wizard.serve.browser import (
    ANSWER_URL,
    CHROMIUM,
    WizardPage,
    served_in_thread,
    walk_to_result,
)
from wizard.serve.options import ServeOptions

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)"
)


def test_the_demo_wizard_in_a_browser_from_start_to_result() -> None:
    from playwright.sync_api import sync_playwright

    with served_in_thread(ServeOptions(demo=True, port=0)) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        try:
            context = browser.new_context(
                viewport={"width": 1024, "height": 640},
                permissions=["clipboard-read", "clipboard-write"],
            )
            page = context.new_page()
            wizard = WizardPage(page)
            wizard.open(server.url)
            (service,) = server.sessions
            pid = service.pid
            assert pid is not None

            screens = walk_to_result(wizard)

            # The agent ticked on step 3 is the one the answer URL names.
            picked = re.search(r"Order Status\s+([0-9a-f]{8})\b", screens["agents"])
            assert picked is not None
            short_id = picked.group(1)
            result = screens["result"]
            urls = ANSWER_URL.findall(result)
            assert len(urls) == 1
            assert f"/agents/{short_id}" in urls[0]
            # The token prefix Ultravox returned, however the step spaces it out.
            assert DEMO_AUTH_TOKEN[:TOKEN_PREFIX_LENGTH] in re.sub(r"\s+", "", result)

            # The copy key reaches the browser's clipboard (xterm.js takes Textual's OSC 52).
            wizard.press("c")
            wizard.wait_for("clipboard")
            assert page.evaluate("navigator.clipboard.readText()") == urls[0]

            # Enter finishes: the page says the session ended, and its process is gone.
            wizard.press("Enter")
            page.wait_for_selector("body.-closed .closed-dialog", state="visible", timeout=15000)
            assert "Session ended" in page.inner_text(".closed-dialog")
            page.wait_for_timeout(100)
            deadline = 100
            while alive(pid) and deadline:
                page.wait_for_timeout(100)
                deadline -= 1
            assert not alive(pid)
        finally:
            browser.close()
