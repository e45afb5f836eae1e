"""Screenshots of the notebook face in a real JupyterLab: `python -m wizard.notebook_screenshots
[DIR]`.

Starts JupyterLab on 127.0.0.1 (a free port, a random token, settings in a temporary folder),
opens `docs/notebook.ipynb` in Chromium driven by Playwright (Debian's `/usr/bin/chromium`:
Playwright's own browser download is not used), runs it in demo mode, types the demo values,
walks to Result and saves a PNG of the wizard at each step. The real-browser test runs the same
walk, so the pictures cannot drift from the face. Needs the dev dependencies (jupyterlab,
playwright) and the `[notebook]` extra.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"
CHROMIUM = os.environ.get("UVP_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1200, "height": 1000}
DEMO_MAPPING = (("From", "user.phone_number"), ("To", "call.to"), ("X-PH-Plan", "user.plan"))
STEP_TIMEOUT_MS = 30_000


@dataclass
class Walk:
    """What the walk read from the page, and the screenshots it saved."""

    prefix: str = ""
    urls: list[str] = field(default_factory=list)
    copied: str | None = None
    shots: list[Path] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def jupyter_lab(root: Path) -> Iterator[str]:
    """JupyterLab serving `root` on loopback; yields the URL of the notebook with its token."""
    import secrets

    token = secrets.token_hex(16)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="uvp-lab-") as home:
        settings = Path(home, "settings", "@jupyterlab", "apputils-extension")
        settings.mkdir(parents=True)
        # No "would you like news?" toast over the page, no network asked for it.
        (settings / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(Path(home, "config")),
            "JUPYTER_RUNTIME_DIR": str(Path(home, "runtime")),
            "JUPYTERLAB_SETTINGS_DIR": str(Path(home, "settings")),
            "JUPYTERLAB_WORKSPACES_DIR": str(Path(home, "workspaces")),
        }
        with Path(home, "lab.log").open("w") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "jupyterlab",
                    "--no-browser",
                    "--ip=127.0.0.1",
                    f"--port={port}",
                    "--ServerApp.port_retries=0",
                    f"--IdentityProvider.token={token}",
                    f"--ServerApp.root_dir={root}",
                    "--LabApp.extension_manager=readonly",  # no PyPI look-ups for extensions
                    *(["--allow-root"] if os.geteuid() == 0 else []),  # CI containers run as root
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            base = f"http://127.0.0.1:{port}"
            try:
                _wait_until_up(f"{base}/api/status?token={token}", process, Path(home, "lab.log"))
                yield f"{base}/lab/tree/{NOTEBOOK.name}?token={token}"
            finally:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (loopback URL)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("JupyterLab did not start within 90 s.")


def walk(page: Any, outdir: Path | None) -> Walk:
    """Run the notebook in the open JupyterLab page and walk the demo to Result."""
    from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_TOKEN

    done = Walk()

    def shoot(name: str) -> None:
        if outdir is None:
            return
        page.wait_for_timeout(300)  # the last sync of values to the page
        path = outdir / f"notebook-{name}.png"
        page.locator(".uvp-wizard").screenshot(path=str(path))
        done.shots.append(path)

    def next_step(title: str) -> None:
        button = page.locator(".uvp-next")
        button.click(timeout=STEP_TIMEOUT_MS)  # waits while it is disabled
        page.locator(".uvp-current-step", has_text=title).wait_for(timeout=STEP_TIMEOUT_MS)

    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    # Run All before the kernel is up does nothing: wait for the status bar to say Idle.
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=90_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.locator(".uvp-wizard").wait_for(timeout=90_000)

    key = page.locator(".uvp-api-key input")
    key.fill(DEMO_API_KEY)
    key.press("Enter")
    page.locator(".uvp-api-key-hint, .uvp-account", has_text="Connected to account").wait_for(
        timeout=STEP_TIMEOUT_MS
    )
    shoot("1-connect")
    next_step("Plivo")
    token = page.locator(".uvp-auth-token input")
    token.fill(DEMO_AUTH_TOKEN)
    token.press("Enter")
    page.locator(".uvp-verify-status", has_text="Plivo account").wait_for(timeout=STEP_TIMEOUT_MS)
    shoot("2-plivo")
    next_step("Agents")
    page.locator(".uvp-agents-status", has_text="agents loaded").wait_for(timeout=STEP_TIMEOUT_MS)
    for index in range(2):
        page.locator(".uvp-agent input").nth(index).check()
    page.locator(".uvp-agents-counter", has_text="2 / 100").wait_for(timeout=STEP_TIMEOUT_MS)
    shoot("3-agents")
    next_step("Mapping")
    for index, (request, context) in enumerate(DEMO_MAPPING):
        if index:
            page.locator(".uvp-map-add").click()
        page.locator(".uvp-map-request input").nth(index).fill(request)
        page.locator(".uvp-map-context input").nth(index).fill(context)
    page.locator(".uvp-map-summary", has_text="mapped").wait_for(timeout=STEP_TIMEOUT_MS)
    shoot("4-mapping")
    next_step("Review")
    shoot("5-review")
    page.locator(".uvp-next").click(timeout=STEP_TIMEOUT_MS)  # Send
    page.locator(".uvp-current-step", has_text="Result").wait_for(timeout=STEP_TIMEOUT_MS)
    page.locator(".uvp-store-status", has_text="✓").wait_for(timeout=STEP_TIMEOUT_MS)
    done.prefix = page.locator(".uvp-prefix").inner_text()
    done.urls = page.locator(".uvp-answer-urls").inner_text().split()
    shoot("6-result")
    page.locator(".uvp-copy").click()
    page.locator(".uvp-copy", has_text="Cop").wait_for(timeout=STEP_TIMEOUT_MS)
    with contextlib.suppress(Exception):  # reading the clipboard needs the permission
        done.copied = page.evaluate("navigator.clipboard.readText()")
    return done


def capture(outdir: Path | None, chromium: str = CHROMIUM) -> Walk:
    """Start JupyterLab, open the example notebook in Chromium, walk it (PNGs into `outdir`)."""
    from playwright.sync_api import sync_playwright

    if outdir is not None:
        outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="uvp-nb-") as root:
        shutil.copy(NOTEBOOK, Path(root, NOTEBOOK.name))
        with jupyter_lab(Path(root)) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            try:
                context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
                context.grant_permissions(["clipboard-read", "clipboard-write"])
                page = context.new_page()
                page.goto(url)
                return walk(page, outdir)
            finally:
                browser.close()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    outdir = Path(args[0]) if args else Path("screenshots")
    for path in capture(outdir).shots:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
