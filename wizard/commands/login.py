"""`ultravox-plivo login` (check and store the API key) and `logout` (remove stored secrets)."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from wizard.core.errors import UsageError
from wizard.core.models import Account, api_key_prefix, check_api_key, check_auth_id, errors

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime

log = logging.getLogger("wizard.cli")


def login(rt: Runtime) -> int:
    """Read the key (stdin, env, demo, prompt), check it on the service, then store it."""
    key, source = _read_api_key(rt)
    found = errors(check_api_key(key.get_secret_value()))
    if found:
        raise UsageError(found[0].message)
    key = SecretStr(key.get_secret_value().strip())
    account = rt.run(_account(rt, key))
    where = rt.store.save_api_key(key)
    prefix = api_key_prefix(key.get_secret_value())
    name = account.name or account.account_id or "your account"
    rt.out.line(f"Logged in to {name} with the API key {prefix}… (from {source}).")
    rt.out.line(f"Stored: {where}")
    rt.out.result(
        {
            "account": {"name": account.name, "accountId": account.account_id},
            "apiKeyPrefix": prefix,
            "source": source,
            "stored": {"apiKey": where},
        }
    )
    return 0


def _read_api_key(rt: Runtime) -> tuple[SecretStr, str]:
    if rt.args.api_key_stdin:
        log.debug("reading the Ultravox API key from stdin")
        line = sys.stdin.readline().strip()
        if not line:
            raise UsageError("--api-key-stdin: stdin held no API key (one line expected).")
        return SecretStr(line), "stdin"
    if rt.environ.get("ULTRAVOX_API_KEY"):
        return SecretStr(rt.environ["ULTRAVOX_API_KEY"]), "ULTRAVOX_API_KEY"
    if rt.demo:
        from wizard.sandbox import DEMO_API_KEY

        return SecretStr(DEMO_API_KEY), "the demo"
    if rt.interactive:
        key = rt.ask_secret("Ultravox API key (input hidden): ")
        if key.get_secret_value().strip():
            return key, "the prompt"
    raise UsageError("No API key given: pipe it in with --api-key-stdin or set ULTRAVOX_API_KEY.")


async def _account(rt: Runtime, key: SecretStr) -> Account:
    async with rt.ultravox(key) as client:
        return await client.get_account()


def logout(rt: Runtime) -> int:
    """Remove the stored API key and the Plivo tokens of every Auth ID we know of."""
    for auth_id in rt.args.auth_ids or []:
        found = errors(check_auth_id(auth_id))
        if found:
            raise UsageError(found[0].message)
    rt.require_yes("removing stored credentials")
    auth_ids = _known_auth_ids(rt)
    store = rt.store
    if not rt.args.yes:
        which = "the Ultravox API key" + (
            f" and the Plivo tokens for {', '.join(auth_ids)}" if auth_ids else ""
        )
        if not rt.confirm(f"Remove {which} from {store.info.name}?"):
            rt.out.line("Nothing was removed.")
            rt.out.result({"action": "cancelled", "removed": None})
            return 0
    removed_key = store.delete_api_key()
    tokens = {auth_id: store.delete_plivo_token(auth_id) for auth_id in auth_ids}
    out = rt.out
    out.line(f"Ultravox API key: {'removed' if removed_key else 'none stored'}")
    for auth_id, removed in tokens.items():
        out.line(f"Plivo token for {auth_id}: {'removed' if removed else 'none stored'}")
    for name in ("ULTRAVOX_API_KEY", "PLIVO_AUTH_TOKEN"):
        if rt.environ.get(name):
            out.note(f"note: {name} is still set in the environment.")
    data: dict[str, Any] = {
        "action": "removed",
        "removed": {"apiKey": removed_key, "plivoTokens": tokens},
    }
    out.result(data)
    return 0


def _known_auth_ids(rt: Runtime) -> list[str]:
    candidates = [
        *(rt.args.auth_ids or []),
        rt.load_settings().last_auth_id,
        rt.environ.get("PLIVO_AUTH_ID"),
    ]
    seen: list[str] = []
    for auth_id in candidates:
        if auth_id and auth_id.strip() not in seen:
            seen.append(auth_id.strip())
    return seen
