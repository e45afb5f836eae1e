"""The real wizard opened straight at the mapping step with 100 rows, for mapping_keystroke.py.

Run: uv run python benchmarks/mapping_app.py   (Ctrl+Q quits)
The wizard has no "start at step N" option, so this subclass of WizardApp loads 100 rows into
the MappingStep (its public `load_model`) and jumps there with the app's own `go_to("mapping")`
once the first screen is up. Everything else is the wizard as `--demo` runs it: same stylesheet,
title, progress line, status line and footer, the demo credential store and a loopback sandbox.
Blinking follows the wizard's rules (off when SSH_CONNECTION is set).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mapping_analysis import clean_rows

import wizard.tui
from wizard.core.mapping import mapping_from_rows
from wizard.flow.context import ContextRecipe
from wizard.sandbox import Sandbox
from wizard.tui import WizardOptions
from wizard.tui.app import WizardApp
from wizard.tui.steps.mapping import MappingStep

READY_MARKER = "100 fields mapped"
"""The mapping step's summary line once all 100 rows are in and checked."""


class MappingBenchApp(WizardApp):
    """WizardApp that opens at step 4 with 100 preloaded rows."""

    # CSS_PATH resolves against the subclass's own file: point it back at the wizard's sheet.
    CSS_PATH = str(Path(wizard.tui.__file__).parent / "wizard.tcss")

    def on_mount(self) -> None:
        self.call_after_refresh(self._preload_rows)

    async def _preload_rows(self) -> None:
        await self.ensure_step("mapping")  # later steps mount on first visit
        self.query_one(MappingStep).load_model(mapping_from_rows(clean_rows()))
        self.call_after_refresh(self.go_to, "mapping")


def main() -> int:
    with Sandbox().start() as sandbox:
        options = WizardOptions(ContextRecipe(demo=True, sandbox=sandbox))
        app = MappingBenchApp(options)
        app.run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
