"""The wizard with no UI in it: what every face (terminal, notebook, browser) drives.

It holds each secret with its source, each step's draft and findings, and the operations
(check the key, read the current config, verify with Plivo, send, store) with their states.
Faces set values (`type_api_key`, `set_auth_id`, ...), run the operations (blocking ones in a
thread, async ones on their loop) and render what the session says; none re-implements a rule.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from wizard.core.credentials import ResolvedSecret, SecretSource
from wizard.core.errors import UsageError, WizardError
from wizard.core.rules import check_api_key, check_auth_id, check_auth_token, errors
from wizard.flow.operations import Operation, plain_message

if TYPE_CHECKING:
    from pydantic import SecretStr

    from wizard.core.models import Account, PlivoAccount, PlivoConfig
    from wizard.core.plan import Plan
    from wizard.core.plivo import PlivoClient
    from wizard.core.ultravox import UltravoxClient
    from wizard.flow.agent_loading import AgentLoading
    from wizard.flow.agents import AgentCatalog, AgentSelection
    from wizard.flow.context import ContextRecipe, RunContext
    from wizard.flow.phone_numbers import PhoneNumbers
    from wizard.flow.precedence import AuthIdCandidates, ChosenAuthId, TokenChoice


@dataclass(frozen=True)
class Outcome:
    """What Ultravox saved, and what became of the token (for Result and the exit summary)."""

    config: PlivoConfig
    method: str
    token: TokenChoice


@dataclass(frozen=True)
class UnsureSend:
    """A send that got no clear answer: the method and the token that went out."""

    method: str
    token: TokenChoice


class WizardSession:
    """One run of the wizard: the state of every step and the operations between them."""

    def __init__(self, recipe: ContextRecipe) -> None:
        self.recipe = recipe
        # Step 1: the Ultravox API key.
        self.stored_key: ResolvedSecret | None = None
        self.stored_key_error: str | None = None
        self._typed_key = ""
        self.key_check: Operation[Account] = Operation("check the API key")
        self._client: UltravoxClient | None = None
        self._client_key: str | None = None
        self._plivo: PlivoClient | None = None
        # Step 2: the Plivo credentials and the config Ultravox holds.
        self._auth_ids: AuthIdCandidates | None = None
        self._auth_ids_lock = threading.Lock()
        self._auth_id = ""
        self.stored_token: ResolvedSecret | None = None
        self.stored_token_error: str | None = None
        self._typed_token = ""
        self.keep_current_token = False
        self.current: Operation[PlivoConfig | None] = Operation("read the current config")
        self.verify: Operation[PlivoAccount] = Operation("verify with Plivo")
        self.verify_enabled = True
        self._verify_input: tuple[str, str] | None = None
        self.service_errors: dict[str, str] = {}
        # Steps 3-4 (and `selection`, `agents`).
        self.mapping: dict[str, str] = {}
        # Steps 5-6.
        self.send_op: Operation[Outcome] = Operation("send")
        self._unsure: UnsureSend | None = None
        """A send whose outcome is unknown (no clear answer to a write): what was meant."""
        self.store_op: Operation[str] = Operation("store the credentials")
        self._phone_numbers: PhoneNumbers | None = None
        self._agent_loading: AgentLoading | None = None

    # Made on first use, with their modules: step 1 (the wizard's first frame) needs none.
    @property
    def auth_ids(self) -> AuthIdCandidates:
        """The Auth IDs offered so far, by source (step 2)."""
        # Under a lock: a worker thread may ask first (cached_property has none since 3.12).
        with self._auth_ids_lock:
            if self._auth_ids is None:
                from wizard.flow.precedence import AuthIdCandidates

                self._auth_ids = AuthIdCandidates()
            return self._auth_ids

    @cached_property
    def selection(self) -> AgentSelection:
        """Which agents Plivo may start calls for (step 3); `set_selection` replaces it."""
        from wizard.flow.agents import AgentSelection

        return AgentSelection(False, ())

    @cached_property
    def agents(self) -> AgentCatalog:
        """The account's agents loaded so far (a face fills it page by page)."""
        from wizard.flow.agents import AgentCatalog

        return AgentCatalog()

    # -- the run context ------------------------------------------------------------------------

    def prepare(self) -> RunContext:
        """Open the run context (blocks: keyring discovery, the demo sandbox); once."""
        return self.recipe.open()

    async def aprepare(self) -> RunContext:
        """`prepare` off the event loop."""
        opened = self.recipe.opened
        return opened if opened is not None else await asyncio.to_thread(self.prepare)

    @property
    def context(self) -> RunContext:
        """The run context; only after `prepare`."""
        opened = self.recipe.opened
        if opened is None:
            raise WizardError("Still getting ready; try again in a moment.")
        return opened

    @property
    def agent_loading(self) -> AgentLoading:
        """Loading the account's agents page by page (every face's agents step)."""
        if self._agent_loading is None:
            from wizard.flow.agent_loading import AgentLoading

            self._agent_loading = AgentLoading(self)
        return self._agent_loading

    @property
    def phone_numbers(self) -> PhoneNumbers:
        """The optional last step: point the account's Plivo numbers at the agents."""
        if self._phone_numbers is None:
            from wizard.flow.phone_numbers import PhoneNumbers

            self._phone_numbers = PhoneNumbers(self)
        return self._phone_numbers

    async def aclose(self) -> None:
        """Close the clients (the recipe's sandbox is the caller's to close)."""
        if self._phone_numbers is not None:
            await self._phone_numbers.aclose()
        for client in (self._client, self._plivo):
            if client is not None:
                await client.aclose()
        self._client = self._plivo = None

    # -- step 1: the API key ----------------------------------------------------------------

    def read_stored_key(self) -> ResolvedSecret | None:
        """ULTRAVOX_API_KEY, else the store's key (blocks: from a thread)."""
        try:
            self.stored_key = self.prepare().store.api_key()
            self.stored_key_error = None
        except WizardError as exc:
            self.stored_key, self.stored_key_error = None, plain_message(exc)
        return self.stored_key

    def type_api_key(self, text: str) -> None:
        """What the key field holds now; empty means "use the stored key"."""
        text = text.strip()
        if text != self._typed_key:
            self._typed_key = text
            self.key_check.reset()

    @property
    def api_key(self) -> ResolvedSecret | None:
        """The key in use: the one typed here, else the environment's or the store's."""
        if self._typed_key:
            return typed_secret(self._typed_key)
        return self.stored_key

    def key_problems(self) -> list[str]:
        key = self.api_key
        found = errors(check_api_key(key.value.get_secret_value() if key else ""))
        if found:
            return [found[0].message]
        if self.key_check.failed:
            return [self.key_check.message]
        if not self.key_check.done:
            return ["Checking the key with Ultravox…"]
        return []

    def key_is_checkable(self) -> bool:
        key = self.api_key
        return key is not None and not errors(check_api_key(key.value.get_secret_value()))

    async def check_key(self) -> bool:
        """GET /api/accounts/me with the key in use; True when this outcome was recorded."""
        key = self.api_key
        if key is None:
            return False
        context = await self.aprepare()
        client = context.ultravox(key.value)
        kept = False

        async def call() -> Account:
            return await client.get_account()

        try:
            recorded = await self.key_check.run(call)
            if recorded and self.key_check.done:
                kept = True
                await self._use_client(client, key.value.get_secret_value())
            return recorded
        finally:
            if not kept:
                await asyncio.shield(client.aclose())

    async def _use_client(self, client: UltravoxClient, key: str) -> None:
        old, same = self._client, key == self._client_key
        self._client, self._client_key = client, key
        if not same:
            # Another key may be another account: what was read with the old one is stale.
            self.current.reset()
        if old is not None and old is not client:
            await old.aclose()

    @property
    def account(self) -> Account | None:
        return self.key_check.result if self.key_check.done else None

    @property
    def client(self) -> UltravoxClient:
        """The Ultravox client of the checked key."""
        if self._client is None:
            raise WizardError("Not connected to Ultravox; go back to step 1.")
        return self._client

    @property
    def connected(self) -> bool:
        return self._client is not None and self.account is not None

    # -- step 2: the Plivo credentials --------------------------------------------------------

    def read_remembered_auth_ids(self) -> ChosenAuthId | None:
        """Offer PLIVO_AUTH_ID and the last-used Auth ID (blocks: settings file)."""
        from wizard.flow.precedence import AuthIdSource

        context = self.prepare()
        self.auth_ids.offer(AuthIdSource.ENV, context.env_auth_id())
        self.auth_ids.offer(AuthIdSource.SETTINGS, context.settings.last_auth_id())
        return self.chosen_auth_id()

    def auth_id_label(self, chosen: ChosenAuthId) -> str:
        """Where the chosen Auth ID came from, in words ("used last time", "from ...")."""
        from wizard.flow.precedence import AuthIdSource

        opened = self.recipe.opened
        if chosen.source is AuthIdSource.SETTINGS and opened is not None:
            return opened.settings.label
        return chosen.source.label

    def chosen_auth_id(self) -> ChosenAuthId | None:
        """The Auth ID by the precedence (one typed here wins)."""
        return self.auth_ids.best()

    def set_auth_id(self, text: str, *, typed: bool = True) -> None:
        """The Auth ID field's text; `typed=False` when a face shows the chosen one."""
        from wizard.flow.precedence import AuthIdSource

        value = text.strip()
        if typed:
            self.auth_ids.offer(AuthIdSource.GIVEN, value)
        if value != self._auth_id:
            self._auth_id = value
            self.stored_token = None
            self.service_errors.pop("authId", None)
            self._forget_verification()

    @property
    def auth_id(self) -> str:
        return self._auth_id

    async def read_current_config(self, *, adopt: bool = True) -> bool:
        """GET the config Ultravox holds; offers its Auth ID and "keep its token".

        With `adopt`, steps 3-4 start from what it holds (the first read for a key); a re-read
        (`recheck`) must not replace what the user chose there.
        """
        from wizard.flow.precedence import AuthIdSource

        async def call() -> PlivoConfig | None:
            return await self.client.get_plivo_config()

        recorded = await self.current.run(call)
        if recorded and self.current.done:
            held = self.current.result
            self.auth_ids.offer(AuthIdSource.CURRENT, held.auth_id if held else None)
            if adopt:
                # Through the setter: a verification running for the old choice is dropped.
                self.set_keep_current_token(held is not None and not self._typed_token)
                if held is not None:
                    self.selection = selection_of(held)
                    self.mapping = dict(held.context_mapping)
        return recorded

    @property
    def held_config(self) -> PlivoConfig | None:
        """The config Ultravox holds (None: none, or not read yet)."""
        return self.current.result if self.current.done else None

    def current_config_problem(self) -> str | None:
        if self.current.done:
            return None
        if self.current.failed:
            return self.current.message
        return "Reading the current config from Ultravox…"

    def lookup_stored_token(self, auth_id: str) -> ResolvedSecret | None:
        """PLIVO_AUTH_TOKEN, else the store's token for `auth_id` (blocks: from a thread).

        Recorded only while `auth_id` is still the one in the field.
        """
        try:
            found = self.prepare().store.plivo_token(auth_id)
            error = None
        except WizardError as exc:
            found, error = None, plain_message(exc)
        if auth_id.strip() == self._auth_id:
            self.stored_token, self.stored_token_error = found, error
            self._forget_verification()
        return found

    def type_token(self, text: str) -> None:
        """The token field's text (only ever typed: stored tokens never go into a field)."""
        if text != self._typed_token:
            self._typed_token = text
            if text:
                self.keep_current_token = False
            self.service_errors.pop("authToken", None)
            self._forget_verification()

    @property
    def typed_token(self) -> str:
        return self._typed_token

    def set_keep_current_token(self, keep: bool) -> None:
        self.keep_current_token = keep and self.held_config is not None
        self._forget_verification()

    @property
    def token(self) -> ResolvedSecret | None:
        """The best token known: typed here, else PLIVO_AUTH_TOKEN or the store's."""
        if self._typed_token:
            return typed_secret(self._typed_token)
        return self.stored_token

    @property
    def keeping_token(self) -> bool:
        """The token Ultravox holds stays: nothing typed here and "keep" is on."""
        held = self.held_config
        return (
            held is not None
            and held.auth_id == self._auth_id
            and self.keep_current_token
            and not (self.token is not None and self.token.given_in_run)
        )

    def token_choice(self) -> TokenChoice:
        """What happens to the token on send (UsageError when one is needed and missing)."""
        from wizard.flow.precedence import choose_token

        return choose_token(
            self.token,
            auth_id=self._auth_id,
            current=self.held_config,
            keep_current=self.keep_current_token,
        )

    def token_findings(self) -> list[str]:
        """Errors in the token that would be sent (none while keeping the current one)."""
        if self.keeping_token:
            return []
        token = self.token
        return [f.message for f in errors(check_auth_token(token_text(token)))]

    def verification_input(self) -> tuple[str, SecretStr] | None:
        """The Auth ID and token Plivo would be asked about, or None when there is nothing to
        verify (the token is kept, or either looks wrong)."""
        token = self.token
        if self.keeping_token or token is None:
            return None
        if errors(check_auth_id(self._auth_id)) or self.token_findings():
            return None
        return self._auth_id, token.value

    async def verify_credentials(self) -> bool:
        """GET Plivo's account with the Auth ID and token in use."""
        wanted = self.verification_input()
        if wanted is None or not self.verify_enabled:
            return False
        auth_id, token = wanted
        self._verify_input = (auth_id, token.get_secret_value())
        if self._plivo is None:
            self._plivo = (await self.aprepare()).plivo()
        plivo = self._plivo

        async def call() -> PlivoAccount:
            return await plivo.verify(auth_id, token)

        return await self.verify.run(call)

    def verified_for_current_input(self) -> bool:
        wanted = self.verification_input()
        return (
            wanted is not None
            and self.verify.done
            and self._verify_input == (wanted[0], wanted[1].get_secret_value())
        )

    def set_verify_enabled(self, enabled: bool) -> None:
        self.verify_enabled = enabled
        if not enabled:
            self._forget_verification()

    def _forget_verification(self) -> None:
        self._verify_input = None
        self.verify.reset()

    def plivo_problems(self) -> list[str]:
        """Why step 2 cannot go on, one sentence each (empty when it can)."""
        problem = self.current_config_problem()
        if problem:
            return [problem]
        found = [f.message for f in errors(check_auth_id(self._auth_id))]
        found += self.token_findings()
        if found:
            return found
        if self.service_errors:
            return list(self.service_errors.values())
        try:
            self.token_choice()
        except UsageError as exc:
            return [exc.message]
        if self.keeping_token or not self.verify_enabled:
            return []
        if self.verify.failed:
            return [self.verify.message + " Or turn off Verify with Plivo."]
        if self.verify.running:
            return ["Verifying with Plivo…"]
        if not self.verified_for_current_input():
            return ["Verify with Plivo (F5) before going on, or turn Verify off."]
        return []

    # -- steps 3 and 4 ------------------------------------------------------------------------

    def agent_name(self, agent_id: str) -> str:
        """The name of a loaded agent, or "" when it is not loaded (or has none)."""
        agent = self.agents.get(agent_id)
        return agent.name if agent is not None else ""

    def set_selection(self, selection: AgentSelection) -> None:
        self.selection = selection

    def set_mapping(self, mapping: Mapping[str, str]) -> None:
        self.mapping = dict(mapping)

    # -- step 5: the plan and the send --------------------------------------------------------

    def plan(self) -> Plan:
        """POST or PATCH against what Ultravox holds; UsageError when the input is invalid."""
        from wizard.core.models import build_draft
        from wizard.core.plan import make_plan

        choice = self._settled_token(self.token_choice())
        draft = build_draft(
            auth_id=self._auth_id,
            auth_token=choice.send.value if choice.send is not None else None,
            allow_all_agents=self.selection.allow_all,
            agent_ids=() if self.selection.allow_all else tuple(self.selection.agent_ids),
            context_mapping=self.mapping,
        )
        return make_plan(draft, self.held_config, token_label=choice.review_label)

    async def send(self) -> bool:
        """Send the plan; on success Ultravox's answer becomes the config held."""
        plan = self.plan()
        choice = self._settled_token(self.token_choice())
        method = plan.method
        if method is None:
            raise UsageError("Nothing to send: Ultravox already holds exactly this.")
        self._unsure = None

        async def call() -> Outcome:
            saved = await self.client.apply_plan(plan)
            return Outcome(saved, method, choice)

        recorded = await self.send_op.run(call)
        if recorded and self.send_op.done:
            assert self.send_op.result is not None
            held = self.send_op.result.config
            self.current.succeed(self.current.start(), held)
            self.keep_current_token = True
            self._typed_token = ""  # sent: from now on it is the token Ultravox holds
        elif self.send_op.failed:
            error = self.send_op.error
            if error is not None and error.may_have_applied:
                self._unsure = UnsureSend(method, choice)
            field_errors = getattr(error, "field_errors", None) or {}
            for field in ("authId", "authToken"):
                if field in field_errors:
                    self.service_errors[field] = " ".join(field_errors[field])
        return recorded

    @property
    def outcome_unknown(self) -> bool:
        """The last send got no clear answer: Ultravox may or may not have saved it."""
        return self._unsure is not None and self.send_op.failed

    async def recheck(self) -> bool:
        """After a send with no clear answer, read what Ultravox holds now, so the plan shows
        only what is still different (never re-send blindly)."""
        return await self.read_current_config(adopt=False)

    def _settled_token(self, choice: TokenChoice) -> TokenChoice:
        """After an unsure send: the token that went out is kept when Ultravox now holds a
        token with its prefix (it arrived), so it is not sent twice."""
        from wizard.flow.precedence import TokenChoice, prefix_matches

        unsure, held = self._unsure, self.held_config
        sent = unsure.token.send if unsure is not None else None
        if sent is None or held is None or choice.send is None:
            return choice
        same = choice.send.value.get_secret_value() == sent.value.get_secret_value()
        if same and prefix_matches(held.auth_token_prefix, sent.value):
            return TokenChoice(None, kept=True)
        return choice

    def accept_held(self) -> bool:
        """After an unsure send and a recheck: when Ultravox already holds exactly what was
        meant, the send did arrive; record it as done. False when something still differs."""
        unsure, held = self._unsure, self.held_config
        if unsure is None or held is None or self.plan().method is not None:
            return False
        ticket = self.send_op.start()
        self.send_op.succeed(ticket, Outcome(held, unsure.method, unsure.token))
        self._unsure = None
        self.keep_current_token = True
        self._typed_token = ""
        return True

    @property
    def outcome(self) -> Outcome | None:
        return self.send_op.result if self.send_op.done else None

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    # -- step 6: storing ------------------------------------------------------------------------

    def store_credentials(self) -> str:
        """Store what was typed in this run, only after Ultravox accepted it (blocks: thread).

        Never what came from the environment or the store already. Remembers the Auth ID.
        Returns one sentence saying where each secret went.
        """
        outcome = self.outcome
        if outcome is None:
            raise WizardError("Nothing was saved on Ultravox, so nothing is stored.")
        context = self.prepare()
        store = context.store
        ticket = self.store_op.start()
        parts: list[str] = []
        token_stored = False
        try:
            key = self.api_key
            if key is not None and key.source in (SecretSource.TYPED, SecretSource.STDIN):
                parts.append(f"API key: {store.save_api_key(key.value)}")
            token = outcome.token.send
            if token is not None and token.source in (SecretSource.TYPED, SecretSource.STDIN):
                where = store.save_plivo_token(outcome.config.auth_id, token.value)
                parts.append(f"Auth Token: {where}")
                token_stored = store.persistent
            text = " · ".join(parts) if parts else "Nothing new to store."
            self.store_op.succeed(ticket, text)
        except WizardError as exc:
            self.store_op.fail(ticket, exc)
            text = f"Could not store the credentials: {self.store_op.message}"
        # The service took this Auth ID, whatever became of the secrets: offer it next time.
        context.settings.remember_auth_id(outcome.config.auth_id, token_stored=token_stored)
        return text

    # -- leaving --------------------------------------------------------------------------------

    def has_unsaved_input(self) -> bool:
        """True while leaving would lose what the user typed or changed (before a send)."""
        from wizard.flow.agents import AgentSelection

        if self.finished:
            return False
        if self._typed_key or self._typed_token or self._auth_id_typed_differs():
            return True
        held = self.held_config
        baseline_selection = selection_of(held) if held is not None else AgentSelection(False, ())
        baseline_mapping = dict(held.context_mapping) if held is not None else {}
        return self.selection != baseline_selection or self.mapping != baseline_mapping

    def _auth_id_typed_differs(self) -> bool:
        from wizard.flow.precedence import AuthIdSource

        given = self.auth_ids.found.get(AuthIdSource.GIVEN)
        if not given:
            return False
        others = {v for s, v in self.auth_ids.found.items() if s is not AuthIdSource.GIVEN}
        return given not in others


def selection_of(config: PlivoConfig) -> AgentSelection:
    """The agents step's model of what a config allows."""
    from wizard.flow.agents import AgentSelection

    ids = () if config.allow_all_agents else tuple(config.allowed_agent_ids)
    return AgentSelection(config.allow_all_agents, ids)


def typed_secret(text: str) -> ResolvedSecret:
    """A secret typed in this run. pydantic loads here, on the first keystroke, not before the
    wizard's first frame."""
    from pydantic import SecretStr

    return ResolvedSecret(SecretStr(text), SecretSource.TYPED)


def token_text(token: ResolvedSecret | None) -> str:
    return token.value.get_secret_value() if token is not None else ""
