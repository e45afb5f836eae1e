"""The README's screenshots script keeps working: it writes one SVG per step."""

from __future__ import annotations

from pathlib import Path

from wizard.sandbox import DEMO_API_KEY, DEMO_AUTH_TOKEN
from wizard.screenshots import main


def test_screenshots_script_writes_every_step(tmp_path: Path) -> None:
    assert main([str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.glob("*.svg"))
    assert names == [
        "01-connect.svg",
        "02-plivo.svg",
        "03-agents.svg",
        "04-mapping.svg",
        "05-review.svg",
        "06-result.svg",
        "07-phone-numbers.svg",
    ]
    result = (tmp_path / "06-result.svg").read_text(encoding="utf-8")
    assert "Ultravox&#160;created&#160;the&#160;Plivo&#160;config" in result
    for path in tmp_path.glob("*.svg"):
        text = path.read_text(encoding="utf-8")
        assert DEMO_AUTH_TOKEN not in text and DEMO_API_KEY not in text
