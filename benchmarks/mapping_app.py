"""The real wizard opened straight at the mapping step with N rows (100 by default).

Run: uv run python benchmarks/mapping_app.py [--rows 500] [--open-report FILE]   (Ctrl+Q quits)
The wizard has no "start at step N" option, so this subclass of WizardApp, once the first
screen is up, mounts the MappingStep (`ensure_step`, as a first visit does), loads N rows (its
public `load_model`) and shows it with the app's own `go_to("mapping")`. With --open-report it
writes how long that took, in ms, from asking for the step to the end of the first refresh that
shows it (`call_after_refresh`). Everything else is the wizard as `--demo` runs it: same
stylesheet, title, progress line, status line and footer, the demo credential store and a
loopback sandbox. Blinking follows the wizard's rules (off when SSH_CONNECTION is set).
"""

from __future__ import annotations

import argparse
import sys
import time
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


def ready_marker(rows: int) -> str:
    """The mapping step's summary line once all rows are in and checked."""
    return f"{rows} fields mapped"


class MappingBenchApp(WizardApp):
    """WizardApp that opens at step 4 with `rows` preloaded rows."""

    # CSS_PATH resolves against the subclass's own file: point it back at the wizard's sheet.
    CSS_PATH = str(Path(wizard.tui.__file__).parent / "wizard.tcss")

    def __init__(self, options: WizardOptions, rows: int, report: Path | None) -> None:
        super().__init__(options)
        self.rows = rows
        self.report = report
        self.asked = 0.0

    def on_mount(self) -> None:
        self.call_after_refresh(self._open_mapping)

    async def _open_mapping(self) -> None:
        self.asked = time.perf_counter()
        await self.ensure_step("mapping")  # later steps mount on first visit
        self.query_one(MappingStep).load_model(mapping_from_rows(clean_rows(self.rows)))
        self.go_to("mapping")
        self.call_after_refresh(self._opened)

    def _opened(self) -> None:
        if self.report is not None:
            self.report.write_text(f"{(time.perf_counter() - self.asked) * 1000:.1f}\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100)
    parser.add_argument("--open-report", type=Path)
    args = parser.parse_args()
    with Sandbox().start() as sandbox:
        options = WizardOptions(ContextRecipe(demo=True, sandbox=sandbox))
        MappingBenchApp(options, args.rows, args.open_report).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
