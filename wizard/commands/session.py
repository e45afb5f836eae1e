"""One event loop and one connection pool per service for a whole command.

A command runs its network steps one by one with `net.run(step)`; prompts happen between
steps, outside the loop, so a single Ctrl+C interrupts a prompt as well as a request. The
clients live in the one `asyncio.Runner` and are closed, in it, when the command ends.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from pydantic import SecretStr

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime
    from wizard.core.models import PlivoConfig
    from wizard.core.plivo import PlivoClient
    from wizard.core.ultravox import UltravoxClient

T = TypeVar("T")


class NetSession:
    """`with NetSession(rt) as net: net.run(net.ultravox(key).get_account())`."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt
        self._runner = asyncio.Runner()
        self._ultravox: UltravoxClient | None = None
        self._ultravox_key: SecretStr | None = None
        self._plivo: PlivoClient | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def run(self, step: Coroutine[Any, Any, T]) -> T:
        """Drive one network step on the command's loop."""
        return self._runner.run(step)

    def ultravox(self, api_key: SecretStr) -> UltravoxClient:
        """The command's Ultravox client (one pool; a new one only for a different key)."""
        from wizard.core.ultravox import UltravoxClient

        known = self._ultravox_key
        if (
            self._ultravox is None
            or known is None
            or known.get_secret_value() != api_key.get_secret_value()
        ):
            if self._ultravox is not None:
                self.run(self._ultravox.aclose())
            self._ultravox = UltravoxClient(api_key, self._rt.api_base)
            self._ultravox_key = api_key
        return self._ultravox

    def plivo(self) -> PlivoClient:
        """The command's Plivo client."""
        from wizard.core.plivo import PlivoClient

        if self._plivo is None:
            self._plivo = PlivoClient(self._rt.plivo_api_base)
        return self._plivo

    def current_config(self, api_key: SecretStr) -> PlivoConfig | None:
        """The Plivo config Ultravox holds, or None (apply, delete)."""
        return self.run(self.ultravox(api_key).get_plivo_config())

    def close(self) -> None:
        """Close the pools, then the loop; never masks the error that ended the command."""
        clients = [c for c in (self._ultravox, self._plivo) if c is not None]
        self._ultravox = self._plivo = None
        self._ultravox_key = None
        with contextlib.suppress(Exception, KeyboardInterrupt):
            for client in clients:
                self._runner.run(client.aclose())
        with contextlib.suppress(Exception, KeyboardInterrupt):
            self._runner.close()
