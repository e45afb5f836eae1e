"""Step 6: the token prefix Ultravox returned, the answer URLs whole with a copy button, and
the credentials stored only now, after Ultravox accepted them."""

from __future__ import annotations

import asyncio
import html
import json

import ipywidgets as widgets

from wizard.core.models import answer_urls
from wizard.flow.precedence import prefix_note
from wizard.flow.result_view import PLIVO_CONSOLE_STEPS
from wizard.notebook.parts import Message, css
from wizard.notebook.steps.base import Step


def copy_button_html(urls: list[str]) -> str:
    """The URLs in a <pre> and a button copying them (in the browser: the kernel has no
    clipboard). `navigator.clipboard` needs a secure context; localhost is one."""
    text = "\n".join(urls)
    payload = html.escape(json.dumps(text), quote=True)
    script = (
        f"navigator.clipboard.writeText({payload}).then("
        "()=>{this.textContent='Copied'},()=>{this.textContent='Select the text and copy'})"
    )
    return (
        f'<pre class="uvp-answer-urls" style="white-space:pre;overflow-x:auto;user-select:all">'
        f"{html.escape(text)}</pre>"
        f'<button class="uvp-copy jupyter-button" onclick="{script}">Copy</button>'
    )


class ResultStep(Step):
    title = "Result"

    def build(self) -> list[widgets.Widget]:
        self.urls: list[str] = []
        self.stored: str | None = None
        self.headline = css(Message(), "uvp-result-headline")
        self.prefix = css(widgets.HTML(), "uvp-token-prefix")
        self.prefix_check = css(Message(), "uvp-prefix-check")
        self.urls_label = widgets.HTML("<b>Answer URL for Plivo</b>")
        self.urls_html = css(widgets.HTML(), "uvp-urls")
        self.store_status = css(Message(), "uvp-store-status")
        self._stored_once = False
        return [
            self.headline,
            widgets.HTML("<b>Token prefix Ultravox holds</b>"),
            self.prefix,
            self.prefix_check,
            self.urls_label,
            self.urls_html,
            widgets.HTML("<b>Credentials</b>"),
            self.store_status,
            widgets.HTML("<b>Next, in the Plivo console</b>"),
            widgets.HTML(f"<pre>{html.escape(PLIVO_CONSOLE_STEPS)}</pre>"),
        ]

    def on_show(self) -> None:
        outcome = self.session.outcome
        if outcome is None:
            return
        config = outcome.config
        prefix = config.auth_token_prefix or ""
        self.headline.show(
            "success", f"✓ Ultravox now holds the Plivo config for Auth ID {config.auth_id}."
        )
        self.prefix.value = (
            f'<code class="uvp-prefix">{html.escape(prefix)}</code>…'
            if prefix
            else "(not returned)"
        )
        kind, text = prefix_note(prefix, outcome.token)
        self.prefix_check.show(
            kind, ("✓ " if kind == "success" else "! ") + text[:1].upper() + text[1:] + "."
        )
        self.urls = answer_urls(config)
        if len(self.urls) > 1:
            self.urls_label.value = "<b>Answer URLs for Plivo</b>"
        if config.allow_all_agents:
            shown = [self.urls[0], "(replace {agent_id} with the agent's id)"]
            self.urls_html.value = copy_button_html(self.urls) + html.escape(shown[1])
        elif self.urls:
            self.urls_html.value = copy_button_html(self.urls)
        else:
            self.urls_html.value = "(no agents allowed yet: go back to allow some)"
        if not self._stored_once:
            self._stored_once = True
            self.store_status.show("busy", "… Storing the credentials")
            self.tasks.start(self._store(), group="store")

    async def _store(self) -> None:
        text = await asyncio.to_thread(self.session.store_credentials)
        failed = self.session.store_op.failed
        self.stored = text
        self.store_status.show("error" if failed else "success", ("✗ " if failed else "✓ ") + text)
        self.changed()
