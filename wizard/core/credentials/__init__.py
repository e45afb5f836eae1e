"""Where the Ultravox API key and Plivo Auth Tokens live between runs.

Each secret resolves from the environment first, then from the store; when neither has it the
caller asks. The store is the system keyring when it is a secure one. Otherwise secrets are
kept in memory for the session only, unless the user asked for `--insecure-storage` (a 0600
JSON file under the user data dir): a secret is never written in plaintext silently.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from wizard.core.credentials.resolved import (
    API_KEY_USER,
    SERVICE,
    ResolvedSecret,
    SecretSource,
    plivo_user,
)
from wizard.core.environment import ENV_API_KEY, ENV_PLIVO_TOKEN

if TYPE_CHECKING:
    from wizard.core.credentials.backends import (
        BackendInfo,
        BackendKind,
        MemoryKeyring,
        classify_backend,
    )
    from wizard.core.credentials.store import CREDENTIALS_FILE, DEFAULT_TIMEOUT, CredentialStore

# Names whose modules import keyring: loaded on first use, so naming a secret's source (the
# session, before the wizard's first frame) does not cost keyring's import.
_LAZY = {
    "BackendInfo": "backends",
    "BackendKind": "backends",
    "MemoryKeyring": "backends",
    "classify_backend": "backends",
    "CREDENTIALS_FILE": "store",
    "DEFAULT_TIMEOUT": "store",
    "CredentialStore": "store",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "API_KEY_USER",
    "CREDENTIALS_FILE",
    "DEFAULT_TIMEOUT",
    "ENV_API_KEY",
    "ENV_PLIVO_TOKEN",
    "SERVICE",
    "BackendInfo",
    "BackendKind",
    "CredentialStore",
    "MemoryKeyring",
    "ResolvedSecret",
    "SecretSource",
    "classify_backend",
    "plivo_user",
]
