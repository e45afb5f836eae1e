"""The agents step against a sandbox with 10,000 agents, with the same run against 25 as baseline.

Run: uv run python benchmarks/agents_10k.py [--agents 10000] [--baseline-agents 25]
The sandbox serves from this process over loopback; each wizard runs in a child process of its
own (so its peak memory, ru_maxrss, is the wizard's alone) as the real WizardApp under
App.run_test at 80x24. The child connects with the demo key (the app's own `use_account`),
jumps to the agents step (`go_to("agents")`, which starts the background load) and measures:
- first page visible: from the jump to the first screen refresh after the list got its first
  agents;
- all loaded: from the jump to the first refresh after the last page;
- filter keystroke: typing "support" into the search field and deleting it again, from each
  key press to the screen refresh it caused (median);
- peak memory: the child's ru_maxrss at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import Row, markdown, ratio

QUERY = "support"
TIMEOUT = 120.0
FILTER_TARGET_MS = 30.0


async def _child(base_url: str) -> dict[str, Any]:
    from wizard.core.credentials import CredentialStore, MemoryKeyring
    from wizard.flow.context import ContextRecipe
    from wizard.sandbox import DEMO_API_KEY
    from wizard.tui import WizardOptions
    from wizard.tui.app import WizardApp
    from wizard.tui.steps.agents import AgentPicker, AgentsStep

    recipe = ContextRecipe(
        api_base=base_url,
        plivo_api_base=base_url,
        store=CredentialStore(MemoryKeyring(), environ={}),
        remember=False,
    )
    options = WizardOptions(recipe, no_blink=True)
    app = WizardApp(options)
    refreshes: list[float] = []

    async def refresh_after(stamp: float) -> float:
        deadline = time.perf_counter() + TIMEOUT
        while time.perf_counter() < deadline:
            for when in refreshes:
                if when > stamp:
                    return when
            await asyncio.sleep(0.0005)
        raise TimeoutError("no screen refresh")

    async def until(predicate: Any) -> float:
        deadline = time.perf_counter() + TIMEOUT
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError("condition never held")
            await asyncio.sleep(0.0005)
        return time.perf_counter()

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        original = screen._compositor_refresh

        def counted() -> None:
            original()
            refreshes.append(time.perf_counter())

        screen._compositor_refresh = counted  # type: ignore[method-assign]

        app.session.type_api_key(DEMO_API_KEY)
        await app.session.check_key()
        await app.ensure_step("agents")  # later steps mount on first visit
        step = app.query_one(AgentsStep)
        picker = app.query_one(AgentPicker)

        start = time.perf_counter()
        app.go_to("agents")
        has_rows = await until(lambda: picker.option_count > 0)
        first_page = await refresh_after(has_rows) - start
        done = await until(lambda: step.loading_complete)
        all_loaded = await refresh_after(done) - start
        await pilot.pause()

        app.query_one("#agents-search").focus()
        await pilot.pause()
        keys = [*QUERY, *["backspace"] * len(QUERY)]
        latencies: list[float] = []
        for name in keys:
            await asyncio.sleep(0.05)  # a typist's pace; lets any earlier frame finish
            pressed = time.perf_counter()
            await pilot.press(name)
            latencies.append((await refresh_after(pressed) - pressed) * 1000)
        loaded = len(step._catalog)
        await app.session.aclose()

    return {
        "first_page_ms": first_page * 1000,
        "all_loaded_ms": all_loaded * 1000,
        "filter_ms": latencies,
        "loaded": loaded,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def run_child(agent_count: int) -> dict[str, Any]:
    from wizard.sandbox import Sandbox

    with Sandbox(agent_count=agent_count).start() as sandbox:
        out = subprocess.run(
            [sys.executable, __file__, "--child", sandbox.base_url],
            capture_output=True,
            text=True,
            timeout=TIMEOUT * 3,
            check=False,
        )
    if out.returncode != 0:
        raise RuntimeError(f"child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run(agents: int = 10_000, baseline_agents: int = 25) -> dict[str, float]:
    """One run, as named figures (ms, MiB) for run_all.py."""
    big = run_child(agents)
    small = run_child(baseline_agents)
    return {
        "agents.first_page": big["first_page_ms"],
        "agents.base.first_page": small["first_page_ms"],
        "agents.all_loaded": big["all_loaded_ms"],
        "agents.base.all_loaded": small["all_loaded_ms"],
        "agents.filter": statistics.median(big["filter_ms"]),
        "agents.base.filter": statistics.median(small["filter_ms"]),
        "agents.maxrss": big["maxrss_kb"] / 1024,
        "agents.base.maxrss": small["maxrss_kb"] / 1024,
    }


def measure(agents: int = 10_000, baseline_agents: int = 25) -> list[Row]:
    big = run_child(agents)
    small = run_child(baseline_agents)
    big_filter = statistics.median(big["filter_ms"])
    small_filter = statistics.median(small["filter_ms"])
    label = f"{baseline_agents} agents"
    return [
        Row(
            f"agents step, {agents:,} agents: first page visible",
            f"{big['first_page_ms']:.0f} ms",
            f"{small['first_page_ms']:.0f} ms ({label})",
            ratio(big["first_page_ms"], small["first_page_ms"]),
        ),
        Row(
            f"agents step, {agents:,} agents: all loaded ({big['loaded']:,})",
            f"{big['all_loaded_ms']:.0f} ms",
            f"{small['all_loaded_ms']:.0f} ms ({label})",
            ratio(big["all_loaded_ms"], small["all_loaded_ms"]),
        ),
        Row(
            f"agents step, {agents:,} agents: filter keystroke to refresh "
            f"(median of {len(big['filter_ms'])}, max {max(big['filter_ms']):.1f} ms)",
            f"{big_filter:.1f} ms",
            f"{small_filter:.1f} ms ({label})",
            f"{ratio(big_filter, small_filter)}; target < {FILTER_TARGET_MS:.0f} ms: "
            f"{'met' if big_filter < FILTER_TARGET_MS else 'missed'}",
        ),
        Row(
            f"agents step, {agents:,} agents: peak memory (maxrss of the wizard process)",
            f"{big['maxrss_kb'] / 1024:.0f} MiB",
            f"{small['maxrss_kb'] / 1024:.0f} MiB ({label})",
            f"{ratio(big['maxrss_kb'], small['maxrss_kb'])} "
            f"(+{(big['maxrss_kb'] - small['maxrss_kb']) / 1024:.0f} MiB)",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--baseline-agents", type=int, default=25)
    parser.add_argument("--child", metavar="BASE_URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(args.child))))
        return
    print(markdown(measure(args.agents, args.baseline_agents)))


if __name__ == "__main__":
    main()
