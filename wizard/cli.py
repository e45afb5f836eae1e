"""The `ultravox-plivo` command line: dispatch and the one-line error contract (the options
are in `wizard/commands/parser.py`).

Kept thin and light: `--help` must import neither textual, httpx nor pydantic, so every
command module (and through it the core) is imported only once a command runs.
Exit codes: 0 done, 1 the service or network failed, 2 invalid input or usage,
3 authentication failed, 130 interrupted (143 when stopped by SIGTERM).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from wizard.core import collector
from wizard.core.errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    Terminated,
    WizardError,
    interrupted_exit_code,
)

if TYPE_CHECKING:
    import argparse

    from wizard.commands.output import Output
    from wizard.commands.runtime import RunState, Runtime

Handler = Callable[["Runtime"], int]


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
    import logging

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
    # Paused before the command line's own imports (below, not at the top of this module):
    # a command resumes the collector once its options are read, the wizard after its first
    # screen (wizard/core/collector.py).
    collector.pause()
    try:
        return _main(argv)
    finally:
        collector.resume()


def _main(argv: list[str] | None) -> int:
    from wizard.commands.output import Output
    from wizard.commands.parser import build_parser, check_global_options, names_a_command
    from wizard.commands.runtime import RunState

    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(commands=names_a_command(words))
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:
            command = parser.commands.get(args.command) if args.command else None
            (command or parser).unknown_option_error(extra)
        check_global_options(parser, args)
    except SystemExit as exc:  # --help, --version, or a usage error we printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    out = Output(json_mode=args.json)
    state = RunState()
    if args.command is None:
        # Not for the wizard: log lines on stderr would tear through the full-screen UI.
        return _run(args, out, state)
    collector.resume()
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
            _print_traceback()
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
            _print_traceback()
        out.error_line(f"unexpected error ({type(exc).__name__}); run with --debug for details.")
        return EXIT_FAILED


def _print_traceback() -> None:
    import traceback

    traceback.print_exc(file=sys.stderr)


def _wizard(args: argparse.Namespace, out: Output) -> int:
    """No command: the Textual wizard, on a terminal (or in a browser, under `serve`)."""
    from wizard.commands.runtime import is_tty, under_web_driver

    web = under_web_driver(os.environ)
    dumb = not web and os.environ.get("TERM", "") in ("dumb", "unknown")  # Emacs, CI logs
    if dumb or not (web or (is_tty(sys.stdin) and is_tty(sys.stdout))):
        what = "a terminal that can draw it (TERM is dumb)" if dumb else "a terminal"
        out.error_line(
            f"The wizard needs {what}; from scripts use `ultravox-plivo apply`"
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
