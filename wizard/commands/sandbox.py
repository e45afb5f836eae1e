"""`ultravox-plivo sandbox`: serve the built-in fake API on loopback until Ctrl+C."""

from __future__ import annotations

import argparse

from wizard.commands.output import Output
from wizard.core.errors import UsageError


def serve(args: argparse.Namespace, out: Output) -> int:
    """Start the sandbox, print how to use it, and serve until interrupted (then exit 0)."""
    from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Sandbox

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: use a port between 0 and 65535.")
    if args.agents < 0:
        raise UsageError(f"--agents {args.agents}: use 0 or more.")
    try:
        sandbox = Sandbox(agent_count=args.agents, port=args.port).start()
    except OSError as exc:
        raise UsageError(
            f"Cannot listen on 127.0.0.1:{args.port} ({exc.strerror or exc}); try another --port."
        ) from None
    try:
        if out.json_mode:
            # Demo values, made for showing: not secrets.
            out.result(
                {
                    "baseUrl": sandbox.base_url,
                    "apiKey": DEMO_API_KEY,
                    "authId": DEMO_AUTH_ID,
                    "authToken": DEMO_AUTH_TOKEN,
                    "agents": args.agents,
                }
            )
        else:
            out.line(sandbox.describe())
            out.line("Serving until Ctrl+C.")
        try:
            sandbox.serve_forever()
        except KeyboardInterrupt:
            out.note("Sandbox stopped.")
    finally:
        sandbox.stop()
    return 0
