"""`ultravox-plivo delete`: remove the Plivo config from Ultravox (asks unless --yes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wizard.commands.config_view import print_config
from wizard.commands.session import NetSession

if TYPE_CHECKING:
    from wizard.commands.runtime import Runtime


def run(rt: Runtime) -> int:
    """The `delete` command; `action` is deleted, absent or cancelled."""
    rt.require_yes("deleting the Plivo config")
    api_key = rt.api_key().value
    with NetSession(rt) as net:
        current = net.current_config(api_key)
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
        net.run(net.ultravox(api_key).delete_plivo_config())
    rt.out.line(
        "Deleted. Calls through Plivo to Ultravox agents stop working until a config is set"
        " again; stored credentials were kept (`ultravox-plivo logout` removes them)."
    )
    rt.out.result({"action": "deleted", "config": current.to_json()})
    return 0
