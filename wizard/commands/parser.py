"""The `ultravox-plivo` option parser: each command's options, examples and notes, the global
options (listed once, accepted where they apply), and usage errors in one plain line.

Imported by `--help`, so it imports nothing heavy. A command is one `_..._command(parser)`
function filling in its options through `_describe`, and one line in `COMMANDS`.
"""

from __future__ import annotations

import argparse
import difflib
import re
import shutil
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from wizard import __version__
from wizard.commands.output import PROG
from wizard.core.errors import EXIT_USAGE

DESCRIPTION = (
    "Connect a Plivo account to Ultravox. With no command, starts the interactive wizard;"
    " the commands below do the same from scripts."
)
TOP_EXAMPLES = """\
ultravox-plivo --demo                  # the wizard, against the built-in sandbox
ultravox-plivo apply --help            # a command's own options and examples
ultravox-plivo --json status           # global options go before or after the command"""
TOP_NOTES = (
    "Secrets are never taken as option values: they come from stdin (--auth-token-stdin,"
    " --api-key-stdin), the environment (ULTRAVOX_API_KEY, PLIVO_AUTH_TOKEN) or the keyring.",
    "Exit codes: 0 done, 1 service or network failed, 2 invalid input or usage,"
    " 3 authentication failed, 130 interrupted (143 by SIGTERM).",
)

# Global options: attribute -> (flag, value when not given). Listed once, in the top-level
# help; a command accepts (unlisted, before or after its name) those that mean something to it.
GLOBAL_OPTIONS: dict[str, tuple[str, object]] = {
    "api_base": ("--api-base", None),
    "plivo_api_base": ("--plivo-api-base", None),
    "demo": ("--demo", False),
    "json": ("--json", False),
    "debug": ("--debug", False),
    "insecure_storage": ("--insecure-storage", False),
    "no_mouse": ("--no-mouse", False),
}
# What every command that talks to the services takes (--no-mouse is the wizard's alone).
SERVICE_OPTIONS = ("api_base", "plivo_api_base", "demo", "json", "debug", "insecure_storage")


class CommandParser(argparse.ArgumentParser):
    """argparse with usage errors in one plain line and "did you mean" for a mistyped command
    (argparse's own `suggest_on_error` arrived in Python 3.14)."""

    commands: dict[str, CommandParser]
    fill_in: Callable[[CommandParser], None] | None = None
    """A command's options, added the first time it is parsed or its help is shown."""

    def _filled(self) -> None:
        fill_in, self.fill_in = self.fill_in, None
        if fill_in is not None:
            fill_in(self)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        self._filled()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        self._filled()
        return super().format_usage()

    def format_help(self) -> str:
        self._filled()
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {_plain_usage_error(message, self.prog)}\n")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's hook for a value outside `choices`: the place 3.14 suggests from, too.
        if action.dest == "command" and action.choices is not None and value not in action.choices:
            names = list(action.choices)
            close = difflib.get_close_matches(value, names, n=1)
            hint = f"did you mean {close[0]}?" if close else f"the commands are {', '.join(names)}."
            raise argparse.ArgumentError(None, f"unknown command {value!r}; {hint}")
        super()._check_value(action, value)

    def unknown_option_error(self, extra: list[str]) -> NoReturn:
        """`apply --dryrun`: name the first unknown word, and the option it was close to."""
        word = extra[0]
        if not word.startswith("-"):
            self.error(f"unexpected argument {word!r}")
        known = [s for a in self._actions for s in a.option_strings if a.help != argparse.SUPPRESS]
        close = difflib.get_close_matches(word.split("=", 1)[0], known, n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        self.error(f"unknown option {word}{hint}")


_NOT_ALLOWED_WITH = re.compile(r"argument (\S+): not allowed with argument (\S+)")
_REQUIRED = re.compile(r"the following arguments are required: (.+)")


def _plain_usage_error(message: str, prog: str) -> str:
    """One sentence for argparse's messages; a pointer to --help where it is not obvious."""
    found = _NOT_ALLOWED_WITH.fullmatch(message)
    if found:
        later, earlier = found.groups()
        return f"{earlier} and {later} do not go together: give one or the other."
    if message.startswith("unknown command") or "did you mean" in message:
        return message
    found = _REQUIRED.fullmatch(message)
    if found:
        message = f"{found[1]} is required" if "," not in found[1] else f"{found[1]} are required"
    return f"{message} (see `{prog} --help`)."


def _fill(text: str) -> str:
    width = min(79, shutil.get_terminal_size().columns - 2)
    return textwrap.fill(text, max(width, 40))


def _epilog(examples: str, notes: Sequence[str]) -> str:
    """The `examples:` section, then a paragraph per note (RawDescriptionHelpFormatter)."""
    parts = ["examples:\n" + textwrap.indent(examples, "  ")]
    parts += [_fill(note) for note in notes]
    return "\n\n".join(parts)


def _global_options(parser: argparse.ArgumentParser, *, hidden: bool) -> None:
    """The global options: listed in the top-level help, or `hidden` after a command's name.

    In a command their default is SUPPRESS, so an option given before the command is not
    overwritten by the command's default.
    """
    helps = {
        "api_base": "Ultravox API base URL (env ULTRAVOX_API_BASE; default"
        " https://api.ultravox.ai)",
        "plivo_api_base": "Plivo API base URL (env PLIVO_API_BASE; default https://api.plivo.com)",
        "demo": "run against the built-in sandbox with demo credentials (touches no real keychain)",
        "json": "print one JSON document on stdout instead of text (the shapes are in the"
        " README, under Commands)",
        "debug": "log requests (method, path, status, time) to stderr; show tracebacks",
        "insecure_storage": "with no secure keyring, keep secrets in a 0600 file under the user"
        " data dir",
        "no_mouse": "wizard only: do not capture the mouse",
    }
    group = parser if hidden else parser.add_argument_group("global options")
    for dest, (flag, value) in GLOBAL_OPTIONS.items():
        kwargs: dict[str, Any] = {
            "dest": dest,
            "default": argparse.SUPPRESS if hidden else value,
            "help": argparse.SUPPRESS if hidden else helps[dest],
        }
        if value is False:
            group.add_argument(flag, action="store_true", **kwargs)
        else:
            group.add_argument(flag, metavar="URL", **kwargs)


def _describe(
    parser: CommandParser,
    *,
    examples: str,
    notes: Sequence[str] = (),
    takes: Sequence[str] = SERVICE_OPTIONS,
    not_taken_because: str = "",
    handler: str,
) -> CommandParser:
    """A command's help (EXAMPLES, notes, the global options it takes, unlisted in its help,
    which names them and points at the top-level help) and its handler.

    Every global option is parsed after the command's name, so one it does not take is
    refused with `not_taken_because` whichever side of the name it was given.
    """
    name = parser.prog.rsplit(" ", 1)[-1]
    flags = [GLOBAL_OPTIONS[dest][0] for dest in takes]
    also = (
        f"Global options it takes, before or after `{name}`: {', '.join(flags)}"
        f" (see `{PROG} --help`)."
        if flags
        else "It takes no global options."
    )
    parser.epilog = _epilog(examples, [*notes, also])
    _global_options(parser, hidden=True)
    parser.set_defaults(handler=handler, takes=tuple(takes), not_taken_because=not_taken_because)
    return parser


def build_parser(*, commands: bool = True) -> CommandParser:
    """The whole command line; without `commands`, only the global options (the wizard's: an
    argv naming no command needs no command's parser, and argparse makes each with a dozen
    gettext lookups, about 3 ms together)."""
    parser = CommandParser(
        prog=PROG,
        description=_fill(DESCRIPTION),
        epilog=_epilog(TOP_EXAMPLES, TOP_NOTES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, hidden=False)
    parser.commands = {}
    if not commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, summary, fill_in in COMMANDS:
        command: CommandParser = sub.add_parser(
            name,
            help=summary,
            description=summary[:1].upper() + summary[1:] + ".",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.fill_in = fill_in
        parser.commands[name] = command
    return parser


def _apply_command(parser: CommandParser) -> None:
    apply = _describe(
        parser,
        examples="""\
printf '%s\\n' "$TOKEN" | ultravox-plivo apply --auth-id MA0123456789ABCDEFGH \\
    --auth-token-stdin --agent 6b2b6b8e-1c1e-4d5e-9f55-0f4f5a1f2c3d \\
    --map From=user.phone --map To=call.to --yes
ultravox-plivo apply --all-agents --dry-run     # keep the token Ultravox holds
ultravox-plivo apply --file plivo.toml --yes --json
ultravox-plivo apply --demo --all-agents --yes  # against the built-in sandbox""",
        notes=[
            "It checks everything first (exit 2, nothing sent), shows the plan, asks, then"
            " sends only what changed. The token is stored only after Ultravox accepted it."
        ],
        handler="wizard.commands.apply",
    )
    apply.add_argument("--auth-id", metavar="AUTH_ID", help="Plivo Auth ID (env PLIVO_AUTH_ID)")
    apply.add_argument(
        "--auth-token-stdin",
        action="store_true",
        help="read the Plivo Auth Token from one line of stdin (else env PLIVO_AUTH_TOKEN,"
        " the keyring, or a prompt)",
    )
    agents = apply.add_mutually_exclusive_group()
    agents.add_argument(
        "--agent",
        metavar="UUID",
        action="append",
        dest="agents",
        help="allow this agent to use Plivo (repeat for more; at most 100)",
    )
    agents.add_argument("--all-agents", action="store_true", help="allow every agent")
    apply.add_argument(
        "--map",
        metavar="FIELD=CONTEXT",
        action="append",
        dest="maps",
        help="map a Plivo request field to a context path, e.g. From=user.phone (repeatable;"
        " added to the current mapping)",
    )
    apply.add_argument(
        "--clear-map", action="store_true", help="start from an empty mapping, not the current one"
    )
    apply.add_argument(
        "--file",
        metavar="PATH",
        help="read the same fields from a .toml or .json file (options override it;"
        " never put the token in it)",
    )
    apply.add_argument(
        "--no-verify-plivo",
        action="store_true",
        help="do not check the Plivo credentials with Plivo first",
    )
    apply.add_argument("--dry-run", action="store_true", help="print the plan, send nothing")
    apply.add_argument("--yes", "-y", action="store_true", help="do not ask before sending")


def _status_command(parser: CommandParser) -> None:
    _describe(
        parser,
        examples="""\
ultravox-plivo status
ultravox-plivo status --json | jq -r '.answerUrls[]'
ultravox-plivo status --demo""",
        notes=["Exit 2 when no API key is known (the local part is still shown)."],
        handler="wizard.commands.status",
    )


def _delete_command(parser: CommandParser) -> None:
    delete = _describe(
        parser,
        examples="""\
ultravox-plivo delete                # shows the config, then asks
ultravox-plivo delete --yes --json""",
        notes=["Stored credentials are kept; `ultravox-plivo logout` removes them."],
        handler="wizard.commands.delete",
    )
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask first")


def _login_command(parser: CommandParser) -> None:
    login = _describe(
        parser,
        examples="""\
ultravox-plivo login                 # asks for the key (input hidden)
printf '%s\\n' "$KEY" | ultravox-plivo login --api-key-stdin
ultravox-plivo login --api-key-stdin --insecure-storage < key.txt  # no keyring""",
        notes=[
            "A key that cannot be one (empty, spaces or control characters, far too short) is"
            " refused before anything is sent (exit 2). With no keyring to keep it, it is"
            " checked but not stored: set ULTRAVOX_API_KEY or use --insecure-storage."
        ],
        handler="wizard.commands.login:login",
    )
    login.add_argument(
        "--api-key-stdin",
        action="store_true",
        help="read the API key from one line of stdin (else env ULTRAVOX_API_KEY or a prompt)",
    )


def _logout_command(parser: CommandParser) -> None:
    logout = _describe(
        parser,
        examples="""\
ultravox-plivo logout
ultravox-plivo logout --auth-id MA0123456789ABCDEFGH --yes""",
        notes=[
            "Removes them from the keyring and, whatever the options, from the"
            " --insecure-storage file. Environment variables are left as they are."
        ],
        handler="wizard.commands.login:logout",
    )
    logout.add_argument(
        "--auth-id",
        metavar="AUTH_ID",
        action="append",
        dest="auth_ids",
        help="also remove the token stored for this Auth ID (repeatable)",
    )
    logout.add_argument("--yes", "-y", action="store_true", help="do not ask first")


def _numbers_command(parser: CommandParser) -> None:
    numbers = _describe(
        parser,
        examples="""\
ultravox-plivo numbers
ultravox-plivo numbers --auth-id MA0123456789ABCDEFGH --json
ultravox-plivo numbers --demo""",
        notes=[
            "The token comes from PLIVO_AUTH_TOKEN or the keyring. With an Ultravox API key,"
            " agents are named and checked against the config."
        ],
        handler="wizard.commands.numbers",
    )
    numbers.add_argument(
        "--auth-id",
        metavar="AUTH_ID",
        help="Plivo Auth ID (else env PLIVO_AUTH_ID, the Ultravox config, the last one used);"
        " the token comes from env PLIVO_AUTH_TOKEN or the keyring",
    )


def _link_command(parser: CommandParser) -> None:
    link = _describe(
        parser,
        examples="""\
ultravox-plivo link --agent 6b2b6b8e-1c1e-4d5e-9f55-0f4f5a1f2c3d \\
    --number +14155550123 --dry-run
ultravox-plivo link --agent 6b2b6b8e-1c1e-4d5e-9f55-0f4f5a1f2c3d \\
    --number +14155550123 --number +14155550199 --app-name support-line --yes --json
ultravox-plivo link --number +14155550123 --app-id 20372631212782782 --yes  # put back""",
        notes=[
            "The agent must be allowed by the Plivo config on Ultravox (or all agents"
            " allowed). Each number's current application is shown before it is re-pointed,"
            " and the result prints the command that puts it back. An application that does"
            " not send calls to this agent is never changed. The token comes from"
            " PLIVO_AUTH_TOKEN or the keyring, never from an option."
        ],
        handler="wizard.commands.link",
    )
    target = link.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--agent", metavar="UUID", help="the agent the numbers should reach (allowed by the config)"
    )
    target.add_argument(
        "--app-id",
        metavar="APP_ID",
        help="point the numbers at this existing Plivo application instead (to put them back)",
    )
    link.add_argument(
        "--number",
        metavar="NUMBER",
        action="append",
        dest="numbers",
        required=True,
        help="a voice number of the account, e.g. +14155550123 (repeat for more)",
    )
    link.add_argument(
        "--app-name",
        metavar="NAME",
        help="name of the agent's Plivo application (default ultravox-<agent-name>;"
        " letters, digits, '-' and '_')",
    )
    link.add_argument(
        "--auth-id",
        metavar="AUTH_ID",
        help="Plivo Auth ID (else env PLIVO_AUTH_ID, the Ultravox config, the last one used)",
    )
    link.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    link.add_argument("--yes", "-y", action="store_true", help="do not ask before changing")


def _sandbox_command(parser: CommandParser) -> None:
    sandbox = _describe(
        parser,
        examples="""\
ultravox-plivo sandbox --port 8765 --agents 3
ULTRAVOX_API_BASE=http://127.0.0.1:8765 PLIVO_API_BASE=http://127.0.0.1:8765 \\
    ULTRAVOX_API_KEY=<the key it printed> ultravox-plivo status""",
        notes=["It prints its URL and the demo credentials (made for showing, not secrets)."],
        takes=("json", "debug"),
        not_taken_because="the sandbox is its own API and keeps no secrets",
        handler="wizard.commands.sandbox",
    )
    sandbox.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    sandbox.add_argument(
        "--agents", type=int, default=25, metavar="N", help="seed N agents (default 25)"
    )


def _serve_command(parser: CommandParser) -> None:
    serve = _describe(
        parser,
        examples="""\
ultravox-plivo serve --demo              # open the printed link: a demo wizard, no account
ultravox-plivo serve                     # the real wizard, in a browser on this machine
ultravox-plivo serve --demo --host 0.0.0.0 --port 8080   # show the demo to the room""",
        notes=[
            "It prints a link with a token made for this launch; the page and its websocket"
            " refuse any request without it, and any page of another origin. Each browser tab"
            " runs its own wizard (at most 3 at once) with none of this shell's secrets in its"
            " environment: the real wizard takes the API key and token from the keyring, or"
            " you type them. Ctrl+C ends every session."
        ],
        takes=("api_base", "plivo_api_base", "demo", "debug", "insecure_storage"),
        not_taken_because="serve prints a link to open, not JSON",
        handler="wizard.serve",
    )
    serve.add_argument(
        "--host",
        metavar="ADDRESS",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; another one prints"
        " a warning, and the real wizard also needs --allow-remote)",
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    serve.add_argument(
        "--allow-remote",
        action="store_true",
        help="let the real (not --demo) wizard listen on a non-loopback --host",
    )


# Each command: its name, its one-line summary (the top-level help lists it) and the function
# that fills in its options, called only once that command is parsed or its help is shown:
# starting the wizard builds none of them (about 3 ms of a 230 ms start).
COMMANDS: tuple[tuple[str, str, Callable[[CommandParser], None]], ...] = (
    ("apply", "create or update the Plivo config on Ultravox", _apply_command),
    ("status", "show the config on Ultravox and where local credentials are", _status_command),
    ("delete", "remove the Plivo config from Ultravox", _delete_command),
    ("login", "check an Ultravox API key and store it in the keyring", _login_command),
    ("logout", "remove the stored API key and Plivo tokens", _logout_command),
    (
        "numbers",
        "list the Plivo account's voice numbers and where each one points",
        _numbers_command,
    ),
    ("link", "point Plivo numbers at an Ultravox agent (one application per agent)", _link_command),
    ("sandbox", "serve the built-in fake Ultravox and Plivo API until Ctrl+C", _sandbox_command),
    ("serve", "serve the wizard to a browser on this machine until Ctrl+C", _serve_command),
)


def names_a_command(argv: Sequence[str]) -> bool:
    """Whether `argv` may name a command or ask for the help that lists them: any word that is
    not an option (a command, or an option's value: then the whole parser is built anyway)."""
    return any(not word.startswith("-") or _asks_for_help(word) for word in argv)


def _asks_for_help(word: str) -> bool:
    # argparse takes any unambiguous prefix of a long option: --he, --hel.
    return word == "-h" or (len(word) > 3 and "--help".startswith(word))


def check_global_options(parser: CommandParser, args: argparse.Namespace) -> None:
    """A global option given (before the command) to a command it means nothing to: exit 2."""
    takes = getattr(args, "takes", None)
    if args.command is None or takes is None:
        return
    for dest, (flag, unset) in GLOBAL_OPTIONS.items():
        if dest not in takes and getattr(args, dest, unset) != unset:
            why = "it is for the wizard only" if dest == "no_mouse" else args.not_taken_because
            parser.commands[args.command].exit(
                EXIT_USAGE, f"{PROG} {args.command}: {flag} does not apply here: {why}.\n"
            )
