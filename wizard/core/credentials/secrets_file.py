"""The `--insecure-storage` file: secrets as JSON, 0600, replaced atomically on every write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from wizard.core.errors import CredentialStoreError
from wizard.core.settings import write_json_atomically

_FIX = "Fix or delete it, then try again."


class SecretsFile:
    """Keyring user name -> secret, for one service, in a file only its owner can read."""

    def __init__(self, path: Path, service: str) -> None:
        self.path = path
        self.service = service

    def read(self) -> dict[str, str]:
        """The stored secrets ({} when there is no file); CredentialStoreError if unreadable."""
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
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
        try:
            write_json_atomically(self.path, {"service": self.service, "secrets": secrets})
        except OSError as exc:
            raise CredentialStoreError(
                f"Could not write the credentials file {self.path} ({exc.strerror}).",
                hint="Check the directory's permissions, or keep secrets for this session only.",
            ) from None

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
