"""Which keyring backends keep secrets safe: secure, insecure (a file), or none at all."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from enum import StrEnum

from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend
from keyring.errors import PasswordDeleteError


class BackendKind(StrEnum):
    SECURE = "secure"
    INSECURE = "insecure"
    NONE = "none"


@dataclass(frozen=True)
class BackendInfo:
    """What a keyring backend is (`name`, for people) and why we will or won't use it."""

    kind: BackendKind
    name: str
    reason: str
    cause: str = ""
    """Why secrets cannot be kept between runs, as a bare clause ("" for a secure backend)."""


class MemoryKeyring(KeyringBackend):
    """Secrets in a dict for the life of the process: `--demo` and tests.

    `label` finishes the sentence "kept in memory for ... only" (e.g. "this demo"). It is not
    viable, so keyring never picks it as the system backend by itself.
    """

    priority = -1
    viable = False

    def __init__(self, label: str = "this session") -> None:
        super().__init__()
        self.label = label
        self._items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._items.pop((service, username), None) is None:
            raise PasswordDeleteError("No such secret.")

    def items(self) -> list[tuple[str, str]]:
        """(service, user) of every secret held (names only, never values)."""
        return list(self._items)


# (module, class) of the backends that keep secrets encrypted; matched along the MRO.
_SECURE_BACKENDS = {
    ("keyring.backends.macOS", "Keyring"): "macOS Keychain",
    ("keyring.backends.SecretService", "Keyring"): "Secret Service",
    ("keyring.backends.libsecret", "Keyring"): "Secret Service (libsecret)",
    ("keyring.backends.Windows", "WinVaultKeyring"): "Windows Credential Locker",
    ("keyring.backends.kwallet", "DBusKeyring"): "KWallet",
    ("keyring.backends.kwallet", "DBusKeyringKWallet4"): "KWallet",
}
_RANK = {BackendKind.SECURE: 2, BackendKind.INSECURE: 1, BackendKind.NONE: 0}
_SESSION_ONLY = "secrets will be kept for this session only."
_FILE_HINT = "Use --insecure-storage to keep them in a file readable only by you."
_NO_SERVICE = (
    "No keyring service is running (no D-Bus session or Secret Service)"
    if sys.platform.startswith("linux")
    else "No keyring service is available"
)


def _class_path(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def no_keyring(why: str) -> BackendInfo:
    return BackendInfo(BackendKind.NONE, "none", f"{why}; {_SESSION_ONLY} {_FILE_HINT}", why)


def classify_backend(backend: KeyringBackend) -> BackendInfo:
    """Secure, insecure or none, with a display name and a plain sentence saying why."""
    return choose_backend(backend)[0]


def choose_backend(backend: KeyringBackend) -> tuple[BackendInfo, KeyringBackend]:
    """The classification, and the backend to talk to (a chainer's best inner backend)."""
    if isinstance(backend, MemoryKeyring):
        reason = f"Secrets are kept in memory for {backend.label} only; nothing is written."
        cause = f"Secrets are kept in memory for {backend.label} only"
        return BackendInfo(BackendKind.NONE, "memory", reason, cause), backend
    if isinstance(backend, ChainerBackend):
        # Use the best inner backend directly: the chainer itself would write to whichever
        # backend has the highest priority, which may be a plaintext one.
        inner = [choose_backend(b) for b in backend.backends]
        if not inner:
            return no_keyring(_NO_SERVICE), backend
        return max(inner, key=lambda pair: _RANK[pair[0].kind])  # max keeps the first of ties
    for klass in type(backend).__mro__:
        label = _SECURE_BACKENDS.get((klass.__module__, klass.__name__))
        if label:
            reason = f"{label} keeps secrets encrypted, readable only by you."
            return BackendInfo(BackendKind.SECURE, label, reason), backend
    path = _class_path(backend)
    module, cls_name = type(backend).__module__, type(backend).__name__
    if (
        module == "keyrings.alt"
        or module.startswith("keyrings.alt.")
        or ("plaintext" in cls_name.lower())
    ):
        why = f"The configured keyring ({path}) keeps secrets in a file, not a system keyring"
        reason = f"{why}, so {_SESSION_ONLY} {_FILE_HINT}"
        info = BackendInfo(BackendKind.INSECURE, path, reason, why)
    elif isinstance(backend, fail.Keyring):
        info = no_keyring(_NO_SERVICE)
    elif isinstance(backend, null.Keyring):
        info = no_keyring("The keyring is switched off (null backend)")
    else:
        why = f"The configured keyring ({path}) is not one known to encrypt secrets"
        reason = f"{why}, so {_SESSION_ONLY} {_FILE_HINT}"
        info = BackendInfo(BackendKind.INSECURE, path, reason, why)
    return info, backend
