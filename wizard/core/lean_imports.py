"""Keep two libraries from importing what this program never uses (every command pays for it).

- keyring imports every backend it ships to ask each its priority. Its macOS backend loads
  `keyring.backends.macOS.api`, which calls `ctypes.util.find_library` three times at import:
  on Linux that runs `ldconfig`, `gcc` and `ld` (about 40 child processes, 40-75 ms, more on a
  cold disk, inside the keyring timeout). Off macOS that backend says "macOS required" before it
  looks at `api`, so marking `api` absent changes nothing about which backend is chosen
  (tests/core/test_lean_imports.py checks it with and without a Secret Service).
- httpx imports its own command line (`httpx._main`: click, rich, pygments) whenever click is
  installed, inside `try: ... except ImportError`, and falls back to a stub `httpx.main`. We
  never call it; loading it cost about 55-130 ms per command here.

`None` in `sys.modules` makes `import name` raise ImportError, as if the module did not exist.
"""

from __future__ import annotations

import sys

MACOS_API = "keyring.backends.macOS.api"
HTTPX_CLI = "httpx._main"


def _mark_absent(name: str) -> None:
    if name not in sys.modules:
        sys.modules[name] = None  # type: ignore[assignment]


def skip_unused_imports() -> None:
    """Mark the modules above absent before keyring or httpx is first imported."""
    if sys.platform != "darwin":
        _mark_absent(MACOS_API)
    _mark_absent(HTTPX_CLI)
