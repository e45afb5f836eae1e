"""The shape of the code, checked: the import contracts in pyproject.toml hold, and a
forbidden import is caught (so the check itself can fail)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(script), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_the_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert "0 broken" in result.stdout


def test_a_forbidden_import_is_caught(tmp_path: Path) -> None:
    """A copy of the package where the session imports the terminal face: the check fails."""
    shutil.copytree(ROOT / "wizard", tmp_path / "wizard", ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "wizard" / "flow" / "leak.py").write_text(
        '"""A session module reaching into a face."""\n\nfrom wizard.tui.app import WizardApp\n'
    )
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "the session imports no face BROKEN" in result.stdout
    assert "wizard.flow.leak -> wizard.tui.app" in result.stdout
