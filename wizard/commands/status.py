"""`ultravox-plivo status`: what Ultravox holds, and where the local credentials come from."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from wizard.commands.config_view import print_config
from wizard.commands.runtime import NO_API_KEY
from wizard.commands.session import NetSession
from wizard.core.environment import ENV_API_KEY, ENV_AUTH_ID, ENV_PLIVO_TOKEN
from wizard.core.errors import EXIT_FAILED, EXIT_USAGE, CredentialStoreError
from wizard.core.models import Account, PlivoConfig, answer_urls, api_key_prefix
from wizard.flow.precedence import choose_auth_id, prefix_matches

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime
    from wizard.core.credentials import ResolvedSecret


def run(rt: Runtime) -> int:
    """The `status` command. Exit 2 (after printing what is known) when there is no key;
    a keyring that fails or hangs is reported and the rest still shown (then exit 1)."""
    store = rt.store
    api_key, key_problem = _lookup(store.api_key)
    account: Account | None = None
    config: PlivoConfig | None = None
    if api_key is not None:
        with NetSession(rt) as net:
            account, config = net.run(_fetch(net, api_key.value))

    chosen = choose_auth_id(
        env=rt.environ.get(ENV_AUTH_ID),
        current=config.auth_id if config else None,
        last=rt.last_auth_id(),
    )
    auth_id = chosen.value if chosen else None
    token, token_problem = _lookup(lambda: store.plivo_token(auth_id)) if auth_id else (None, None)
    prefix = config.auth_token_prefix if config else None
    matches = prefix_matches(prefix, token.value if token else None)

    info = store.info
    where = _where(rt)
    data: dict[str, Any] = {
        "apiBase": rt.api_base,
        "account": ({"name": account.name, "accountId": account.account_id} if account else None),
        "configured": (config is not None) if account else None,
        "config": config.to_json() if config else None,
        "answerUrls": answer_urls(config) if config else [],
        "credentials": {
            "backend": {"kind": str(info.kind), "name": info.name, "reason": info.reason},
            "where": where,
            "apiKey": _secret_json(api_key, key_problem, prefix=_key_prefix(api_key)),
            "plivoToken": {
                "authId": auth_id,
                **_secret_json(token, token_problem),
                "prefixMatches": matches,
            },
        },
    }
    out = rt.out
    out.line(f"Ultravox ({rt.api_base}):")
    if account is None:
        out.line("  not checked: no API key")
    else:
        out.line(f"  Account:       {account.name or account.account_id or '?'}")
        if config is None:
            out.line("  Plivo config:  none (run `ultravox-plivo apply` to create one)")
        else:
            out.line("  Plivo config:")
            print_config(rt, config)
    out.line("Local credentials:")
    out.line(f"  Keyring:       {info.name} ({info.kind}): {where}")
    out.line(f"  API key:       {_describe(api_key, key_problem, _key_prefix(api_key))}")
    if auth_id:
        line = f"  Plivo token:   {auth_id}: {_describe(token, token_problem)}"
        if matches is not None:
            line += (
                "; matches the service's prefix"
                if matches
                else ("; does NOT match the service's prefix")
            )
        out.line(line)
    else:
        out.line("  Plivo token:   no Auth ID known")
    out.result(data)
    if api_key is None:
        # The local part is still worth printing; the exit code says the check was not done.
        if key_problem is not None:
            out.error_line(f"{key_problem} The service was not checked. {NO_API_KEY}")
            return EXIT_FAILED
        out.error_line(NO_API_KEY)
        return EXIT_USAGE
    return 0


def _where(rt: Runtime) -> str:
    """Where secrets would be kept. A one-shot command has no session to keep them in, so with
    no keyring it says none can, why, and what to do instead."""
    reason = rt.store.not_persistent_reason
    if reason is None or rt.demo:
        return rt.store.where()
    return (
        f"No keyring can keep secrets here: {reason}. Set {ENV_API_KEY} and {ENV_PLIVO_TOKEN}"
        " in the environment, or use --insecure-storage (a file only you can read)."
    )


def _lookup(
    find: Callable[[], ResolvedSecret | None],
) -> tuple[ResolvedSecret | None, str | None]:
    """The secret, or why the keyring could not say (it failed, is locked, or hangs)."""
    try:
        return find(), None
    except CredentialStoreError as exc:
        return None, exc.message


async def _fetch(net: NetSession, api_key: SecretStr) -> tuple[Account, PlivoConfig | None]:
    client = net.ultravox(api_key)
    account = await client.get_account()
    return account, await client.get_plivo_config()


def _key_prefix(secret: ResolvedSecret | None) -> str | None:
    if secret is None:
        return None
    return api_key_prefix(secret.value.get_secret_value()) or None


def _secret_json(
    secret: ResolvedSecret | None, problem: str | None, **extra: Any
) -> dict[str, Any]:
    return {
        "source": str(secret.source) if secret else None,
        "detail": secret.detail if secret else None,
        "error": problem,
        **extra,
    }


def _describe(secret: ResolvedSecret | None, problem: str | None, prefix: str | None = None) -> str:
    if problem is not None:
        return f"unknown: {problem}"
    if secret is None:
        return "none"
    shown = f"{prefix}… " if prefix else ""
    return f"{shown}from {secret.source} ({secret.detail})"
