"""The `--insecure-storage` file: secrets as JSON, 0600, replaced atomically on every write.

Paths that already exist are not trusted as they are: a data directory we own is tightened to
0700 and a credentials file to 0600 (and we say so, through the `wizard` logger's warnings);
a directory that is a symbolic link, belongs to someone else or cannot be tightened is refused;
a file others could read is read only after a warning that its secrets may have been seen.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

from wizard.core.errors import CredentialStoreError
from wizard.core.settings import write_json_atomically

_FIX = "Fix or delete it, then try again."
_PRIVATE_DIR = "Use a directory of your own that only you can read, or keep secrets in a keyring."

logger = logging.getLogger("wizard.credentials")


class SecretsFile:
    """Keyring user name -> secret, for one service, in a file only its owner can read."""

    def __init__(self, path: Path, service: str) -> None:
        self.path = path
        self.service = service

    def read(self) -> dict[str, str]:
        """The stored secrets ({} when there is no file); CredentialStoreError if unreadable."""
        if not self._secure_dir(create=False):
            return {}
        try:
            data: Any = json.loads(self._read_private_file())
        except FileNotFoundError:
            return {}
        except CredentialStoreError:
            raise
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise CredentialStoreError(
                f"Could not read the credentials file {self.path} ({type(exc).__name__}).",
                hint=_FIX,
            ) from None
        secrets = data.get("secrets") if isinstance(data, dict) else None
        if not isinstance(secrets, dict):
            raise CredentialStoreError(
                f"The credentials file {self.path} is not in the expected format.", hint=_FIX
            )
        return {k: v for k, v in secrets.items() if isinstance(k, str) and isinstance(v, str)}

    def write(self, secrets: dict[str, str]) -> None:
        """Replace the file's content (created 0600, dir 0700)."""
        self._secure_dir(create=True)
        try:
            write_json_atomically(self.path, {"service": self.service, "secrets": secrets})
        except OSError as exc:
            raise CredentialStoreError(
                f"Could not write the credentials file {self.path} ({exc.strerror}).",
                hint="Check the directory's permissions, or keep secrets for this session only.",
            ) from None

    def _secure_dir(self, *, create: bool) -> bool:
        """Make sure the data dir is a private directory of ours; False if it does not exist
        (and `create` is off). Tightens what we own, refuses what we do not."""
        folder = self.path.parent
        try:
            info = os.lstat(folder)
        except FileNotFoundError:
            if create:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)
                return True
            return False
        except OSError as exc:
            raise CredentialStoreError(
                f"Cannot check the data directory {folder} ({exc.strerror}).", hint=_PRIVATE_DIR
            ) from None
        if stat.S_ISLNK(info.st_mode):
            raise CredentialStoreError(
                f"The data directory {folder} is a symbolic link; secrets are not kept"
                " where a link may lead.",
                hint="Replace the link with a directory of your own.",
            )
        if not stat.S_ISDIR(info.st_mode):
            raise CredentialStoreError(
                f"{folder} is not a directory, so the credentials file cannot go in it.",
                hint=_FIX,
            )
        if _foreign(info):
            raise CredentialStoreError(
                f"The data directory {folder} belongs to another user.", hint=_PRIVATE_DIR
            )
        if info.st_mode & 0o077:
            try:
                os.chmod(folder, 0o700)
            except OSError as exc:
                raise CredentialStoreError(
                    f"The data directory {folder} can be read by others"
                    f" ({_mode(info)}) and could not be made private ({exc.strerror}).",
                    hint=_PRIVATE_DIR,
                ) from None
            logger.warning(
                "The data directory %s could be read by others (%s); made it private (0700).",
                folder,
                _mode(info),
            )
        return True

    def _read_private_file(self) -> str:
        """The file's text, opened without following a link; a file others could read is
        tightened to 0600 with a warning that its secrets may have been read already."""
        fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise CredentialStoreError(f"{self.path} is not a regular file.", hint=_FIX)
            if _foreign(info):
                raise CredentialStoreError(
                    f"The credentials file {self.path} belongs to another user; not reading it.",
                    hint=_FIX,
                )
            if info.st_mode & 0o077:
                try:
                    os.fchmod(fd, 0o600)
                except OSError as exc:
                    raise CredentialStoreError(
                        f"The credentials file {self.path} can be read by others and could"
                        f" not be made private ({exc.strerror}).",
                        hint=_FIX,
                    ) from None
                # Said only once it is true.
                logger.warning(
                    "The credentials file %s could be read by others (%s): the secrets in it"
                    " may have been seen; consider replacing them. Made it private (0600).",
                    self.path,
                    _mode(info),
                )
            return handle.read(1_000_000).decode("utf-8")

    def set(self, user: str, secret: str) -> None:
        secrets = self.read()
        secrets[user] = secret
        self.write(secrets)

    def get(self, user: str) -> str | None:
        return self.read().get(user)

    def delete(self, user: str) -> bool:
        """Remove one secret; False when it was not there."""
        secrets = self.read()
        if secrets.pop(user, None) is None:
            return False
        self.write(secrets)
        return True


def _foreign(info: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    return getuid is not None and info.st_uid != getuid()


def _mode(info: os.stat_result) -> str:
    return f"{stat.S_IMODE(info.st_mode):04o}"
