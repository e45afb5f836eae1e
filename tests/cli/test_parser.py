"""The command line as a scripter meets it: each command's help, usage errors in one line,
"did you mean", and global options accepted on either side of the command, where they apply."""

from __future__ import annotations

from typing import Any

import pytest

from wizard import cli
from wizard.commands.parser import GLOBAL_OPTIONS, build_parser

COMMANDS = ["apply", "status", "delete", "login", "logout", "numbers", "link", "sandbox"]
GLOBAL_FLAGS = [flag for flag, _ in GLOBAL_OPTIONS.values()]


def help_text(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert cli.main([*args, "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_help_has_examples_and_only_its_own_options(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_text(capsys, command)
    examples = text.split("\nexamples:\n", 1)[1]
    assert f"  ultravox-plivo {command}" in examples
    options = text.split("\noptions:\n", 1)[1].split("\nexamples:\n", 1)[0]
    for flag in GLOBAL_FLAGS:  # listed once, in the top-level help
        assert flag not in options
        assert flag not in text.split("\n\n", 1)[0]  # nor in the usage line
    assert "see `ultravox-plivo --help`" in text.replace("\n", " ")


def test_top_level_help_lists_each_global_option_once(capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text(capsys)
    section = text.split("\nglobal options:\n", 1)[1]
    for flag in GLOBAL_FLAGS:
        assert section.count(f"  {flag}") == 1
    assert "\nexamples:\n" in text


def test_json_help_points_at_the_readme_not_a_repository_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = " ".join(help_text(capsys).split())
    assert "docs/cli-json.md" not in text
    assert "the shapes are in the README" in text


def test_sandbox_help_names_only_the_global_options_it_takes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = " ".join(help_text(capsys, "sandbox").split())
    assert "Global options it takes, before or after `sandbox`: --json, --debug" in text


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["aply"], "ultravox-plivo: unknown command 'aply'; did you mean apply?"),
        (["stauts"], "ultravox-plivo: unknown command 'stauts'; did you mean status?"),
        (
            ["frobnicate"],
            "ultravox-plivo: unknown command 'frobnicate'; the commands are apply, status,"
            " delete, login, logout, numbers, link, sandbox, serve.",
        ),
        (
            ["apply", "--agent", "x", "--all-agents"],
            "ultravox-plivo apply: --agent and --all-agents do not go together:"
            " give one or the other.",
        ),
        (
            ["apply", "--dryrun"],
            "ultravox-plivo apply: unknown option --dryrun; did you mean --dry-run?",
        ),
        (
            ["link", "--agent", "x"],
            "ultravox-plivo link: --number is required (see `ultravox-plivo link --help`).",
        ),
        (
            ["sandbox", "--insecure-storage"],
            "ultravox-plivo sandbox: --insecure-storage does not apply here: the sandbox is its"
            " own API and keeps no secrets.",
        ),
        (
            ["--insecure-storage", "sandbox"],
            "ultravox-plivo sandbox: --insecure-storage does not apply here: the sandbox is its"
            " own API and keeps no secrets.",
        ),
        (
            ["status", "--no-mouse"],
            "ultravox-plivo status: --no-mouse does not apply here: it is for the wizard only.",
        ),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    argv: list[str], line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err == line + "\n"
    assert captured.out == ""


@pytest.mark.parametrize("before", [True, False])
def test_global_options_parse_on_either_side_of_the_command(before: bool) -> None:
    options = ["--api-base", "http://127.0.0.1:1", "--json", "--debug", "--insecure-storage"]
    argv = [*options, "status"] if before else ["status", *options]
    args, extra = build_parser().parse_known_args(argv)
    assert extra == []
    assert (args.api_base, args.json, args.debug, args.insecure_storage) == (
        "http://127.0.0.1:1",
        True,
        True,
        True,
    )
    assert (args.plivo_api_base, args.demo) == (None, False)


def test_readme_lists_the_global_options_and_the_json_shapes() -> None:
    from tests.cli.conftest import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = readme.split("\n## Commands\n", 1)[1].split("\n## ", 1)[0]
    for flag in GLOBAL_FLAGS:
        assert f"| `{flag}" in commands
    shapes = commands.split("\n### `--json` output\n", 1)[1]
    for command in COMMANDS:
        assert f"| `{command}` |" in shapes


def test_the_wizard_builds_no_command_and_a_command_builds_only_itself() -> None:
    # Starting the wizard parses only the global options: each command's options (and
    # help text) are filled in once that command is parsed or its help shown.
    parser = build_parser()
    args, _ = parser.parse_known_args(["--demo"])
    assert args.command is None
    assert all(command.fill_in is not None for command in parser.commands.values())
    args, _ = parser.parse_known_args(["status", "--json"])
    assert args.handler == "wizard.commands.status" and args.json
    filled = [name for name, command in parser.commands.items() if command.fill_in is None]
    assert filled == ["status"]
    assert "--auth-id" in parser.commands["apply"].format_help()


def test_the_collector_is_paused_for_start_up_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # A command runs with the cyclic collector on; the wizard starts with it paused (it
    # resumes after the first screen), and main() never returns with it off.
    import gc

    seen: list[tuple[str | None, bool]] = []

    def run(args: Any, out: object, state: object) -> int:
        seen.append((args.command, gc.isenabled()))
        return 0

    monkeypatch.setattr(cli, "_run", run)
    assert cli.main(["status"]) == 0
    assert cli.main([]) == 0
    assert seen == [("status", True), (None, False)]
    assert gc.isenabled()


@pytest.mark.parametrize(
    "argv", [["--dmeo"], ["--json", "--bogus"], ["--version"], ["--demo", "--api-base"]]
)
def test_options_alone_read_the_same_without_the_commands_parsers(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No word names a command, so only the global options' parser is built: what a user sees
    # is what the whole parser says.
    import wizard.commands.parser as parser_module

    assert not parser_module.names_a_command(argv)
    assert parser_module.names_a_command(["--hel"])  # a prefix of --help lists the commands
    fast = (cli.main(argv), capsys.readouterr())
    monkeypatch.setattr(parser_module, "names_a_command", lambda words: True)
    assert (cli.main(argv), capsys.readouterr()) == fast
