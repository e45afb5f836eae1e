"""wizard.core must stay importable without Textual (the CLI, scripts and notebooks use it)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import wizard.core

CORE_DIR = Path(wizard.core.__file__).parent

# Imports every module under wizard.core in a fresh interpreter, then reports what got loaded.
_PROBE = """
import importlib, pkgutil, sys
import wizard.core
names = sorted(m.name for m in pkgutil.walk_packages(wizard.core.__path__, "wizard.core."))
for name in names:
    importlib.import_module(name)
print("MODULES", *names)
print("TEXTUAL", *sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.")))
"""


def _core_files() -> list[Path]:
    return sorted(CORE_DIR.rglob("*.py"))


def _expected_modules() -> set[str]:
    """Dotted names of every module and subpackage under wizard/core, from the files."""
    names = set()
    for path in _core_files():
        parts = path.relative_to(CORE_DIR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            names.add(".".join(("wizard", "core", *parts)))
    return names


def test_importing_all_of_core_loads_no_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    parts = (line.partition(" ") for line in result.stdout.splitlines())
    lines = {head: tail for head, _, tail in parts}
    modules = lines["MODULES"].split()
    # The probe really walked the package (it would pass vacuously otherwise).
    assert "wizard.core.models" in modules
    assert "wizard.core.mapping" in modules
    assert "wizard.core.plan" in modules
    assert set(modules) == _expected_modules()
    assert lines["TEXTUAL"] == ""


def _textual_imports(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names = [str(node.args[0].value)]
        else:
            continue
        found += [n for n in names if n == "textual" or n.startswith("textual.")]
    return found


def test_no_core_source_mentions_a_textual_import() -> None:
    # Catches imports hidden in functions or behind TYPE_CHECKING, which the probe cannot see.
    offenders = {
        str(path.relative_to(CORE_DIR)): hits
        for path in _core_files()
        if (hits := _textual_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_static_check_can_fail() -> None:
    assert _textual_imports("def f():\n    from textual.app import App\n") == ["textual.app"]
    assert _textual_imports("import textual") == ["textual"]
    assert _textual_imports("importlib.import_module('textual.widgets')") == ["textual.widgets"]
    assert _textual_imports("import textualize_other, json") == []
