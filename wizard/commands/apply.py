"""`ultravox-plivo apply`: create or update the Plivo config from options, a file and the env.

Order matters: everything local is checked first (exit 2, nothing sent), then the current
config is read, the Plivo credentials verified, the plan shown and confirmed, the plan sent,
and only after the service accepted it is the token stored and the Auth ID remembered.
Fields the user does not name keep the service's current values.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from wizard.commands.config_view import print_config
from wizard.commands.output import indented_json
from wizard.commands.session import NetSession
from wizard.core.credentials import ResolvedSecret, SecretSource
from wizard.core.environment import ENV_AUTH_ID, ENV_PLIVO_TOKEN
from wizard.core.errors import CredentialStoreError, UsageError, interrupted_exit_code
from wizard.core.mapping import MappingRow, analyse_mapping
from wizard.core.models import (
    ANSWER_URL_TEMPLATE,
    PlivoConfig,
    PlivoDraft,
    answer_url,
    answer_urls,
    build_draft,
    check_agent_ids,
    check_auth_id,
    check_auth_token,
    errors,
)
from wizard.core.plan import Plan, make_plan
from wizard.flow.precedence import (
    AuthIdSource,
    TokenChoice,
    choose_auth_id,
    choose_token,
    prefix_matches,
)

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime

log = logging.getLogger("wizard.cli")

# File keys -> our names. The wire names are accepted too, so the `config` object of
# `status --json` can be saved and fed back.
_FILE_KEYS = {
    "authId": "auth_id",
    "auth_id": "auth_id",
    "agents": "agents",
    "agentIds": "agents",
    "agent_ids": "agents",
    "callCreationAllowedAgentIds": "agents",
    "allAgents": "all_agents",
    "all_agents": "all_agents",
    "callCreationAllowAllAgents": "all_agents",
    "contextMapping": "map",
    "context_mapping": "map",
    "requestContextMapping": "map",
    "map": "map",
    "clearMap": "clear_map",
    "clear_map": "clear_map",
}
_IGNORED_FILE_KEYS = {"authTokenPrefix"}  # read-only on the service; harmless in a saved config
MAX_FILE_BYTES = 1_000_000  # a config with 100 agents and a long mapping is a few KB
MAX_FILE_DEPTH = 8  # the deepest real field is authTokenPrefix.prefix


@dataclass
class ApplyInput:
    """What the user asked for, checked locally; None means "keep the service's value"."""

    auth_id: str | None = None
    """Given with --auth-id or in the file."""
    env_auth_id: str | None = None
    all_agents: bool | None = None
    agent_ids: list[str] | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    clear_map: bool = False
    token: ResolvedSecret | None = None
    """Given in this run (stdin, PLIVO_AUTH_TOKEN), or found or asked for when one is needed."""


def run(rt: Runtime) -> int:
    """The `apply` command: one event loop and one pool per service for the whole run."""
    args = rt.args
    if not args.dry_run:
        rt.require_yes("sending the change")
    wanted = gather_input(rt)
    api_key = rt.api_key()
    with NetSession(rt) as net:
        return _run(rt, net, wanted, api_key.value)


def _run(rt: Runtime, net: NetSession, wanted: ApplyInput, api_key: SecretStr) -> int:
    args = rt.args
    current = net.current_config(api_key)
    chosen = choose_auth_id(
        given=wanted.auth_id,
        env=wanted.env_auth_id,
        current=current.auth_id if current else None,
        last=rt.last_auth_id(),
    )
    if chosen is None:
        raise UsageError(
            "Which Plivo Auth ID? Pass --auth-id or set PLIVO_AUTH_ID (Ultravox holds no"
            " Plivo config yet)."
        )
    auth_id = chosen.value
    if chosen.source is not AuthIdSource.GIVEN:
        _refuse(check_auth_id(auth_id))
    _resolve_token(rt, wanted, auth_id, current)
    # A token given in this run is sent; otherwise the one Ultravox holds is kept.
    choice = choose_token(wanted.token, auth_id=auth_id, current=current, keep_current=True)
    draft = _draft(wanted, auth_id, current, choice)
    sent = choice.send.value if choice.send is not None else None
    for warning in draft.token_warnings:
        rt.out.note(f"warning: {warning.message}")
    if current is None and not draft.allow_all_agents and not draft.agent_ids:
        rt.out.note("warning: no agent is allowed to use Plivo; pass --agent UUID or --all-agents.")

    plivo_name = None
    if draft.auth_token is not None and not args.no_verify_plivo:
        plivo_name = net.run(_verify(net, auth_id, draft.auth_token))
        rt.out.line(f"Plivo accepted the credentials for {auth_id} ({plivo_name}).")

    plan = make_plan(draft, current, token_label=choice.review_label)
    changes = [
        {"field": c.field, "current": c.current, "new": c.new, "changed": c.changed}
        for c in plan.changes
    ]
    base: dict[str, Any] = {
        "method": plan.method,
        "changes": changes,
        "plivoAccount": plivo_name,
        "stored": None,
    }
    if plan.method is None:
        rt.out.line("Ultravox already holds this Plivo config; nothing to send.")
        print_config(rt, current, sent)
        return _finish(rt, base, "unchanged", current, wanted, auth_id, draft, sent)

    _print_plan(rt, plan, current)
    if args.dry_run:
        rt.out.line("Dry run: nothing was sent.")
        result = _result(base, "planned", current, None, _draft_answer_urls(draft))
        rt.out.result(result)
        return 0
    if not args.yes and not rt.confirm("Send this?"):
        rt.out.line("Nothing was sent.")
        rt.out.result(_result(base, "cancelled", current, None, _draft_answer_urls(draft)))
        return 0

    rt.state.write_started = True
    saved = net.run(net.ultravox(api_key).apply_plan(plan))
    # Sent and accepted: from here an interruption must not say "nothing was sent" (the
    # caller's message) nor "may or may not" (it was applied): only the storing is left.
    try:
        verb = "Created" if plan.method == "POST" else "Updated"
        rt.out.line(f"{verb} the Plivo config on Ultravox.")
        print_config(rt, saved, sent)
        action = "created" if plan.method == "POST" else "updated"
        return _finish(rt, base, action, saved, wanted, auth_id, draft, sent)
    except KeyboardInterrupt as exc:
        rt.out.error_line("Interrupted: Ultravox saved the config; the token was not stored.")
        return interrupted_exit_code(exc)


# -- local input ---------------------------------------------------------------------------


def gather_input(rt: Runtime) -> ApplyInput:
    """Options, file and environment merged and checked; raises UsageError before any I/O."""
    args = rt.args
    from_file = read_file(Path(args.file)) if args.file else {}
    wanted = ApplyInput()

    auth_id = args.auth_id or from_file.get("auth_id")
    if auth_id:
        _refuse(check_auth_id(auth_id))
        wanted.auth_id = auth_id.strip()
    env_auth_id = rt.environ.get(ENV_AUTH_ID, "").strip()
    if env_auth_id and not wanted.auth_id:
        _refuse(check_auth_id(env_auth_id))
    wanted.env_auth_id = env_auth_id or None

    if args.all_agents or args.agents:
        wanted.all_agents = bool(args.all_agents)
        wanted.agent_ids = list(args.agents or [])
    elif "all_agents" in from_file or "agents" in from_file:
        wanted.all_agents = bool(from_file.get("all_agents", False))
        wanted.agent_ids = list(from_file.get("agents", []))
        if wanted.all_agents and wanted.agent_ids:
            raise UsageError(
                f"{args.file}: choose either all agents or a list of agents, not both."
            )
    if wanted.agent_ids:
        _refuse(check_agent_ids(wanted.agent_ids))

    file_rows = [MappingRow(k, v) for k, v in from_file.get("map", {}).items()]
    flag_rows = [_parse_map(text) for text in args.maps or []]
    for rows in (file_rows, flag_rows):
        report = analyse_mapping(rows, blank_rows_allowed=False)
        if report.errors:
            raise UsageError("Context mapping: " + " ".join(f.message for f in report.errors))
    wanted.mapping = {r.request_field: r.context_path for r in file_rows + flag_rows}
    wanted.clear_map = bool(args.clear_map or from_file.get("clear_map", False))

    if args.auth_token_stdin:
        wanted.token = ResolvedSecret(_read_stdin_token(), SecretSource.STDIN, "stdin")
    elif rt.environ.get(ENV_PLIVO_TOKEN):
        value = SecretStr(rt.environ[ENV_PLIVO_TOKEN])
        wanted.token = ResolvedSecret(value, SecretSource.ENV, ENV_PLIVO_TOKEN)
    if wanted.token is not None:
        _refuse(check_auth_token(wanted.token.value.get_secret_value()))
    return wanted


def read_file(path: Path) -> dict[str, Any]:
    """Fields from a .toml or .json file, under our names; refuses any token in it."""
    raw = _read_small_regular_file(path)
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".json"):
        raise UsageError(f"{path}: use a .toml or .json file.")
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(raw.decode("utf-8"))
        else:
            data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        # Both parsers' messages give a position, never the file's text.
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise UsageError(f"{path} is not valid {suffix[1:].upper()}: {reason}.") from None
    except RecursionError:
        too_deep = True  # nested beyond the parser's reach: the same answer as too deep below
    else:
        too_deep = _depth(data) > MAX_FILE_DEPTH
    if too_deep:
        raise UsageError(
            f"{path} is nested too deeply (more than {MAX_FILE_DEPTH} levels);"
            " it holds only flat fields, a list of agents and one table of mappings."
        )
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected an object of fields at the top level.")

    out: dict[str, Any] = {}
    for key, value in data.items():
        if "token" in key.lower() and key not in _IGNORED_FILE_KEYS:
            raise UsageError(
                f"{path} holds {key!r}: secrets don't go in files. Pass the Plivo Auth Token"
                " with --auth-token-stdin or PLIVO_AUTH_TOKEN, and remove it from the file."
            )
        if key in _IGNORED_FILE_KEYS:
            continue
        name = _FILE_KEYS.get(key)
        if name is None:
            known = "authId, agents, allAgents, contextMapping, clearMap"
            raise UsageError(f"{path}: unknown field {key!r} (known: {known}).")
        out[name] = _check_type(path, key, name, value)
    return out


def _read_small_regular_file(path: Path) -> bytes:
    """The bytes of `path` if it is a regular file of at most MAX_FILE_BYTES.

    Checked on the open descriptor before reading, so /dev/zero, a FIFO (opened non-blocking)
    or a directory is refused at once instead of hanging or filling memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UsageError(f"Cannot read {path}: {exc.strerror or type(exc).__name__}.") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UsageError(f"{path} is not a regular file; --file takes a .toml or .json file.")
        if info.st_size > MAX_FILE_BYTES:
            raise UsageError(
                f"{path} is {info.st_size:,} bytes; a config file is at most"
                f" {MAX_FILE_BYTES:,} bytes."
            )
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise UsageError(f"Cannot read {path}: {exc.strerror or type(exc).__name__}.") from None
    if len(raw) > MAX_FILE_BYTES:  # it grew while we looked
        raise UsageError(f"{path} is over {MAX_FILE_BYTES:,} bytes; a config file is not.")
    return raw


def _depth(data: Any) -> int:
    """How deeply lists and tables nest in `data` (a scalar is 0); iterative, never recursive."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_FILE_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _check_type(path: Path, key: str, name: str, value: Any) -> Any:
    ok = {
        "auth_id": isinstance(value, str),
        "agents": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "all_agents": isinstance(value, bool),
        "clear_map": isinstance(value, bool),
        "map": isinstance(value, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()),
    }[name]
    if not ok:
        kind = {
            "auth_id": "a string",
            "agents": "a list of agent ids",
            "all_agents": "true or false",
            "clear_map": "true or false",
            "map": "a table of strings (request field = context path)",
        }[name]
        raise UsageError(f"{path}: {key!r} must be {kind}.")
    return value


def _parse_map(text: str) -> MappingRow:
    field_name, sep, context = text.partition("=")
    if not sep:
        raise UsageError(f"--map {text!r}: write FIELD=CONTEXT, e.g. --map From=user.phone.")
    return MappingRow(field_name, context)


def _read_stdin_token() -> SecretStr:
    log.debug("reading the Plivo Auth Token from stdin")
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise UsageError("--auth-token-stdin: stdin held no token (one line expected).")
    return SecretStr(line)


def _refuse(findings: list[Any]) -> None:
    found = errors(findings)
    if found:
        raise UsageError(" ".join(f.message for f in found))


def _resolve_token(
    rt: Runtime, wanted: ApplyInput, auth_id: str, current: PlivoConfig | None
) -> None:
    """Find a token when one is needed: a new config, or a new Auth ID.

    An update for the same Auth ID keeps the service's token unless one was given
    explicitly (stdin or environment): unspecified fields keep their current values.
    """
    if wanted.token is not None:
        return
    if current is not None and current.auth_id == auth_id:
        return
    stored = rt.store.plivo_token(auth_id)
    if stored is not None:
        wanted.token = stored
        return
    if rt.interactive:
        token = rt.ask_secret(f"Plivo Auth Token for {auth_id} (input hidden): ")
        if token.get_secret_value():
            _refuse(check_auth_token(token.get_secret_value()))
            wanted.token = ResolvedSecret(token, SecretSource.TYPED, "typed at the prompt")
            return
    raise UsageError(
        f"A Plivo Auth Token is needed for {auth_id}: pipe it in with --auth-token-stdin"
        " or set PLIVO_AUTH_TOKEN."
    )


def _draft(
    wanted: ApplyInput, auth_id: str, current: PlivoConfig | None, choice: TokenChoice
) -> PlivoDraft:
    if wanted.all_agents is not None:
        allow_all, agent_ids = wanted.all_agents, tuple(wanted.agent_ids or ())
    elif current is not None:
        allow_all, agent_ids = current.allow_all_agents, current.allowed_agent_ids
    else:
        allow_all, agent_ids = False, ()
    if allow_all:
        agent_ids = ()  # the service may still list the old ids next to allow-all
    mapping = {} if wanted.clear_map or current is None else dict(current.context_mapping)
    mapping.update(wanted.mapping)
    return build_draft(
        auth_id=auth_id,
        auth_token=choice.send.value if choice.send is not None else None,
        allow_all_agents=allow_all,
        agent_ids=agent_ids,
        context_mapping=mapping,
    )


# -- network steps -------------------------------------------------------------------------


async def _verify(net: NetSession, auth_id: str, token: SecretStr) -> str:
    account = await net.plivo().verify(auth_id, token)
    return account.name or account.auth_id or auth_id


# -- results -------------------------------------------------------------------------------


def _finish(
    rt: Runtime,
    base: dict[str, Any],
    action: str,
    config: PlivoConfig | None,
    wanted: ApplyInput,
    auth_id: str,
    draft: PlivoDraft,
    sent: SecretStr | None,
) -> int:
    matches = prefix_matches(config.auth_token_prefix if config else None, sent)
    if matches is False:
        rt.out.note("warning: the token prefix Ultravox returned does not match the token given.")
    stored = None
    token = wanted.token
    if token is not None and token.source in (SecretSource.STDIN, SecretSource.TYPED):
        stored = _store_token(rt, auth_id, token.value)
    elif token is not None and token.source is SecretSource.ENV:
        rt.out.line("The Plivo Auth Token came from PLIVO_AUTH_TOKEN; it was not stored.")
    rt.remember_auth_id(auth_id, token_stored=stored is not None)
    base["stored"] = stored
    urls = answer_urls(config) if config is not None else _draft_answer_urls(draft)
    rt.out.result(_result(base, action, config, sent, urls))
    return 0


def _result(
    base: dict[str, Any],
    action: str,
    config: PlivoConfig | None,
    token: SecretStr | None,
    urls: list[str],
) -> dict[str, Any]:
    """The `apply --json` document (docs/cli-json.md)."""
    prefix = config.auth_token_prefix if config is not None else None
    return {
        "action": action,
        "method": base["method"],
        "config": config.to_json() if config is not None else None,
        "tokenPrefix": prefix,
        "tokenPrefixMatches": prefix_matches(prefix, token),
        "answerUrls": urls,
        "plivoAccount": base["plivoAccount"],
        "stored": base["stored"],
        "changes": base["changes"],
    }


def _draft_answer_urls(draft: PlivoDraft) -> list[str]:
    if draft.allow_all_agents:
        return [ANSWER_URL_TEMPLATE]
    return [answer_url(a) for a in draft.agent_ids]


def _print_plan(rt: Runtime, plan: Plan, current: PlivoConfig | None) -> None:
    out = rt.out
    if plan.method == "POST":
        out.line("Ultravox holds no Plivo config yet; this creates one (POST):")
    else:
        count = len(plan.changed)
        out.line(f"This changes {count} field{'s' if count != 1 else ''} (PATCH):")
    rows = [(c.label, c.current, c.new) for c in plan.changes]
    marks = ["*" if c.changed else " " for c in plan.changes]
    out.table(("Field", "Current", "New"), rows, marks)
    out.line("Body to send (token masked):")
    out.lines(indented_json(plan.display_body()))


def _store_token(rt: Runtime, auth_id: str, token: SecretStr) -> dict[str, str] | None:
    """Store the token the user typed or piped in, where it outlives this run; else say why
    not (a session-only "store" means nothing to a one-shot command)."""
    reason = rt.store.not_persistent_reason
    if reason is not None:
        if rt.demo:
            rt.out.note("The Plivo Auth Token was not stored: this is a demo.")
        else:
            rt.out.note(
                f"warning: the Plivo Auth Token was not stored: {reason}; use"
                " --insecure-storage, or set PLIVO_AUTH_TOKEN for later runs."
            )
        return None
    try:
        where = rt.store.save_plivo_token(auth_id, token)
    except CredentialStoreError as exc:
        rt.out.note(f"warning: the config was saved, but the token was not stored: {exc}")
        return None
    rt.out.line(f"Plivo Auth Token stored: {where}")
    return {"plivoToken": where}
