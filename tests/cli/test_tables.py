"""Plan and result tables: measured in terminal cells, fitted to the terminal's width, and one
arrow style in everything the commands print."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from wizard import cli
from wizard.commands.output import Output, table
from wizard.sandbox import Sandbox


def test_wide_characters_align_by_cells() -> None:
    rows = [("客服代理", "+14155550123"), ("Support 🎧", "+14155550188"), ("Sales", "+1")]
    lines = table(("Agent", "Number"), rows, [" "] * 3)
    starts = {cell_len(line[: line.index("+")]) for line in lines[1:]}
    assert len(starts) == 1, lines  # the Number column starts at the same cell on every row


def test_a_table_fits_the_width_by_wrapping_not_cutting() -> None:
    url = "https://app.ultravox.ai/api/agents/6b2b6b8e-1c1e-4d5e-9f55-0f4f5a1f2c3d/telephony_xml"
    rows = [("Agents", "—", f"1 agent: 客服代理 {url}")]
    lines = table(("Field", "Current", "New"), rows, ["*"], width=60)
    assert max(cell_len(line) for line in lines) <= 60
    new_column = lines[1].index("1 agent")
    joined = "".join(line[new_column:] for line in lines[1:]).replace(" ", "")
    assert joined == f"1agent:客服代理{url}"  # every character is still there
    assert lines[1].startswith("* Agents")


def test_without_a_width_nothing_wraps() -> None:
    rows = [("x" * 200, "y")]
    assert len(table(("A", "B"), rows, [" "])) == 2


def test_output_width_follows_columns_and_not_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "61")
    assert Output(stdout=io.StringIO()).width == 61
    monkeypatch.delenv("COLUMNS")
    assert Output(stdout=io.StringIO()).width is None  # piped: wrap for no screen


def test_apply_plan_fits_a_60_column_terminal(
    private_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    argv = ["apply", "--demo", "--all-agents", "--map", "X-PH-CustomerName=customer.name"]
    assert cli.main([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    plan = out.split("(POST):\n", 1)[1].split("Body to send", 1)[0]
    assert max(cell_len(line) for line in plan.splitlines()) <= 60
    assert "X-PH-CustomerName →" in plan


ARROWS = re.compile(r" -> | => ")


def test_one_arrow_style_in_what_the_commands_print(
    private_home: Path,
    sandbox: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_ID, DEMO_AUTH_TOKEN

    monkeypatch.setenv("ULTRAVOX_API_BASE", sandbox.base_url)
    monkeypatch.setenv("PLIVO_API_BASE", sandbox.base_url)
    monkeypatch.setenv("ULTRAVOX_API_KEY", DEMO_API_KEY)
    monkeypatch.setenv("PLIVO_AUTH_TOKEN", DEMO_AUTH_TOKEN)
    agent = sandbox.agents[0]["agentId"]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    base = ["--auth-id", DEMO_AUTH_ID, "--yes"]
    assert cli.main(["apply", *base, "--agent", agent, "--map", "From=user.phone"]) == 0
    assert cli.main(["status"]) == 0
    number = "+14155550188"  # on another application: the plan shows what changes
    assert cli.main(["link", *base, "--agent", agent, "--number", number, "--dry-run"]) == 0
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "From → user.phone" in text
    assert not ARROWS.search(text), ARROWS.search(text)
