"""What `numbers` and `link` share: finding the Plivo Auth ID and token, and reading the
account's numbers and applications.

The Auth ID comes from `--auth-id`, `PLIVO_AUTH_ID`, the config Ultravox holds, or the last one
used; the token from `PLIVO_AUTH_TOKEN` or the keyring (`plivo:<AUTH_ID>`), else a hidden prompt
on a terminal. Never from an option's value.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from wizard.core.environment import ENV_AUTH_ID
from wizard.core.errors import UsageError
from wizard.core.models import check_auth_id, check_auth_token, errors
from wizard.flow.precedence import choose_auth_id

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime
    from wizard.commands.session import NetSession
    from wizard.core.models import PlivoConfig
    from wizard.core.plivo_numbers import PlivoApplication, PlivoNumber, PlivoNumbersClient


@dataclass(frozen=True)
class PlivoInventory:
    """The account's voice numbers and applications, as read at the start of a command."""

    numbers: list[PlivoNumber]
    apps: list[PlivoApplication]


def plivo_auth_id(rt: Runtime, config: PlivoConfig | None) -> str:
    """The Auth ID to use: `--auth-id`, PLIVO_AUTH_ID, Ultravox's config, the last one used."""
    chosen = choose_auth_id(
        given=getattr(rt.args, "auth_id", None),
        env=rt.environ.get(ENV_AUTH_ID),
        current=config.auth_id if config is not None else None,
        last=rt.last_auth_id(),
    )
    if chosen is None:
        raise UsageError(
            "Which Plivo account? Pass --auth-id or set PLIVO_AUTH_ID (Ultravox holds no"
            " Plivo config to take it from)."
        )
    auth_id = chosen.value
    found = errors(check_auth_id(auth_id))
    if found:
        raise UsageError(" ".join(f.message for f in found))
    return auth_id.strip()


def plivo_token(rt: Runtime, auth_id: str) -> SecretStr:
    """PLIVO_AUTH_TOKEN, else the keyring's token for this Auth ID, else a hidden prompt."""
    stored = rt.store.plivo_token(auth_id)
    if stored is not None:
        return stored.value
    if rt.interactive:
        token = rt.ask_secret(f"Plivo Auth Token for {auth_id} (input hidden): ")
        if token.get_secret_value():
            found = errors(check_auth_token(token.get_secret_value()))
            if found:
                raise UsageError(" ".join(f.message for f in found))
            return token
    raise UsageError(
        f"No Plivo Auth Token for {auth_id}: set PLIVO_AUTH_TOKEN, or store it with"
        " `ultravox-plivo apply` (or the wizard)."
    )


@contextmanager
def numbers_client(
    net: NetSession, rt: Runtime, auth_id: str, token: SecretStr
) -> Iterator[PlivoNumbersClient]:
    """A client for the account's numbers and applications, closed on the command's loop."""
    from wizard.core.plivo_numbers import PlivoNumbersClient

    client = PlivoNumbersClient(auth_id, token, rt.plivo_api_base)
    try:
        yield client
    finally:
        net.run(client.aclose())


async def read_inventory(client: PlivoNumbersClient) -> PlivoInventory:
    numbers = await client.list_numbers()
    return PlivoInventory(numbers, await client.list_applications())


def application_json(
    app_id: str | None, name: str | None, url: str | None, agent_id: str | None
) -> dict[str, Any] | None:
    if app_id is None:
        return None
    return {"appId": app_id, "appName": name, "answerUrl": url, "agentId": agent_id}
