"""The README's picture of `serve`: `python -m wizard.serve.screenshot [DIR]`.

Serves the demo wizard on a free loopback port, walks it to Result in Debian's Chromium
(Playwright, a dev dependency) and saves `DIR/serve-result.png`. Made by this script, never by
hand, so it cannot drift from the app.
"""

from __future__ import annotations

import sys
from pathlib import Path

from wizard.serve.browser import CHROMIUM, WizardPage, served_in_thread, walk_to_result
from wizard.serve.options import ServeOptions


def capture(outdir: Path) -> Path:
    from playwright.sync_api import sync_playwright

    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / "serve-result.png"
    with served_in_thread(ServeOptions(demo=True, port=0)) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 640})
            wizard = WizardPage(page)
            wizard.open(server.url)
            walk_to_result(wizard)
            page.wait_for_timeout(500)  # the last frame's fade-in
            page.screenshot(path=str(path))
        finally:
            browser.close()
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    print(capture(Path(args[0]) if args else Path("screenshots")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
