"""Screenshots of every wizard step in demo mode: `python -m wizard.screenshots [DIR]`.

The README's pictures come from here, never by hand, so they cannot drift from the app.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

SIZE = (80, 24)
DEMO_MAPPING = {"From": "user.phone_number", "To": "call.to", "X-PH-Plan": "user.plan"}


async def _settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def capture(outdir: Path) -> list[Path]:
    """Drive a demo wizard through all six steps, saving `NN-step.svg` for each."""
    from wizard.flow.context import ContextRecipe
    from wizard.sandbox import Sandbox
    from wizard.tui import WizardOptions
    from wizard.tui.app import STEP_IDS, WizardApp
    from wizard.tui.steps.agents import AgentSelection, AgentsStep
    from wizard.tui.steps.mapping import MappingStep

    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with Sandbox() as sandbox:
        options = WizardOptions(ContextRecipe(demo=True, sandbox=sandbox), no_blink=True)
        app = WizardApp(options)
        async with app.run_test(size=SIZE) as pilot:

            async def shoot() -> None:
                await _settle(pilot)
                number = app.step_index + 1
                name = f"{number:02d}-{STEP_IDS[app.step_index]}.svg"
                app.save_screenshot(name, path=str(outdir))
                written.append(outdir / name)

            async def next_step() -> None:
                await pilot.press("ctrl+n")
                await _settle(pilot)

            await shoot()  # 1 Connect: demo key prefilled and checked
            await next_step()
            await shoot()  # 2 Plivo: demo credentials prefilled and verified
            await next_step()
            ids = tuple(agent["agentId"] for agent in sandbox.agents[:3])
            app.query_one(AgentsStep).load_model(AgentSelection(allow_all=False, agent_ids=ids))
            await shoot()  # 3 Agents
            await next_step()
            app.query_one(MappingStep).load_model(DEMO_MAPPING)
            await shoot()  # 4 Mapping
            await next_step()
            await shoot()  # 5 Review
            await next_step()
            await shoot()  # 6 Result
            await pilot.press("p")  # the optional phone-numbers step
            await _settle(pilot)
            number = app.screen.query(".number-choice").last()
            number.value = ids[1]  # type: ignore[attr-defined]
            await _settle(pilot)
            app.save_screenshot("07-phone-numbers.svg", path=str(outdir))
            written.append(outdir / "07-phone-numbers.svg")
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    outdir = Path(args[0]) if args else Path("screenshots")
    for path in asyncio.run(capture(outdir)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
