"""The Textual wizard. Importing this package is cheap: Textual loads only in `run_wizard`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.core.credentials import CredentialStore
    from wizard.core.http import HttpSettings
    from wizard.sandbox import Sandbox

__all__ = ["WizardOptions", "run_wizard"]


@dataclass
class WizardOptions:
    """Everything the wizard needs from the command line; the CLI fills it in."""

    api_base: str
    plivo_api_base: str
    demo: bool = False
    insecure_storage: bool = False
    no_mouse: bool = False
    debug: bool = False
    sandbox: Sandbox | None = None
    store: CredentialStore | None = None
    """Where secrets are read from and saved to; None: the default keyring-backed store."""
    no_blink: bool = False
    """No cursor blink (also implied by SSH_CONNECTION): an idle wizard then sends nothing."""
    http_settings: HttpSettings | None = None
    """Timeouts and retries for the clients (tests make backoff instant)."""
    prepare: Callable[[WizardOptions], None] | None = None
    """Setup the CLI leaves until after the first frame: run once, in a thread, before the
    store or a client is used. It may fill in `api_base`, `plivo_api_base`, `sandbox` and
    `store` (e.g. start the demo sandbox), so the first frame waits for none of that."""
    environ: Mapping[str, str] | None = None
    """The environment read for PLIVO_AUTH_ID; None: os.environ (none at all in demo mode).
    Tokens and keys come through the store, which reads its own environment."""
    use_settings: bool = False
    """Read the last-used Auth ID from the settings file and write it after a successful send.
    The CLI turns this on (never in demo mode); off, the wizard touches no settings file."""
    settings_path: Path | None = None
    """The settings file; None: the platform's user config dir."""
    log_dir: Path | None = None
    """Where `--debug` writes wizard.log; None: the platform's user log dir."""

    @property
    def blink(self) -> bool:
        return not (self.no_blink or os.environ.get("SSH_CONNECTION"))


def run_wizard(options: WizardOptions) -> int:
    """Run the wizard in this terminal and return the process exit code.

    With `debug`, log lines go to a file (on stderr they would tear through the screen), and
    its path is printed once the terminal is restored.
    """
    from wizard.tui.app import WizardApp
    from wizard.tui.debug_log import start_debug_log, stop_debug_log

    log_path = start_debug_log(options.log_dir) if options.debug else None
    try:
        app = WizardApp(options)
        result = app.run(mouse=not options.no_mouse)
        return app.exit_code_for(result)
    finally:
        if log_path is not None:
            stop_debug_log()
            print(f"Debug log: {log_path}", file=sys.stderr)
