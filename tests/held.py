"""A config the sandbox holds before a test starts (a second run): shared by every face's tests."""

from __future__ import annotations

from wizard.sandbox import DEMO_AUTH_ID, DEMO_AUTH_TOKEN, Sandbox


def hold_config(sandbox: Sandbox, token: str = DEMO_AUTH_TOKEN) -> str:
    """Make the sandbox hold a config (one agent, From -> user.phone) whose token is `token`,
    which Plivo then accepts; returns that agent's id."""
    agent = str(sandbox.agents[0]["agentId"])
    sandbox.plivo_accounts[DEMO_AUTH_ID] = token
    sandbox.plivo_config = {
        "authId": DEMO_AUTH_ID,
        "authToken": token,
        "callCreationAllowedAgentIds": [agent],
        "callCreationAllowAllAgents": False,
        "requestContextMapping": {"From": "user.phone"},
    }
    return agent
