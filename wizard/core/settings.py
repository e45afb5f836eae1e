"""Small, non-secret facts remembered between runs: the last-used Plivo Auth ID, and the Auth
IDs whose token we stored (a keyring cannot be listed, so `logout` needs them to clean up).

The file lives under the user config dir. A missing, unreadable or corrupt file reads as the
defaults: remembering an Auth ID is a convenience and must never stop the wizard.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "ultravox-plivo"
SETTINGS_FILE = "settings.json"

log = logging.getLogger(__name__)


@dataclass
class Settings:
    """What we remember between runs. Never holds a secret."""

    last_auth_id: str | None = None
    stored_auth_ids: list[str] = field(default_factory=list)


def default_settings_path() -> Path:
    """`<user config dir>/ultravox-plivo/settings.json` (platformdirs decides the dir)."""
    return Path(platformdirs.user_config_dir(APP_NAME)) / SETTINGS_FILE


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings; anything missing, unreadable or malformed reads as the default."""
    path = path or default_settings_path()
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        log.debug("ignoring unreadable settings file %s (%s)", path, type(exc).__name__)
        return Settings()
    if not isinstance(data, dict):
        return Settings()
    auth_id = data.get("last_auth_id")
    stored = data.get("stored_auth_ids")
    return Settings(
        last_auth_id=auth_id if isinstance(auth_id, str) and auth_id else None,
        stored_auth_ids=(
            [i for i in stored if isinstance(i, str) and i] if isinstance(stored, list) else []
        ),
    )


def save_settings(settings: Settings, path: Path | None = None) -> bool:
    """Write the settings atomically; returns False (and logs) when the file cannot be written."""
    path = path or default_settings_path()
    try:
        write_json_atomically(path, asdict(settings))
    except OSError as exc:
        log.debug("could not write settings file %s (%s)", path, type(exc).__name__)
        return False
    return True


def note_stored_auth_id(auth_id: str, path: Path | None = None) -> None:
    """Remember that a token for `auth_id` was stored (so `logout` can remove it later)."""
    settings = load_settings(path)
    if auth_id not in settings.stored_auth_ids:
        settings.stored_auth_ids.append(auth_id)
        save_settings(settings, path)


def forget_stored_auth_ids(auth_ids: list[str], path: Path | None = None) -> None:
    """Drop Auth IDs whose tokens were removed."""
    settings = load_settings(path)
    kept = [i for i in settings.stored_auth_ids if i not in auth_ids]
    if kept != settings.stored_auth_ids:
        settings.stored_auth_ids = kept
        save_settings(settings, path)


def write_json_atomically(path: Path, data: object, *, mode: int = 0o600) -> None:
    """Write `data` as JSON to `path` so readers see the old file or the new one, never half.

    The temporary file is created with `mode` from the start (os.open), so a private file is
    never readable by others, not even for a moment. Parent dirs are created 0700.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never follow or reuse a file someone else put there.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
