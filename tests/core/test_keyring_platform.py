"""Skipping the macOS backend's ctypes bindings off macOS changes which backend keyring picks in
no case: with no Secret Service (the fail backend) and with one (Secret Service at priority 5)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import sys
API = "keyring.backends.macOS.api"
if {skip}:
    import wizard.core.credentials  # marks keyring.backends.macOS.api as absent
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
