"""Deterministic demo data: credentials, agents with realistic names, Plivo apps and numbers.

The same `agent_count` always gives the same agents (names, ids, timestamps), so tests,
screenshots and benchmarks are reproducible. The demo credentials are not secrets.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

DEMO_API_KEY = "DemoKey1.SandboxOnlyNotARealUltravoxKey42"
DEMO_AUTH_ID = "MADEMO0000000000000A"
DEMO_AUTH_TOKEN = "DemoPlivoToken_sandbox-only_0123456789Ab"  # noqa: S105 (demo, not secret)
DEMO_ACCOUNT_NAME = "Demo Company"
DEMO_ACCOUNT_ID = "5b0c7a52-5d1e-4f0e-9d3c-1f2a3b4c5d6e"
DEMO_PLIVO_ACCOUNT_NAME = "Demo Plivo Account"

_NAMESPACE = uuid.UUID("0b6f5a5e-8c1d-4c43-9a57-6a2b1d9e7f10")
# Newest agent first: list order is the default (newest-first) order of the service.
_NEWEST = datetime(2025, 6, 2, 16, 45, 12, 318000, tzinfo=UTC)

_ROLES = (
    "Appointment Scheduler",
    "Billing Support",
    "Front Desk",
    "Order Status",
    "Technical Support",
    "Sales Qualifier",
    "Customer Onboarding",
    "Returns & Refunds",
    "Reservation Desk",
    "Survey Caller",
    "Payment Reminder",
    "Lead Follow-up",
    "Delivery Tracking",
    "Account Recovery",
    "Claims Intake",
    "Prescription Refills",
    "IT Helpdesk",
    "HR Benefits Line",
    "Event Registration",
    "Renewal Outreach",
    "Feedback Collector",
    "After-Hours Answering",
    "Dental Recall",
    "Insurance Verification",
    "Property Viewing Booker",
    "Restaurant Host",
    "Warranty Claims",
    "Subscription Manager",
    "Collections Assistant",
    "Concierge",
    "Recruiting Screener",
    "Patient Intake",
    "Roadside Assistance",
    "Travel Rebooking",
    "Store Locator",
    "Loyalty Rewards",
    "Fraud Alert Line",
    "Donor Relations",
    "Tutor Matching",
    "Utility Outage Line",
)
_VARIANTS = (
    "",
    " – EU",
    " (Spanish)",
    " – US West",
    " (After Hours)",
    " – UK",
    " (French)",
    " – APAC",
    " v2",
    " (German)",
    " – US East",
    " – Pilot",
    " (Portuguese)",
    " – Canada",
    " (Staging)",
    " – LATAM",
    " (Japanese)",
    " – Weekend",
    " (Italian)",
    " – VIP",
    " (Hindi)",
    " – Nordics",
    " (Test)",
    " – Mobile",
    " (Dutch)",
)
_BRANDS = (
    "",
    "Northwind ",
    "Contoso ",
    "Globex ",
    "Initech ",
    "Acme ",
    "Umbrella ",
    "Hooli ",
    "Vandelay ",
    "Wayne ",
    "Stark ",
    "Soylent ",
)
_VOICES = ("Mark", "Jessica", "Emily-English", "Alex-Spanish", "Tanya-English")
_BLOCK = len(_ROLES) * len(_VARIANTS)
NAME_CAPACITY = _BLOCK * len(_BRANDS)  # distinct names before a "#n" suffix is needed


def agent_name(index: int) -> str:
    """The name of the index-th seeded agent; distinct for every index.

    A mixed-radix split of the index (role, variant, brand) is a bijection; the variant is
    shifted per role so the first page mixes plain names with regional/language variants.
    """
    rest, cycle = index % NAME_CAPACITY, index // NAME_CAPACITY
    block, offset = divmod(rest, _BLOCK)
    role = offset % len(_ROLES)
    shift = 0 if role % 3 == 0 else role % len(_VARIANTS)
    variant = (offset // len(_ROLES) + shift) % len(_VARIANTS)
    name = f"{_BRANDS[block]}{_ROLES[role]}{_VARIANTS[variant]}"
    return f"{name} #{cycle + 1}" if cycle else name


def agent_id(index: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"agent/{index}"))


def make_agent(index: int) -> dict[str, Any]:
    """One agent as the service sends it (wire JSON, camelCase)."""
    name = agent_name(index)
    created = _NEWEST - timedelta(minutes=37 * index, seconds=(index * 13) % 60)
    return {
        "agentId": agent_id(index),
        "publishedRevisionId": str(uuid.uuid5(_NAMESPACE, f"revision/{index}")),
        "name": name,
        "created": created.isoformat().replace("+00:00", "Z"),
        "callTemplate": {
            "systemPrompt": f"You are the {name} agent for {DEMO_ACCOUNT_NAME}.",
            "voice": _VOICES[index % len(_VOICES)],
        },
        "statistics": {"calls": (index * 7919) % 500},
    }


def seed_agents(count: int) -> list[dict[str, Any]]:
    return [make_agent(i) for i in range(count)]


def demo_account() -> dict[str, Any]:
    """GET /api/accounts/me for any valid sandbox key."""
    return {
        "accountId": DEMO_ACCOUNT_ID,
        "name": DEMO_ACCOUNT_NAME,
        "billingUrl": "https://app.ultravox.ai/billing",
        "freeTimeUsed": "00:12:30",
        "freeTimeRemaining": "00:17:30",
        "hasActiveSubscription": False,
        "subscriptionTier": None,
        "subscriptionCadence": None,
        "subscriptionExpiration": None,
        "subscriptionScheduledUpdate": None,
        "subscriptionRenewal": None,
        "activeCalls": 0,
        "allowedConcurrentCalls": 5,
        "allowedVoices": 10,
        "allowedCorpora": 2,
    }


def plivo_account(auth_id: str, name: str) -> dict[str, Any]:
    """GET /v1/Account/{auth_id}/ (without api_id, added per answer)."""
    return {
        "account_type": "standard",
        "address": "1 Demo Street",
        "auth_id": auth_id,
        "auto_recharge": False,
        "billing_mode": "prepaid",
        "cash_credits": "24.61000",
        "city": "San Francisco",
        "name": name,
        "resource_uri": f"/v1/Account/{auth_id}/",
        "state": "California",
        "timezone": "America/Los_Angeles",
    }


def plivo_applications(auth_id: str) -> list[dict[str, Any]]:
    """A few Plivo Applications; one already sends calls to the first seeded agent."""
    ultravox = f"https://app.ultravox.ai/api/agents/{agent_id(0)}/telephony_xml"
    apps = [
        ("20372631212782780", "Ultravox inbound", ultravox),
        ("20372631212782781", "Legacy IVR", "https://ivr.example.com/plivo/answer/"),
        ("20372631212782782", "Support line", "https://example.com/support/answer/"),
    ]
    return [
        {
            "app_id": app_id,
            "app_name": name,
            "answer_url": url,
            "answer_method": "POST",
            "hangup_url": url,
            "hangup_method": "POST",
            "fallback_answer_url": "",
            "fallback_method": "POST",
            "default_app": False,
            "enabled": True,
            "resource_uri": f"/v1/Account/{auth_id}/Application/{app_id}/",
        }
        for app_id, name, url in apps
    ]


def plivo_numbers(auth_id: str) -> list[dict[str, Any]]:
    """Rented numbers: one reaches an Ultravox agent, one another application (the support
    line), three reach nothing yet, and one takes no voice calls (so `services=voice` skips it).
    """
    numbers = [
        ("14155550123", "San Francisco main", "20372631212782780"),
        ("14155550188", "Support", "20372631212782782"),
        ("442079460321", "London", None),
        ("14155550199", "Sales", None),
        ("16505550142", "Palo Alto", None),
        ("14155550111", "SMS only", None),
    ]
    return [
        {
            "number": number,
            "alias": alias,
            "application": (
                f"/v1/Account/{auth_id}/Application/{app_id}/" if app_id is not None else None
            ),
            "number_type": "local",
            "region": "United States" if number.startswith("1") else "United Kingdom",
            "voice_enabled": alias != "SMS only",
            "sms_enabled": True,
            "resource_uri": f"/v1/Account/{auth_id}/Number/{number}/",
        }
        for number, alias, app_id in numbers
    ]
