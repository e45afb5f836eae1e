"""Run inside a kernel by the notebook test: walk a demo `Wizard` to Result through its
widgets, sending each value as the browser does (`set_state`)."""

from __future__ import annotations

from wizard.notebook import Wizard


async def _next(wizard: Wizard) -> None:
    await wizard.idle()
    if wizard.next.disabled:
        raise AssertionError(f"Next is disabled on {wizard.step.title}: {wizard.status.value}")
    wizard.next.click()
    await wizard.idle()


async def walk_to_result(wizard: Wizard, token: str) -> None:
    """Demo key and Auth ID as prefilled; `token` typed (Plivo does not know it, so verifying
    is turned off, as a user would); all agents; one mapping row; Send."""
    await _next(wizard)  # Connect: the demo key, checked
    wizard.plivo.token.password.set_state({"value": token})
    await wizard.idle()
    wizard.plivo.verify_box.set_state({"value": False})
    await _next(wizard)
    wizard.agents.allow_all.set_state({"value": True})
    await _next(wizard)
    row = wizard.mapping.rows[0]
    row.request.set_state({"value": "From"})
    row.context.set_state({"value": "user.phone_number"})
    await _next(wizard)  # Review
    await _next(wizard)  # Send
