"""The imports wizard.core leaves out (wizard/core/lean_imports.py) change nothing: the keyring
backend chosen is the same with and without a Secret Service; httpx works without its CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import sys
API = "keyring.backends.macOS.api"
if {skip}:
    import wizard.core  # marks keyring.backends.macOS.api as absent
import keyring
from keyring.backends import SecretService
if {service}:
    SecretService.Keyring.priority = 5  # as with a Secret Service running
keyring.core._keyring_backend = None
print(type(keyring.get_keyring()).__module__,
      type(keyring.get_keyring()).__name__,
      "marked" if sys.modules.get(API, 0) is None else "tried")
"""


def _chosen(skip: bool, service: bool, home: Path) -> list[str]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(home / "cfg")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(skip=skip, service=service)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    return out.stdout.split()


@pytest.mark.skipif(sys.platform == "darwin", reason="the skip applies off macOS only")
@pytest.mark.parametrize("service", [False, True])
def test_the_chosen_backend_is_the_same_with_the_skip(service: bool, tmp_path: Path) -> None:
    plain = _chosen(skip=False, service=service, home=tmp_path)
    skipped = _chosen(skip=True, service=service, home=tmp_path)
    assert plain[:2] == skipped[:2]
    assert plain[:2] == (
        ["keyring.backends.SecretService", "Keyring"]
        if service
        else ["keyring.backends.fail", "Keyring"]
    )
    assert plain[2] == "tried" and skipped[2] == "marked"  # the skip did skip


def test_httpx_without_its_command_line_is_whole() -> None:
    """httpx guards `from ._main import main` with `except ImportError` (checked in its source,
    so a change there shows here) and works without it; we mark `_main` absent."""
    import inspect

    import httpx

    import wizard.core  # noqa: F401

    source = inspect.getsource(httpx)
    assert "from ._main import main" in source and "except ImportError" in source
    probe = "import wizard.core, httpx, sys; print(sys.modules.get('httpx._main', 0) is None)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
    assert httpx.Request("GET", "http://127.0.0.1/").url.host == "127.0.0.1"
