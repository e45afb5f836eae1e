"""The Textual wizard. Importing this package is cheap: Textual loads only in `run_wizard`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
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

    @property
    def blink(self) -> bool:
        return not (self.no_blink or os.environ.get("SSH_CONNECTION"))


def run_wizard(options: WizardOptions) -> int:
    """Run the wizard in this terminal and return the process exit code."""
    from wizard.tui.app import WizardApp

    app = WizardApp(options)
    result = app.run(mouse=not options.no_mouse)
    return app.exit_code_for(result)
