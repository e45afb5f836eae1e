"""Everything that is not presentation and not session state (see docs/architecture.md)."""

from wizard.core.lean_imports import skip_unused_imports

skip_unused_imports()  # before any module here imports keyring or httpx
