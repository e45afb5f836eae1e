"""Step 5: what changes, field by field, against what Ultravox holds; the exact body with the
token masked; Send (the wizard's Next) runs the session's send."""

from __future__ import annotations

import html
import json

import ipywidgets as widgets

from wizard.core.errors import RejectedError, UsageError
from wizard.core.plan import Plan
from wizard.flow.operations import plain_message
from wizard.flow.review_view import agents_cells, fix_places
from wizard.notebook.parts import Message, css
from wizard.notebook.steps.base import Step

ENDPOINT = "/api/telephony_configs/plivo"
_CELL = "padding:0.15em 1em 0.15em 0;text-align:left;vertical-align:top"
_TD, _TH = f'<td style="{_CELL}">', f'<th style="{_CELL}">'


class ReviewStep(Step):
    title = "Review"
    next_label = "Send"

    def build(self) -> list[widgets.Widget]:
        self.plan: Plan | None = None
        self.plan_error: str | None = None
        self.send_error: str | None = None
        self.sending = False
        self.go_back_to: int | None = None
        """The step index a refused field is fixed in (the wizard offers to go there)."""
        self.method = css(widgets.HTML(), "uvp-review-method")
        self.changes = css(widgets.HTML(), "uvp-review-changes")
        self.status = css(Message(), "uvp-send-status")
        self.body = css(widgets.HTML(), "uvp-review-body")
        return [
            self.method,
            self.changes,
            self.status,
            widgets.HTML("<b>Body to send (token masked)</b>"),
            self.body,
        ]

    def on_show(self) -> None:
        self.send_error = None
        self.go_back_to = None
        self.rebuild()

    def rebuild(self) -> None:
        try:
            self.plan, self.plan_error = self.session.plan(), None
        except UsageError as exc:
            self.plan, self.plan_error = None, plain_message(exc)
        self._render()
        self.show_status()

    def _render(self) -> None:
        plan = self.plan
        if plan is None:
            self.method.value = f"✗ {html.escape(self.plan_error or '')}"
            self.changes.value = self.body.value = ""
            return
        if plan.method == "POST":
            self.method.value = f"<b>POST {ENDPOINT}</b>: create the Plivo config."
        elif plan.method == "PATCH":
            n = len(plan.changed)
            self.method.value = (
                f"<b>PATCH {ENDPOINT}</b>: change {n} field{'s' if n != 1 else ''} of the config"
                " Ultravox holds."
            )
        else:
            self.method.value = "Nothing to send: Ultravox already holds exactly this."
        cells = ["<tr><th></th><th>Field</th><th>Current</th><th>New</th></tr>"]
        for change in plan.changes:
            current, new = change.current or "—", change.new or "—"
            if change.field == "callCreationAllowedAgentIds":
                current, new = agents_cells(self.session)
            mark = "• changed" if change.changed else ""
            style = ' style="font-weight:bold"' if change.changed else ""
            cells.append(
                f"<tr{style}><td>{mark}</td><td>{html.escape(change.label)}</td>"
                f"<td>{_cell(current)}</td><td>{_cell(new)}</td></tr>"
            )
        self.changes.value = (
            '<table class="uvp-diff" style="border-collapse:collapse">'
            + "".join(cells)
            + "</table>"
        )
        body = json.dumps(plan.display_body(), indent=2, ensure_ascii=False)
        self.body.value = f"<pre>{html.escape(body)}</pre>" if plan.method else ""

    def problems(self) -> list[str]:
        if self.plan_error:
            return [self.plan_error]
        if self.plan is None:
            return ["Nothing to review yet."]
        if self.plan.method is None:
            return ["Nothing to send: Ultravox already holds exactly this. Go Back to change it."]
        return []

    def go_on(self) -> bool:
        """Send runs in the background; the wizard moves on when the session says it is done."""
        self.send_error, self.go_back_to = None, None
        self.sending = True
        self.tasks.start(self._send(), group="send", blocks=True)
        self.show_status()
        return False

    async def _send(self) -> None:
        try:
            await self.session.send()
        except UsageError as exc:
            self.send_error = plain_message(exc)
        else:
            operation = self.session.send_op
            if operation.failed:
                self._failed(operation.message, operation.error)
        finally:
            self.sending = False
        self.show_status()
        self.changed()

    def _failed(self, message: str, exc: object) -> None:
        self.send_error = message
        if isinstance(exc, RejectedError) and exc.field_errors:
            places = fix_places(list(exc.field_errors))
            if places and self.go_back_to is None:
                self.go_back_to = places[0].number - 1
            if places:
                self.send_error += f" Fix it in {' and '.join(p.label for p in places)}."

    def show_status(self) -> None:
        if self.sending:
            self.status.show("busy", "… Sending to Ultravox")
        elif self.send_error:
            self.status.show("error", f"✗ {self.send_error}")
        elif self.plan is not None and self.plan.method is None:
            self.status.show("", "Nothing to send. Go Back to change something.")
        else:
            self.status.show("", "Nothing has been sent yet. Send saves this on Ultravox.")


def _cell(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")
