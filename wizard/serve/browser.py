"""Drive a served wizard in a real browser (Playwright and Chromium): the screenshot script
and the browser test share this. Nothing here runs in `serve` itself.

The page draws the terminal on a canvas, so its text is not in the DOM. `TERMINAL_HOOK`, added
to the page before textual-serve's script runs, keeps a reference to its terminal object
(caught when the script sets its `fitAddon`), and `screen_text()` reads xterm.js's buffer: what
the page shows, as text.
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from wizard.serve.options import ServeOptions

if TYPE_CHECKING:
    from wizard.serve.server import WizardServer

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
"""Debian's Chromium; Playwright's own browser download is not used."""

TERMINAL_HOOK = """
Object.defineProperty(Object.prototype, "fitAddon", {
  configurable: true,
  set(value) {
    window.__wizardTerminal = this;
    Object.defineProperty(this, "fitAddon",
      {value, writable: true, configurable: true, enumerable: true});
  },
});
"""
READ_SCREEN = """() => {
  const holder = window.__wizardTerminal;
  if (!holder || !holder.terminal) return "";
  const term = holder.terminal, buffer = term.buffer.active, rows = [];
  for (let i = 0; i < term.rows; i++) {
    const line = buffer.getLine(buffer.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""
ANSWER_URL = re.compile(r"https://app\.ultravox\.ai/api/agents/[0-9a-f-]{36}/telephony_xml")


@contextmanager
def served_in_thread(options: ServeOptions) -> Iterator[WizardServer]:
    """Run `serve` in a background thread; yields the server (`.url`: the link to open)."""
    from wizard.serve.server import WizardServer

    server = WizardServer(options)
    ready = threading.Event()
    state: dict[str, Any] = {}

    def run() -> None:
        async def main() -> None:
            state["loop"] = asyncio.get_running_loop()
            state["stop"] = stop = asyncio.Event()
            await server.run_until_stopped(stop, say=lambda line: ready.set())

        try:
            asyncio.run(main())
        finally:
            ready.set()

    thread = threading.Thread(target=run, name="serve", daemon=True)
    thread.start()
    if not ready.wait(30) or "stop" not in state:
        raise RuntimeError("serve did not start")
    try:
        yield server
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)
        thread.join(30)


class WizardPage:
    """A Playwright page showing the wizard, read and typed into as a user would."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def open(self, url: str) -> None:
        self.page.add_init_script(TERMINAL_HOOK)
        self.page.goto(url)
        self.wait_for("Step 1/6")
        self.page.click("#terminal")  # keys go to the terminal

    def text(self) -> str:
        text: str = self.page.evaluate(READ_SCREEN)
        return text

    def wait_for(self, *needles: str, timeout: float = 30.0) -> str:
        """The screen's text once it shows every one of `needles`."""
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if all(n in text for n in needles):
                return text
            time.sleep(0.1)
        raise AssertionError(f"the page never showed {needles!r}; it shows:\n{text}")

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)


def walk_to_result(wizard: WizardPage) -> dict[str, str]:
    """Through the demo wizard with the keyboard: the demo key and Plivo credentials as
    prefilled, one agent found by typing its name, one mapping typed, sent from Review.

    Only keys a browser leaves to the page: Enter, Tab, Space and letters (Chrome keeps
    Ctrl+N, Ctrl+T and Ctrl+W for itself). Returns the screens it saw, by step.
    """
    screens = {"connect": wizard.wait_for("Step 1/6", "Connected to account")}
    wizard.press("Enter")
    screens["plivo"] = wizard.wait_for("Step 2/6", "Plivo account:")
    wizard.press("Enter")
    wizard.wait_for("Step 3/6", "agents loaded")
    wizard.type("Order Status")
    wizard.wait_for("1 match")
    wizard.press("Tab")
    wizard.wait_for("space Tick")  # the list has focus (a key sent sooner may land in Search)
    wizard.press("Space")
    screens["agents"] = wizard.wait_for("1 / 100 selected")
    wizard.press("Enter")
    wizard.wait_for("Step 4/6")
    wizard.type("From")
    wizard.wait_for("that 'From' goes into")  # the row took the field name
    wizard.press("Tab")
    wizard.page.wait_for_timeout(500)  # nothing on screen says the focus moved
    wizard.type("user.phone")
    screens["mapping"] = wizard.wait_for("1 field mapped, no problems")
    wizard.press("Enter")
    screens["review"] = wizard.wait_for("Step 5/6", "POST")
    wizard.press("Enter")
    screens["result"] = wizard.wait_for("Step 6/6", "telephony_xml", "Credentials")
    return screens
