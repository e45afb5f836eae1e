"""Issue 8: the `--insecure-storage` file on paths that already exist. What we own is
tightened (and said), what we do not own or cannot tighten is refused, and a file others
could read is never read without a warning."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from wizard.core.credentials.secrets_file import SecretsFile
from wizard.core.errors import CredentialStoreError

SECRET = "Zk9Ht7Lm.wX7pN9fM3kLj6tRq2bGhA8yE5cZvD4sT"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_an_open_data_dir_is_tightened_and_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="wizard"):
        SecretsFile(folder / "credentials.json", "svc").set("ultravox-api-key", SECRET)
    assert mode(folder) == 0o700
    assert mode(folder / "credentials.json") == 0o600
    assert "made it private (0700)" in caplog.text
    assert SECRET not in caplog.text


def test_a_readable_credentials_file_is_read_with_a_warning_and_tightened(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    path = folder / "credentials.json"
    SecretsFile(path, "svc").set("ultravox-api-key", SECRET)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="wizard"):
        assert SecretsFile(path, "svc").get("ultravox-api-key") == SECRET
    assert "could be read by others (0644)" in caplog.text
    assert "may have been seen" in caplog.text
    assert mode(path) == 0o600
    assert SECRET not in caplog.text


def test_a_symlinked_data_dir_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "open"
    target.mkdir()
    target.chmod(0o777)
    link = tmp_path / "data"
    link.symlink_to(target)
    secrets = SecretsFile(link / "credentials.json", "svc")
    with pytest.raises(CredentialStoreError, match="symbolic link"):
        secrets.set("ultravox-api-key", SECRET)
    with pytest.raises(CredentialStoreError, match="symbolic link"):
        secrets.get("ultravox-api-key")
    assert list(target.iterdir()) == []
    assert mode(target) == 0o777  # not ours to change through a link


def test_a_symlinked_credentials_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text('{"secrets": {}}')
    (folder / "credentials.json").symlink_to(elsewhere)
    with pytest.raises(CredentialStoreError) as caught:
        SecretsFile(folder / "credentials.json", "svc").get("ultravox-api-key")
    assert "credentials file" in str(caught.value)


def test_a_dir_of_another_user_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(os, "getuid", lambda: os.lstat(folder).st_uid + 1)
    with pytest.raises(CredentialStoreError, match="belongs to another user"):
        SecretsFile(folder / "credentials.json", "svc").set("ultravox-api-key", SECRET)


def test_a_dir_that_cannot_be_tightened_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o775)

    def refuse(path: object, mode: int, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    with pytest.raises(CredentialStoreError, match="could not be made private"):
        SecretsFile(folder / "credentials.json", "svc").set("ultravox-api-key", SECRET)
    assert not (folder / "credentials.json").exists()
