"""The built-in fake of the Ultravox and Plivo endpoints: a real HTTP server on loopback.

Used by `--demo`, by `ultravox-plivo sandbox` and by the tests.
"""

from wizard.sandbox.config_rules import MAX_ALLOWED_AGENTS, TOKEN_PREFIX_LENGTH
from wizard.sandbox.faults import Fault
from wizard.sandbox.seed import (
    DEMO_ACCOUNT_NAME,
    DEMO_API_KEY,
    DEMO_AUTH_ID,
    DEMO_AUTH_TOKEN,
    DEMO_PLIVO_ACCOUNT_NAME,
)
from wizard.sandbox.server import Sandbox
from wizard.sandbox.wire import RecordedRequest

__all__ = [
    "DEMO_ACCOUNT_NAME",
    "DEMO_API_KEY",
    "DEMO_AUTH_ID",
    "DEMO_AUTH_TOKEN",
    "DEMO_PLIVO_ACCOUNT_NAME",
    "MAX_ALLOWED_AGENTS",
    "TOKEN_PREFIX_LENGTH",
    "Fault",
    "RecordedRequest",
    "Sandbox",
]
