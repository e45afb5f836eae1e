"""`ultravox-plivo delete`: remove the Plivo config from Ultravox (asks unless --yes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import SecretStr

from wizard.commands.apply import print_config
from wizard.core.models import PlivoConfig

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime


def run(rt: Runtime) -> int:
    """The `delete` command; `action` is deleted, absent or cancelled."""
    rt.require_yes("deleting the Plivo config")
    api_key = rt.api_key()
    current = rt.run(_get(rt, api_key.value))
    if current is None:
        rt.out.line("Ultravox holds no Plivo config; nothing to delete.")
        rt.out.result({"action": "absent", "config": None})
        return 0
    rt.out.line("Ultravox holds this Plivo config:")
    print_config(rt, current)
    if not rt.args.yes and not rt.confirm("Delete it?"):
        rt.out.line("Nothing was deleted.")
        rt.out.result({"action": "cancelled", "config": current.to_json()})
        return 0
    rt.state.write_started = True
    rt.run(_delete(rt, api_key.value))
    rt.state.write_started = False
    rt.out.line(
        "Deleted. Calls through Plivo to Ultravox agents stop working until a config is set"
        " again; stored credentials were kept (`ultravox-plivo logout` removes them)."
    )
    rt.out.result({"action": "deleted", "config": current.to_json()})
    return 0


async def _get(rt: Runtime, api_key: SecretStr) -> PlivoConfig | None:
    async with rt.ultravox(api_key) as client:
        return await client.get_plivo_config()


async def _delete(rt: Runtime, api_key: SecretStr) -> None:
    async with rt.ultravox(api_key) as client:
        await client.delete_plivo_config()
