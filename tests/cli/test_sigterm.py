"""Issue 8: SIGTERM during a command is handled like Ctrl+C (the same sentence) and exits 143,
where it used to kill the process silently mid-POST."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable

from tests.cli.conftest import Cli
from wizard.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Fault


def _wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.05)


def test_sigterm_during_a_post_says_it_may_have_applied_and_exits_143(cli: Cli) -> None:
    cli.sandbox.inject(Fault(delay=20.0, method="POST"))
    argv = cli.argv("apply", "--auth-id", DEMO_AUTH_ID, "--auth-token-stdin")
    argv += ["--all-agents", "--yes", "--no-verify-plivo"]
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
        cwd=cli.home,
    )
    try:
        assert proc.stdin is not None
        proc.stdin.write(DEMO_AUTH_TOKEN + "\n")
        proc.stdin.flush()
        # The sandbox records a request before its delay: the POST is in flight.
        _wait_for(lambda: any(r.method == "POST" for r in cli.sandbox.requests))
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143
    assert "Interrupted while sending; the change may or may not have been applied" in err
    assert "Traceback" not in err
    assert DEMO_AUTH_TOKEN not in err


def test_sigterm_before_sending_says_nothing_was_sent(cli: Cli) -> None:
    cli.sandbox.inject(Fault(delay=20.0, method="GET"))
    proc = subprocess.Popen(
        cli.argv("status"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
        cwd=cli.home,
    )
    try:
        _wait_for(lambda: len(cli.sandbox.requests) > 0)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143
    assert "Interrupted; nothing was sent." in err
