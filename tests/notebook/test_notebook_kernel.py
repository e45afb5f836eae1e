"""The example notebook on a real kernel (nbclient), walked to Result through the widgets, saved
with widget state: the token typed into the wizard is nowhere in the saved file."""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).parents[2] / "docs" / "notebook.ipynb"

# The walk, as the browser would send each value. The canary comes from the environment, so
# the cells themselves (saved too) never hold it.
WALK = [
    """\
import os
from tests.notebook.kernel_walk import walk_to_result
await walk_to_result(wizard, os.environ["UVP_CANARY"])
print("step", wizard.index + 1, wizard.step.title)
print("prefix", wizard.result.prefix.value)
print("urls", wizard.result.urls)
""",
]


def canary_token() -> str:
    """40 characters, letters and digits: looks like a Plivo token, found by nothing else."""
    alphabet = string.ascii_letters + string.digits
    return "Canary" + "".join(secrets.choice(alphabet) for _ in range(34))


def test_the_example_notebook_is_saved_without_outputs() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert "widgets" not in nb.metadata
    assert any("Wizard(demo=DEMO)" in cell.source for cell in nb.cells)


def test_the_notebook_walks_to_result_and_saves_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = canary_token()
    monkeypatch.setenv("UVP_CANARY", canary)
    root = Path(__file__).parents[2]
    monkeypatch.setenv("PYTHONPATH", str(root))  # the kernel imports tests.notebook.kernel_walk
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.extend(nbformat.v4.new_code_cell(source) for source in WALK)
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nb, saved)
    text = saved.read_text()

    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    assert "step 6 Result" in out, out
    assert f">{canary[:6]}<" in out  # the prefix Ultravox returned: the token got there
    assert "https://app.ultravox.ai/api/agents/{agent_id}/telephony_xml" in out
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = [m["model_name"] for m in state.values()]
    assert models.count("PasswordModel") == 2  # the key and the token fields were saved...
    for model in state.values():
        if model["model_name"] == "PasswordModel":
            assert model["state"]["value"] == ""  # ...empty
    assert canary not in text
    assert canary[6:] not in text
    assert canary not in json.dumps(nb.cells[-1].outputs)
