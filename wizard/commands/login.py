"""`ultravox-plivo login` (check and store the API key) and `logout` (remove stored secrets)."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from wizard.commands.session import NetSession
from wizard.core.environment import ENV_API_KEY
from wizard.core.errors import EXIT_FAILED, CredentialStoreError, UsageError
from wizard.core.models import api_key_prefix, check_api_key, check_auth_id, errors

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime

log = logging.getLogger("wizard.cli")


def login(rt: Runtime) -> int:
    """Read the key (stdin, env, demo, prompt), check it locally, then on the service, then
    store it. A key that cannot be one is refused here (exit 2) as the wizard refuses it; an
    unusual but printable one only warns, and the service decides."""
    key, source = _read_api_key(rt)
    findings = check_api_key(key.get_secret_value())
    found = errors(findings)
    if found:
        raise UsageError(found[0].message)
    for finding in findings:
        rt.out.note(f"warning: {finding.message}")
    key = SecretStr(key.get_secret_value().strip())
    reason = None if rt.demo else rt.store.not_persistent_reason
    if reason is not None:
        # Said before the check, so nobody reads "Logged in" and takes the key for kept.
        rt.out.note(_not_stored_note(reason, source))
    with NetSession(rt) as net:
        account = net.run(net.ultravox(key).get_account())
    prefix = api_key_prefix(key.get_secret_value())
    name = account.name or account.account_id or "your account"
    stored: dict[str, str] | None = None
    if reason is not None:
        rt.out.line(f"The API key {prefix}… (from {source}) works for {name}; it was not stored.")
    else:
        rt.out.line(f"Logged in to {name} with the API key {prefix}… (from {source}).")
        if rt.demo:
            rt.out.line("Not stored: this is a demo.")
        else:
            where = rt.store.save_api_key(key)
            stored = {"apiKey": where}
            rt.out.line(f"Stored: {where}")
    rt.out.result(
        {
            "account": {"name": account.name, "accountId": account.account_id},
            "apiKeyPrefix": prefix,
            "source": source,
            "stored": stored,
        }
    )
    return 0


def _not_stored_note(reason: str, source: str) -> str:
    """What a one-shot command says when no keyring can keep the key (a session-only "store"
    would end with this very process)."""
    if source == ENV_API_KEY:
        keep = f"{ENV_API_KEY} already gives it to every command."
    else:
        keep = (
            f"to use it later, set {ENV_API_KEY} in the environment of the commands that need"
            " it, or use --insecure-storage (a file only you can read)."
        )
    return f"note: the key will be checked but not stored: {reason}; {keep}"


def _read_api_key(rt: Runtime) -> tuple[SecretStr, str]:
    if rt.args.api_key_stdin:
        log.debug("reading the Ultravox API key from stdin")
        line = sys.stdin.readline().strip()
        if not line:
            raise UsageError("--api-key-stdin: stdin held no API key (one line expected).")
        return SecretStr(line), "stdin"
    if rt.environ.get(ENV_API_KEY):
        return SecretStr(rt.environ[ENV_API_KEY]), ENV_API_KEY
    if rt.demo:
        from wizard.sandbox import DEMO_API_KEY

        return SecretStr(DEMO_API_KEY), "the demo"
    if rt.interactive:
        key = rt.ask_secret("Ultravox API key (input hidden): ")
        if key.get_secret_value().strip():
            return key, "the prompt"
    raise UsageError("No API key given: pipe it in with --api-key-stdin or set ULTRAVOX_API_KEY.")


def logout(rt: Runtime) -> int:
    """Remove the stored API key and the Plivo tokens of every Auth ID we know of, from the
    keyring and from the --insecure-storage file (whatever this run's flags). A keyring that
    fails is reported per secret and the rest still removed; then exit 1."""
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
    problems: list[str] = []

    def remove(what: str, call: Callable[[], bool]) -> bool | None:
        try:
            return call()
        except CredentialStoreError as exc:
            problems.append(f"{what}: {exc.message}")
            return None

    removed_key = remove("Ultravox API key", store.delete_api_key)
    tokens = {
        auth_id: remove(
            f"Plivo token for {auth_id}", functools.partial(store.delete_plivo_token, auth_id)
        )
        for auth_id in auth_ids
    }
    out = rt.out
    out.line(f"Ultravox API key: {_removal(removed_key)}")
    for auth_id, removed in tokens.items():
        out.line(f"Plivo token for {auth_id}: {_removal(removed)}")
    rt.ctx.settings.forget_stored_auth_ids(
        [a for a, removed in tokens.items() if removed is not None]
    )
    for name in ("ULTRAVOX_API_KEY", "PLIVO_AUTH_TOKEN"):
        if rt.environ.get(name):
            out.note(f"note: {name} is still set in the environment.")
    data: dict[str, Any] = {
        "action": "removed",
        "removed": {"apiKey": removed_key, "plivoTokens": tokens},
        "errors": problems,
    }
    out.result(data)
    if problems:
        out.error_line(f"Not everything was removed: {problems[0]}")
        return EXIT_FAILED
    return 0


def _removal(removed: bool | None) -> str:
    return {True: "removed", False: "none stored", None: "NOT removed (keyring failed)"}[removed]


def _known_auth_ids(rt: Runtime) -> list[str]:
    """Every Auth ID whose token may be stored: named, remembered, in the environment, or
    found in the credentials file."""
    settings = rt.ctx.settings
    try:
        in_store = rt.store.stored_plivo_auth_ids()
    except CredentialStoreError as exc:
        rt.out.note(f"warning: {exc.message}")
        in_store = []
    candidates = [
        *(rt.args.auth_ids or []),
        settings.last_auth_id(),
        *settings.stored_auth_ids(),
        rt.environ.get("PLIVO_AUTH_ID"),
        *in_store,
    ]
    seen: list[str] = []
    for auth_id in candidates:
        if auth_id and auth_id.strip() not in seen:
            seen.append(auth_id.strip())
    return seen
