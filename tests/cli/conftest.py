"""Helpers for the CLI tests: run `python -m wizard` as a subprocess with a private HOME.

HOME and the XDG dirs point into tmp_path and the keyring is the null backend, so nothing
here can read or write the real keychain, config or data dirs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import keyring
import pytest
from keyring.backends import null

from wizard.sandbox import DEMO_API_KEY, Sandbox

REPO = Path(__file__).resolve().parents[2]
_DROPPED = ("ULTRAVOX_", "PLIVO_", "PYTHON_KEYRING", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")


def private_env(home: Path, pycache: Path | None = None) -> dict[str, str]:
    """The test process's environment minus our variables, with HOME etc. in `home`.

    With `pycache`, children share compiled bytecode there (even when the caller's
    environment says PYTHONDONTWRITEBYTECODE): each run would otherwise recompile
    pydantic and httpx, about a second per subprocess.
    """
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith(_DROPPED)}
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        PYTHONPATH=str(REPO),
        NO_COLOR="1",
    )
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return env


@dataclass
class Cli:
    """Runs the CLI against `sandbox`; `env` is the child's environment (edit freely)."""

    sandbox: Sandbox
    home: Path
    env: dict[str, str]
    outputs: list[str] = field(default_factory=list)

    @property
    def base_args(self) -> list[str]:
        url = self.sandbox.base_url
        return ["--api-base", url, "--plivo-api-base", url]

    def argv(self, *args: str, base: bool = True) -> list[str]:
        # Global options go after the subcommand: that placement is under test too.
        return [sys.executable, "-m", "wizard", *args, *(self.base_args if base else [])]

    def run(
        self,
        *args: str,
        stdin: str = "",
        env: dict[str, str] | None = None,
        base: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run to completion with a non-TTY stdin holding `stdin`."""
        proc = subprocess.run(
            self.argv(*args, base=base),
            input=stdin,
            capture_output=True,
            text=True,
            env={**self.env, **(env or {})},
            cwd=self.home,
            timeout=60,
            check=False,
        )
        self.outputs += [proc.stdout, proc.stderr]
        return proc

    def writes(self) -> list[tuple[str, str]]:
        """(method, path) of every write the sandbox received."""
        return [(r.method, r.path) for r in self.sandbox.requests if r.method != "GET"]

    def data_dir(self) -> Path:
        return self.home / "data" / "ultravox-plivo"


@pytest.fixture(scope="session")
def pycache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pycache")


@pytest.fixture
def cli(sandbox: Sandbox, tmp_path: Path, pycache: Path) -> Cli:
    env = private_env(tmp_path / "home", pycache)
    (tmp_path / "home").mkdir()
    env["ULTRAVOX_API_KEY"] = DEMO_API_KEY
    return Cli(sandbox=sandbox, home=tmp_path / "home", env=env)


@pytest.fixture
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """For in-process `main([...])`: private dirs, no env secrets, the null keyring."""
    for name in list(os.environ):
        if name.upper().startswith(_DROPPED):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(keyring, "get_keyring", null.Keyring)
    yield tmp_path
