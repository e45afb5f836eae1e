"""`--help` stays cheap: it must not import textual, httpx or pydantic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import private_env

HEAVY = ("textual", "httpx", "pydantic")


def imported_modules(args: list[str], home: Path, pycache: Path) -> tuple[set[str], str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "wizard", *args],
        capture_output=True,
        text=True,
        env=private_env(home, pycache),
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = set()
    for line in proc.stderr.splitlines():
        # "import time:   self [us] | cumulative | imported package"
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
    return modules, proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["apply", "--help"],
        ["numbers", "--help"],
        ["link", "--help"],
        ["sandbox", "-h"],
        ["serve", "--help"],
    ],
)
def test_help_imports_no_heavy_modules(args: list[str], tmp_path: Path, pycache: Path) -> None:
    modules, stdout = imported_modules(args, tmp_path, pycache)
    assert "wizard.cli" in modules  # the parse worked: this is really the CLI's import list
    assert "usage: ultravox-plivo" in stdout
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert heavy == []
