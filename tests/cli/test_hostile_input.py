"""Issue 8, input that used to be accepted: blank mapping rows, unusable tokens with
`--no-verify-plivo`, bad API base URLs, `--file` that is not a small regular file or nests
too deeply. Each is exit 2 with one line, and nothing is sent."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from tests.cli.test_inprocess import env, one_error_line
from wizard import cli
from wizard.commands import apply
from wizard.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Sandbox

__all__ = ["env"]  # the fixture, re-used


def _apply(*args: str) -> int:
    return cli.main(["apply", "--yes", "--auth-id", DEMO_AUTH_ID, "--all-agents", *args])


@pytest.mark.parametrize("row", ["=", " = ", "From=", "=user.phone"])
def test_blank_map_rows_are_exit_2(
    env: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    row: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(DEMO_AUTH_TOKEN + "\n"))
    assert _apply("--auth-token-stdin", "--map", row) == 2
    assert one_error_line(capsys.readouterr().err).startswith("Context mapping:")
    assert env.requests == []


def test_file_with_an_empty_mapping_key_is_exit_2(
    env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plivo.json"
    path.write_text('{"contextMapping": {"": ""}}')
    assert _apply("--file", str(path)) == 2
    assert "mapping row is empty" in one_error_line(capsys.readouterr().err)
    assert env.requests == []


@pytest.mark.parametrize(
    "token",
    [
        "A" * 20 + "\x00" + "B" * 19,
        "A" * 20 + "\x1b" + "B" * 19,
        "A" * 20 + "é" + "B" * 19,
        "A" * 10_000,
    ],
    ids=["nul", "escape", "non-ascii", "10k"],
)
def test_unusable_token_is_refused_even_without_verification(
    env: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    token: str,
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    assert _apply("--auth-token-stdin", "--no-verify-plivo") == 2
    line = one_error_line(capsys.readouterr().err)
    assert "Auth Token" in line
    assert token not in line
    assert env.requests == []


@pytest.mark.parametrize(
    ("option", "value", "problem"),
    [
        ("--api-base", "http://127.0.0.1:99999", "port"),
        ("--api-base", "ftp://example.com", "https://"),
        ("--api-base", "not a url", "spaces"),
        ("--api-base", "https://", "no host"),
        ("--plivo-api-base", "http://127.0.0.1:0", "port"),
        ("--plivo-api-base", "file:///etc/passwd", "https://"),
    ],
)
def test_bad_api_bases_are_exit_2_naming_the_value(
    env: Sandbox,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    problem: str,
) -> None:
    assert cli.main(["status", option, value]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"{option} {value!r} is not a usable API base URL")
    assert problem in line
    assert env.requests == []


def test_bad_api_base_from_the_environment_names_the_variable(
    env: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLIVO_API_BASE", "ftp://example.com")
    assert cli.main(["status"]) == 2
    assert one_error_line(capsys.readouterr().err).startswith("PLIVO_API_BASE 'ftp://")


def test_api_base_with_a_password_is_not_quoted(
    env: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["status", "--api-base", "ftp://user:hunter22secret@example.com"]) == 2
    assert "hunter22secret" not in capsys.readouterr().err


def test_file_that_is_not_regular_is_refused_at_once(
    env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "plivo.json"
    os.mkfifo(fifo)  # opening it for reading would block forever without a writer
    assert _apply("--file", str(fifo)) == 2
    assert "is not a regular file" in one_error_line(capsys.readouterr().err)
    assert _apply("--file", "/dev/zero") == 2
    assert "is not a regular file" in one_error_line(capsys.readouterr().err)
    assert _apply("--file", str(tmp_path)) == 2
    assert "is not a regular file" in one_error_line(capsys.readouterr().err)
    assert env.requests == []


def test_file_over_the_size_cap_is_refused_before_reading(
    env: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "plivo.json"
    with path.open("wb") as handle:
        handle.truncate(apply.MAX_FILE_BYTES + 1)  # sparse: big without writing a megabyte
    # A file that grows without end (like /dev/zero, but regular) would never be read whole.
    monkeypatch.setattr(apply.os, "fdopen", _no_reading)
    assert _apply("--file", str(path)) == 2
    assert f"at most {apply.MAX_FILE_BYTES:,} bytes" in one_error_line(capsys.readouterr().err)
    assert env.requests == []


def _no_reading(*args: object, **kwargs: object) -> object:
    raise AssertionError("read the file although it was too big")


@pytest.mark.parametrize(
    ("suffix", "content"),
    [
        (".json", '{"contextMapping": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        (".toml", "map = " + "[" * 100_000 + "]" * 100_000),
        (".json", '{"agents": ' + "[" * 20 + "]" * 20 + "}"),
        (".toml", "a = " + "{b = " * 30 + "1" + "}" * 30),
    ],
    ids=["json-deep", "toml-deep", "json-nested", "toml-nested"],
)
def test_deeply_nested_files_are_exit_2(
    env: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
    content: str,
) -> None:
    path = tmp_path / f"plivo{suffix}"
    path.write_text(content)
    assert _apply("--file", str(path)) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "nested too deeply" in line or "is not valid TOML" in line
    assert env.requests == []


def test_recursion_error_never_escapes(
    env: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    limit = sys.getrecursionlimit()
    path = tmp_path / "plivo.json"
    path.write_text('{"agents": ' + "[" * (limit * 2) + "]" * (limit * 2) + "}")
    assert _apply("--file", str(path)) == 2
    assert "nested too deeply" in one_error_line(capsys.readouterr().err)


def test_a_file_holding_null_is_not_called_too_deep(tmp_path: Path) -> None:
    from wizard.commands.apply import read_file
    from wizard.core.errors import UsageError

    path = tmp_path / "config.json"
    path.write_text("null", encoding="utf-8")
    with pytest.raises(UsageError, match="expected an object of fields"):
        read_file(path)
