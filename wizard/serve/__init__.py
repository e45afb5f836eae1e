"""The browser face: `ultravox-plivo serve` runs the terminal wizard in a browser through
textual-serve, made safe to leave running on a laptop.

Each browser session is a separate `python -m wizard` process under Textual's web driver,
started only for a request that carries this launch's token and comes from this server's own
origin, with a minimal environment and at most `MAX_SESSIONS` at once. Importing this package
is cheap: aiohttp and textual-serve load only in `serve()`.
"""

from __future__ import annotations

from wizard.serve.options import MAX_SESSIONS, ServeOptions

__all__ = ["MAX_SESSIONS", "ServeOptions", "serve"]


def serve(options: ServeOptions) -> int:
    """Serve the wizard until Ctrl+C (or SIGTERM); returns the exit code."""
    from wizard.serve.server import run_until_interrupted

    return run_until_interrupted(options)
