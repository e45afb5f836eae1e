"""Where the Ultravox API key and Plivo Auth Tokens live between runs.

Each secret resolves from the environment first, then from the store; when neither has it the
caller asks. The store is the system keyring when it is a secure one. Otherwise secrets are
kept in memory for the session only, unless the user asked for `--insecure-storage` (a 0600
JSON file under the user data dir): a secret is never written in plaintext silently.
"""

from wizard.core.credentials.backends import (
    BackendInfo,
    BackendKind,
    MemoryKeyring,
    classify_backend,
)
from wizard.core.credentials.store import (
    API_KEY_USER,
    CREDENTIALS_FILE,
    DEFAULT_TIMEOUT,
    SERVICE,
    CredentialStore,
    ResolvedSecret,
    SecretSource,
    plivo_user,
)
from wizard.core.environment import ENV_API_KEY, ENV_PLIVO_TOKEN

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
