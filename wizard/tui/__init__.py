"""The Textual wizard. Importing this package is cheap: Textual loads only in `run_wizard`."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wizard.core import collector

if TYPE_CHECKING:
    from wizard.flow.context import ContextRecipe

__all__ = ["WizardOptions", "run_wizard"]


@dataclass
class WizardOptions:
    """What the terminal face needs from the command line; the CLI fills it in."""

    context: ContextRecipe = field(default_factory=lambda: _recipe())
    """How to open the run context (API bases, store, demo), after the first frame."""
    no_mouse: bool = False
    debug: bool = False
    no_blink: bool = False
    """No cursor blink (also implied by SSH_CONNECTION): an idle wizard then sends nothing."""
    log_dir: Path | None = None
    """Where `--debug` writes wizard.log; None: the platform's user log dir."""

    @property
    def blink(self) -> bool:
        return not (self.no_blink or os.environ.get("SSH_CONNECTION"))


def _recipe() -> ContextRecipe:
    from wizard.flow.context import ContextRecipe

    return ContextRecipe()


def run_wizard(options: WizardOptions) -> int:
    """Run the wizard in this terminal and return the process exit code.

    With `debug`, log lines go to a file (on stderr they would tear through the screen), and
    its path is printed once the terminal is restored.
    """
    collector.pause()  # already paused when the command line started us
    try:
        return _run(options)
    finally:
        collector.resume()


GC_RESUME_DELAY = 1.0
"""Seconds after the first screen before the paused collector resumes: its first pass walks
every object made during start-up (about 15 ms), so it must not land on the first screen's
last frames, which come a refresh or two after the footer's keys."""


def _run(options: WizardOptions) -> int:
    from wizard.tui.app import WizardApp
    from wizard.tui.debug_log import start_debug_log, stop_debug_log

    log_path = start_debug_log(options.log_dir) if options.debug else None
    try:
        app = WizardApp(options)
        app.after_first_frame(
            lambda: app.set_timer(GC_RESUME_DELAY, lambda: collector.resume(freeze=True))
        )
        result = app.run(mouse=not options.no_mouse)
        # Left on the normal screen, so the result stays in the scrollback (as gh auth login).
        for line in app.exit_summary():
            print(line)
        return app.exit_code_for(result)
    finally:
        if log_path is not None:
            stop_debug_log()
            print(f"Debug log: {log_path}", file=sys.stderr)
