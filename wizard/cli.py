"""The `ultravox-plivo` command line: parsing, dispatch and the one-line error contract.

Kept thin and light: `--help` must import neither textual, httpx nor pydantic, so every
command module (and through it the core) is imported only once a command runs.
Exit codes: 0 done, 1 the service or network failed, 2 invalid input or usage,
3 authentication failed, 130 interrupted (143 when stopped by SIGTERM).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import textwrap
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from wizard import __version__
from wizard.commands.output import PROG, Output
from wizard.commands.runtime import RunState, is_tty, under_web_driver
from wizard.core.errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    Terminated,
    WizardError,
    interrupted_exit_code,
)

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime

Handler = Callable[["Runtime"], int]

DESCRIPTION = (
    "Connect a Plivo account to Ultravox. With no command, starts the interactive wizard;"
    " the commands below do the same from scripts."
)
EPILOG = (
    "Secrets are never taken as option values: they come from stdin (--auth-token-stdin,"
    " --api-key-stdin), the environment (ULTRAVOX_API_KEY, PLIVO_AUTH_TOKEN) or the keyring."
    " Exit codes: 0 done, 1 service or network failed, 2 invalid input or usage,"
    " 3 authentication failed, 130 interrupted (143 by SIGTERM)."
)


NUMBERS_EXAMPLES = """examples:
  ultravox-plivo numbers
  ultravox-plivo numbers --auth-id MA0123456789ABCDEFGH --json
  ultravox-plivo numbers --demo

"""
LINK_EXAMPLES = """examples:
  ultravox-plivo link --agent 6b2b6b8e-1c1e-4d5e-9f55-0f4f5a1f2c3d --number +14155550123 --dry-run
  ultravox-plivo link --agent 6b2b6b8e-1c1e-4d5e-9f55-0f4f5a1f2c3d \\
      --number +14155550123 --number +14155550199 --app-name support-line --yes --json
  ultravox-plivo link --number +14155550123 --app-id 20372631212782782 --yes   # put it back

The agent must be allowed by the Plivo config on Ultravox (or all agents allowed). Each
number's current application is shown before it is re-pointed, and the result prints the
command that puts it back. An application that does not send calls to this agent is never
changed. The token comes from PLIVO_AUTH_TOKEN or the keyring, never from an option.

"""


SERVE_EXAMPLES = """examples:
  ultravox-plivo serve --demo              # open the printed link: a demo wizard, no account
  ultravox-plivo serve                     # the real wizard, in a browser on this machine
  ultravox-plivo serve --demo --host 0.0.0.0 --port 8080   # show the demo to the room

It prints a link with a token made for this launch; the page and its websocket refuse any
request without it, and any page of another origin. Each browser tab runs its own wizard (at
most 3 at once) with none of this shell's secrets in its environment: the real wizard takes
the API key and token from the keyring, or you type them. Ctrl+C ends every session.

"""


def _global_options(parser: argparse.ArgumentParser, *, in_subcommand: bool) -> None:
    """The options every command accepts, before or after the command name.

    In a subcommand their default is SUPPRESS, so an option given before the command is not
    overwritten by the subcommand's default.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if in_subcommand else value

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--api-base",
        metavar="URL",
        default=default(None),
        help="Ultravox API base URL (env ULTRAVOX_API_BASE; default https://api.ultravox.ai)",
    )
    group.add_argument(
        "--plivo-api-base",
        metavar="URL",
        default=default(None),
        help="Plivo API base URL (env PLIVO_API_BASE; default https://api.plivo.com)",
    )
    group.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="run against the built-in sandbox with demo credentials (touches no real keychain)",
    )
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print one JSON document on stdout (shapes in docs/cli-json.md)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="log requests (method, path, status, time) to stderr; show tracebacks",
    )
    group.add_argument(
        "--insecure-storage",
        action="store_true",
        default=default(False),
        help="with no secure keyring, keep secrets in a 0600 file under the user data dir",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--no-mouse", action="store_true", help="wizard only: do not capture the mouse"
    )
    _global_options(parser, in_subcommand=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter
            if name in ("numbers", "link")
            else argparse.HelpFormatter,
        )
        _global_options(p, in_subcommand=True)
        return p

    apply = command("apply", "create or update the Plivo config on Ultravox")
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
    apply.set_defaults(handler="wizard.commands.apply")

    status = command("status", "show the config on Ultravox and where local credentials are")
    status.set_defaults(handler="wizard.commands.status")

    delete = command("delete", "remove the Plivo config from Ultravox")
    delete.add_argument("--yes", "-y", action="store_true", help="do not ask first")
    delete.set_defaults(handler="wizard.commands.delete")

    login = command("login", "check an Ultravox API key and store it in the keyring")
    login.add_argument(
        "--api-key-stdin",
        action="store_true",
        help="read the API key from one line of stdin (else env ULTRAVOX_API_KEY or a prompt)",
    )
    login.set_defaults(handler="wizard.commands.login:login")

    logout = command("logout", "remove the stored API key and Plivo tokens")
    logout.add_argument(
        "--auth-id",
        metavar="AUTH_ID",
        action="append",
        dest="auth_ids",
        help="also remove the token stored for this Auth ID (repeatable)",
    )
    logout.add_argument("--yes", "-y", action="store_true", help="do not ask first")
    logout.set_defaults(handler="wizard.commands.login:logout")

    numbers = command("numbers", "list the Plivo account's voice numbers and where each one points")
    numbers.add_argument(
        "--auth-id",
        metavar="AUTH_ID",
        help="Plivo Auth ID (else env PLIVO_AUTH_ID, the Ultravox config, the last one used);"
        " the token comes from env PLIVO_AUTH_TOKEN or the keyring",
    )
    numbers.epilog = NUMBERS_EXAMPLES + textwrap.fill(EPILOG, 79)
    numbers.set_defaults(handler="wizard.commands.numbers")

    link = command("link", "point Plivo numbers at an Ultravox agent (one application per agent)")
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
    link.epilog = LINK_EXAMPLES + textwrap.fill(EPILOG, 79)
    link.set_defaults(handler="wizard.commands.link")

    sandbox = command("sandbox", "serve the built-in fake Ultravox and Plivo API until Ctrl+C")
    sandbox.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    sandbox.add_argument(
        "--agents", type=int, default=25, metavar="N", help="seed N agents (default 25)"
    )
    sandbox.set_defaults(handler="wizard.commands.sandbox")

    serve = command("serve", "serve the wizard to a browser on this machine until Ctrl+C")
    serve.formatter_class = argparse.RawDescriptionHelpFormatter
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
    serve.epilog = SERVE_EXAMPLES + textwrap.fill(EPILOG, 79)
    serve.set_defaults(handler="wizard.serve")
    return parser


def _load_handler(spec: str) -> Handler:
    """`module` or `module:function` (default function: `run`), imported only now."""
    import importlib

    module_name, _, func = spec.partition(":")
    module = importlib.import_module(module_name)
    handler: Handler = getattr(module, func or "run")
    return handler


@contextmanager
def _command_logging(debug: bool) -> Iterator[None]:
    """Warnings (e.g. a rate-limit wait) always reach stderr; everything with --debug.

    Undone on exit, since main() may run again in the same process (tests, embedding).
    """
    logger = logging.getLogger("wizard")
    handler = logging.StreamHandler(sys.stderr)
    prefix = "debug: %(name)s: " if debug else "warning: "
    handler.setFormatter(logging.Formatter(prefix + "%(message)s"))
    handler.setLevel(logging.DEBUG if debug else logging.WARNING)
    level = logger.level
    logger.addHandler(handler)
    if debug:
        logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    out = Output(json_mode=args.json)
    state = RunState()
    if args.command is None:
        # Not for the wizard: log lines on stderr would tear through the full-screen UI.
        return _run(args, out, state)
    with _command_logging(args.debug), _sigterm_interrupts():
        return _run(args, out, state)


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises `Terminated` (a KeyboardInterrupt), so a command stopped by it says what
    Ctrl+C would (sent or not) and exits 143, instead of dying silently mid-request."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _run(args: argparse.Namespace, out: Output, state: RunState) -> int:
    """Dispatch, and turn every failure into one line and an exit code."""
    try:
        if args.command is None:
            return _wizard(args, out)
        if args.command == "sandbox":
            from wizard.commands.sandbox import serve

            return serve(args, out)
        if args.command == "serve":
            return _serve(args)
        from wizard.commands.runtime import open_runtime

        with open_runtime(args, out, state) as runtime:
            return _load_handler(args.handler)(runtime)
    except WizardError as exc:
        if args.debug:
            traceback.print_exc(file=sys.stderr)
        out.error(exc)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        if state.write_started:
            out.error_line(
                "Interrupted while sending; the change may or may not have been applied:"
                " check with `ultravox-plivo status`."
            )
        else:
            out.error_line("Interrupted; nothing was sent.")
        return interrupted_exit_code(exc)
    except BrokenPipeError:
        # The reader went away (`... --json | head`): say nothing more, as Python's docs advise.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as exc:
        # The message of an unexpected error is not ours to vouch for (it may quote input),
        # so only its type is shown unless --debug.
        if args.debug:
            traceback.print_exc(file=sys.stderr)
        out.error_line(f"unexpected error ({type(exc).__name__}); run with --debug for details.")
        return EXIT_FAILED


def _wizard(args: argparse.Namespace, out: Output) -> int:
    """No command: the Textual wizard, on a terminal (or in a browser, under `serve`)."""
    if not (is_tty(sys.stdin) and is_tty(sys.stdout)) and not under_web_driver(os.environ):
        out.error_line(
            "The wizard needs a terminal; from scripts use `ultravox-plivo apply`"
            " (see `ultravox-plivo apply --help`)."
        )
        return EXIT_USAGE
    try:
        from wizard.tui import WizardOptions, run_wizard
    except ImportError:
        out.error_line("The wizard is not available yet; use `ultravox-plivo apply` for now.")
        return EXIT_USAGE
    from wizard.commands.runtime import recipe_from_args
    from wizard.flow.context import api_bases

    if not args.demo:  # a bad base URL is a usage error before the screen opens
        api_bases(args.api_base, args.plivo_api_base, os.environ)
    # The sandbox, the store and the API bases are opened by the app after its first frame.
    recipe = recipe_from_args(args)
    options = WizardOptions(recipe, no_mouse=args.no_mouse, debug=args.debug)
    try:
        return run_wizard(options)
    finally:
        recipe.close()


def _serve(args: argparse.Namespace) -> int:
    """`serve`: the browser face, which runs the wizard (this command) per browser session."""
    from wizard.core.errors import UsageError

    if args.json:
        raise UsageError("serve prints a link to open, not JSON: leave out --json.")
    try:
        from wizard.serve import ServeOptions, serve
        from wizard.serve.server import WizardServer  # noqa: F401 (is textual-serve installed?)
    except ImportError:
        raise UsageError(
            "serve needs textual-serve: install the extra, e.g."
            " `pip install 'ultravox-plivo-wizard[serve]'`."
        ) from None
    options = ServeOptions(
        demo=args.demo,
        host=args.host,
        port=args.port,
        allow_remote=args.allow_remote,
        api_base=args.api_base,
        plivo_api_base=args.plivo_api_base,
        insecure_storage=args.insecure_storage,
    )
    if not args.demo:  # a bad base URL is a usage error before anything listens
        from wizard.flow.context import api_bases

        api_bases(args.api_base, args.plivo_api_base, os.environ)
    return serve(options)


if __name__ == "__main__":
    raise SystemExit(main())
