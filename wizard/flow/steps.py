"""The wizard's six steps, as every face names them (ids, and the short names of a step bar)."""

from __future__ import annotations

STEP_IDS = ("connect", "plivo", "agents", "mapping", "review", "result")
SHORT_NAMES = ("Connect", "Plivo", "Agents", "Mapping", "Review", "Result")
