"""Keep keyring from loading backends that cannot apply on this platform.

keyring imports every backend it ships to ask each one its priority. Its macOS backend loads
`keyring.backends.macOS.api`, which calls `ctypes.util.find_library` three times at import: on
Linux that runs `ldconfig`, `gcc` and `ld` (about 40 child processes, 40-75 ms, more on a cold
disk, inside the keyring timeout) for libraries that cannot exist there. Off macOS that backend
says "macOS required" before it looks at `api` at all, so marking `api` as absent changes
nothing about which backend is chosen (tests/core/test_keyring_platform.py checks this).
"""

from __future__ import annotations

import sys

MACOS_API = "keyring.backends.macOS.api"


def skip_foreign_backends() -> None:
    """Off macOS, mark the macOS backend's ctypes bindings as absent before keyring loads."""
    if sys.platform != "darwin" and MACOS_API not in sys.modules:
        sys.modules[MACOS_API] = None  # type: ignore[assignment]  # import raises ImportError
