"""The notebook face in a real JupyterLab (127.0.0.1, random port, token) in Debian's Chromium
driven by Playwright: open the example notebook, run it, type the demo values, walk to Result,
read the prefix and the answer URLs from the page. The same walk makes the README's PNGs."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("jupyterlab")
pytest.importorskip("playwright")

from wizard.notebook_screenshots import CHROMIUM, capture
from wizard.sandbox import DEMO_AUTH_TOKEN
from wizard.sandbox.state import SandboxState


def chromium_problem() -> str | None:
    """Why Chromium cannot run here (None: it can)."""
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} is not installed (Debian: apt-get install chromium; .ci/run does)"
    try:
        subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "about:blank"],
            capture_output=True,
            timeout=60,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"{CHROMIUM} does not start headless here ({type(exc).__name__})"
    return None


@pytest.mark.timeout(300)
def test_jupyterlab_in_chromium_walks_to_result(tmp_path: Path) -> None:
    problem = chromium_problem()
    if problem:
        pytest.skip(problem)
    walk = capture(tmp_path)
    agents = [str(agent["agentId"]) for agent in SandboxState().agents[:2]]
    assert walk.prefix == DEMO_AUTH_TOKEN[:6]
    assert walk.urls == [
        f"https://app.ultravox.ai/api/agents/{agent}/telephony_xml" for agent in agents
    ]
    assert walk.copied == "\n".join(walk.urls)  # the Copy button put them on the clipboard
    names = sorted(path.name for path in walk.shots)
    assert names[3] == "notebook-4-mapping.png" and names[5] == "notebook-6-result.png"
    assert all(path.stat().st_size > 5_000 for path in walk.shots)
