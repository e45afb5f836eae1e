"""The settings file: round trip, defaults, and tolerance of whatever is on disk."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import platformdirs
import pytest

from wizard.core.settings import (
    Settings,
    default_settings_path,
    load_settings,
    save_settings,
    write_json_atomically,
)

AUTH_ID = "MAXXXXXXXXXXXXXXXXX1"


def test_round_trip_creates_the_directory(tmp_path: Path) -> None:
    path = tmp_path / "config" / "ultravox-plivo" / "settings.json"
    assert save_settings(Settings(last_auth_id=AUTH_ID), path) is True
    assert load_settings(path) == Settings(last_auth_id=AUTH_ID)
    assert json.loads(path.read_text()) == {"last_auth_id": AUTH_ID, "stored_auth_ids": []}
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left


def test_overwrite_and_forget(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(Settings(last_auth_id=AUTH_ID), path)
    save_settings(Settings(), path)
    assert load_settings(path) == Settings(last_auth_id=None)


def test_missing_file_reads_as_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "nope.json") == Settings()


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00garbage",
        b'["a", "list"]',
        b'"a string"',
        b'{"last_auth_id": 42}',
        b'{"last_auth_id": ""}',
        b'{"last_auth_id": null}',
    ],
)
def test_corrupt_file_reads_as_defaults(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    assert load_settings(path) == Settings()


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"last_auth_id": AUTH_ID, "from_the_future": True}))
    assert load_settings(path) == Settings(last_auth_id=AUTH_ID)


def test_a_directory_in_the_way_reads_as_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.mkdir()
    assert load_settings(path) == Settings()


def test_unwritable_location_returns_false(tmp_path: Path) -> None:
    blocker = tmp_path / "config"
    blocker.write_text("a file where the directory should be")
    assert save_settings(Settings(last_auth_id=AUTH_ID), blocker / "settings.json") is False


def test_default_path_is_under_the_user_config_dir() -> None:
    expected = Path(platformdirs.user_config_dir("ultravox-plivo")) / "settings.json"
    assert default_settings_path() == expected


def test_default_path_is_used_when_none_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cfg" / "settings.json"
    monkeypatch.setattr("wizard.core.settings.default_settings_path", lambda: path)
    assert save_settings(Settings(last_auth_id=AUTH_ID)) is True
    assert path.exists()
    assert load_settings() == Settings(last_auth_id=AUTH_ID)


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_atomic_write_uses_the_mode_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "private" / "file.json"
    write_json_atomically(path, {"a": 1})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    umask = os.umask(0o022)
    try:
        write_json_atomically(path, {"a": 2}, mode=0o640)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert json.loads(path.read_text()) == {"a": 2}


def test_stored_auth_ids_are_remembered_and_forgotten(tmp_path: Path) -> None:
    from wizard.core.settings import forget_stored_auth_ids, note_stored_auth_id

    path = tmp_path / "settings.json"
    note_stored_auth_id(AUTH_ID, path)
    note_stored_auth_id("SA" + "Z" * 18, path)
    note_stored_auth_id(AUTH_ID, path)
    assert load_settings(path).stored_auth_ids == [AUTH_ID, "SA" + "Z" * 18]
    forget_stored_auth_ids([AUTH_ID], path)
    assert load_settings(path).stored_auth_ids == ["SA" + "Z" * 18]
    path.write_text('{"stored_auth_ids": [1, "", null, "MA1"]}')
    assert load_settings(path).stored_auth_ids == ["MA1"]
