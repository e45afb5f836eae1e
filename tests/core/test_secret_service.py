"""The credential store against a real Secret Service: gnome-keyring under a private D-Bus.

The child process gets its own HOME, XDG dirs and session bus, so the test keyring lives in
tmp and the developer's own keyring is never touched. Secrets go to the child on stdin, never
in its arguments; the child reports only booleans and names.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
NEEDED = ("dbus-run-session", "gnome-keyring-daemon")

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in NEEDED),
    reason="gnome-keyring-daemon and dbus-run-session are not installed"
    " (.ci/run installs them: apt-get install gnome-keyring dbus)",
)

# Unlock (creating it on first use) the login keyring with a throwaway password, then run the
# child in the same session bus. `--unlock` reads the password from stdin and daemonizes.
SESSION_SCRIPT = (
    "printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 90;"
    ' exec "$@"'
)

CHILD = r"""
import json, os, sys
from pathlib import Path

from keyring.backends.SecretService import Keyring
from pydantic import SecretStr

from wizard.core.credentials import CredentialStore

given = json.loads(sys.stdin.read())
home = Path(os.environ["HOME"])
keyrings = Path(os.environ["XDG_DATA_HOME"]) / "keyrings"


def leaks():
    # Every file under HOME but the keyring's own store must be free of the secrets.
    found = []
    for path in home.rglob("*"):
        if path.is_file() and keyrings not in path.parents:
            data = path.read_bytes()
            if any(s.encode() in data for s in (given["api_key"], given["token"])):
                found.append(str(path))
    return found


def value(resolved):
    return None if resolved is None else resolved.value.get_secret_value()


report = {}
store = CredentialStore(Keyring(), environ={}, data_dir=home / "data")
report["kind"] = store.info.kind.value
report["persistent"] = store.persistent
report["where"] = store.where()
report["saved_to"] = [
    store.save_api_key(SecretStr(given["api_key"])),
    store.save_plivo_token(given["auth_id"], SecretStr(given["token"])),
]
api, token = store.api_key(), store.plivo_token(given["auth_id"])
report["api_ok"] = value(api) == given["api_key"]
report["token_ok"] = value(token) == given["token"]
report["sources"] = [api.source.value, token.source.value, api.detail]
report["other_auth_id_empty"] = store.plivo_token("SA" + "0" * 18) is None

# The next run: keyring detection on its own picks the Secret Service and finds the secrets.
detected = CredentialStore(environ={}, data_dir=home / "data")
report["detected_kind"] = detected.info.kind.value
report["detected_api_ok"] = value(detected.api_key()) == given["api_key"]
report["leaks_while_stored"] = leaks()

report["deleted"] = [
    store.delete_api_key(),
    store.delete_plivo_token(given["auth_id"]),
    store.delete_api_key(),
]
report["gone"] = [store.api_key() is None, store.plivo_token(given["auth_id"]) is None]
print(json.dumps(report))
"""


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


@pytest.mark.timeout(90)
def test_secret_service_round_trip(tmp_path: Path) -> None:
    alnum = string.ascii_letters + string.digits
    given = {
        "api_key": f"{_random(alnum, 8)}.{_random(alnum, 32)}",
        "token": _random(alnum + "_-", 40),
        "auth_id": "MA" + _random(string.ascii_uppercase + string.digits, 18),
    }
    home = tmp_path / "home"
    runtime = tmp_path / "run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    child = tmp_path / "child.py"
    child.write_text(CHILD)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DBUS_", "XDG_", "KEYRING_", "PYTHON_KEYRING"))
        and key not in ("ULTRAVOX_API_KEY", "PLIVO_AUTH_TOKEN")
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_RUNTIME_DIR=str(runtime),
        PYTHONPATH=str(REPO_ROOT),
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", SESSION_SCRIPT, "sh", sys.executable, str(child)],
        input=json.dumps(given),
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    for secret in (given["api_key"], given["token"]):
        assert secret not in result.stdout
        assert secret not in result.stderr
    assert result.returncode == 0, f"child failed ({result.returncode}):\n{result.stderr}"
    report = json.loads(result.stdout.strip().splitlines()[-1])

    assert report["kind"] == "secure"
    assert report["persistent"] is True
    assert "Secret Service" in report["where"]
    assert report["saved_to"] == ["Secret Service", "Secret Service"]
    assert report["api_ok"] and report["token_ok"]
    assert report["sources"] == ["keyring", "keyring", "Secret Service"]
    assert report["other_auth_id_empty"]
    assert report["detected_kind"] == "secure"
    assert report["detected_api_ok"]
    assert report["leaks_while_stored"] == []
    assert report["deleted"] == [True, True, False]
    assert report["gone"] == [True, True]

    # Canary, after the fact: no file under HOME but the keyring's own holds a secret.
    keyrings = home / ".local" / "share" / "keyrings"
    assert any(keyrings.iterdir()), "gnome-keyring did not keep its store under the tmp HOME"
    for path in tmp_path.rglob("*"):
        if path.is_file() and keyrings not in path.parents and path != child:
            data = path.read_bytes()
            assert given["api_key"].encode() not in data, path
            assert given["token"].encode() not in data, path
