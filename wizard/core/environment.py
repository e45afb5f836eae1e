"""The environment variables the tool reads, and the services' default addresses: one place.

Secrets (`ULTRAVOX_API_KEY`, `PLIVO_AUTH_TOKEN`) are read by the credential store, everything
else by the run context (`wizard.flow.context`). Nothing else reads `os.environ` for these.
"""

from __future__ import annotations

from typing import Final

ENV_API_KEY: Final = "ULTRAVOX_API_KEY"
ENV_API_BASE: Final = "ULTRAVOX_API_BASE"
ENV_AUTH_ID: Final = "PLIVO_AUTH_ID"
ENV_PLIVO_TOKEN: Final = "PLIVO_AUTH_TOKEN"  # noqa: S105 (a variable name)
ENV_PLIVO_API_BASE: Final = "PLIVO_API_BASE"

DEFAULT_ULTRAVOX_API_BASE: Final = "https://api.ultravox.ai"
DEFAULT_PLIVO_API_BASE: Final = "https://api.plivo.com"
