"""Context mapping: which field of Plivo's incoming-call request lands where in the agent's context.

`analyse_mapping` checks the editor's rows (every keystroke, so it is pure and cheap) and
`render_context` shows what a sample call would produce. Findings never raise: they are data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from wizard.core.rules import Severity

PLIVO_REQUEST_FIELDS = ("From", "To", "CallUUID", "CallStatus", "Direction", "ForwardedFrom")
SIP_HEADER_PREFIX = "X-PH-"

# A realistic incoming call as Plivo posts it to the answer URL (E.164 numbers without '+').
SAMPLE_PLIVO_REQUEST: dict[str, str] = {
    "CallUUID": "9f1c2a7e-4b3d-4e8a-9c51-2d7f6b0e8a34",
    "From": "14155550123",
    "To": "14155550199",
    "CallStatus": "ringing",
    "Direction": "inbound",
    "ForwardedFrom": "14155550142",
    "X-PH-CustomerId": "C-10429",
}

Side = Literal["request", "context"]

_REQUEST_PATH = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*")
_CONTEXT_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_REQUEST_CHAR = re.compile(r"[A-Za-z0-9_.-]")
_CONTEXT_CHAR = re.compile(r"[A-Za-z0-9_.]")
_KNOWN_FIELDS = frozenset(PLIVO_REQUEST_FIELDS)
_KNOWN_BY_FOLDED = {f.casefold(): f for f in PLIVO_REQUEST_FIELDS}
_KNOWN_LIST = ", ".join(PLIVO_REQUEST_FIELDS)
_SHOW_MAX = 40


@dataclass(frozen=True, slots=True)
class MappingRow:
    """One editor row: a field of Plivo's request and the context path it fills."""

    request_field: str
    context_path: str

    @property
    def is_blank(self) -> bool:
        return not self.request_field.strip() and not self.context_path.strip()


@dataclass(frozen=True, slots=True)
class MappingFinding:
    """An error (blocks saving) or warning about one row (`row` index) or the whole mapping."""

    severity: Severity
    message: str
    row: int | None
    side: Side | None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


@dataclass(frozen=True)
class MappingReport:
    """All findings, in row order; `for_row` is a dict lookup so a table can ask per row."""

    findings: tuple[MappingFinding, ...]
    _by_row: dict[int | None, list[MappingFinding]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_row: dict[int | None, list[MappingFinding]] = {}
        for finding in self.findings:
            by_row.setdefault(finding.row, []).append(finding)
        object.__setattr__(self, "_by_row", by_row)

    @property
    def errors(self) -> list[MappingFinding]:
        return [f for f in self.findings if f.is_error]

    @property
    def warnings(self) -> list[MappingFinding]:
        return [f for f in self.findings if not f.is_error]

    @property
    def ok(self) -> bool:
        """True when nothing blocks saving (warnings allowed)."""
        return not any(f.is_error for f in self.findings)

    def for_row(self, index: int | None) -> list[MappingFinding]:
        """Findings about row `index` (None: those about the mapping as a whole)."""
        return list(self._by_row.get(index, ()))

    def row_has_error(self, index: int) -> bool:
        return any(f.is_error for f in self._by_row.get(index, ()))


def _show(value: str) -> str:
    """A value quoted for a message: one line, control characters escaped, long ones cut."""
    if len(value) <= _SHOW_MAX and value.isprintable():
        return f"'{value}'"  # the usual case, kept cheap: analysis runs on every keystroke
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value)
    if len(shown) > _SHOW_MAX:
        shown = shown[: _SHOW_MAX - 1] + "…"
    return f"'{shown}'"


def _path_problem(value: str, side: Side) -> str | None:
    """Why `value` is not a valid path for `side`, as a sentence, or None when it is valid."""
    if side == "request":
        if _REQUEST_PATH.fullmatch(value):
            return None
        what, allowed, char_ok = "Request field", "letters, digits, '_' and '-'", _REQUEST_CHAR
    else:
        if _CONTEXT_PATH.fullmatch(value):
            return None
        what, allowed, char_ok = "Context path", "letters, digits and '_'", _CONTEXT_CHAR
    shown = _show(value)
    if any(ch.isspace() for ch in value):
        if value != value.strip():
            return f"{what} {shown} starts or ends with a space; remove it."
        return f"{what} {shown} has a space in it; use '_' or a dot instead."
    if value.startswith("."):
        return f"{what} {shown} starts with a dot."
    if value.endswith("."):
        return f"{what} {shown} ends with a dot."
    if ".." in value:
        return f"{what} {shown} has an empty part between dots."
    for ch in value:
        if not char_ok.fullmatch(ch):
            return f"{what} {shown} has {_show(ch)}, which cannot be used; use {allowed}."
    # Only the context side gets here: every character is allowed, so a part starts with a digit.
    part = next(p for p in value.split(".") if p[:1].isdigit())
    return (
        f"{what} {shown} has a part, {_show(part)}, that starts with a digit;"
        " start each part with a letter or '_'."
    )


def _unknown_field_warning(name: str) -> str | None:
    """A warning when Plivo never sends `name` (so the context path would stay empty)."""
    if name in _KNOWN_FIELDS or (name.startswith(SIP_HEADER_PREFIX) and name != SIP_HEADER_PREFIX):
        return None
    if name == SIP_HEADER_PREFIX:
        return f"Add the SIP header's name after {SIP_HEADER_PREFIX}, e.g. X-PH-CustomerId."
    if name.upper().startswith(SIP_HEADER_PREFIX):
        rest = name[len(SIP_HEADER_PREFIX) :]
        return (
            f"Plivo sends SIP headers as {SIP_HEADER_PREFIX}<name>, in capitals:"
            f" did you mean {_show(SIP_HEADER_PREFIX + rest)}?"
        )
    known = _KNOWN_BY_FOLDED.get(name.casefold())
    if known is not None:
        return f"Plivo sends {_show(known)}, not {_show(name)}; field names are case-sensitive."
    return (
        f"Plivo does not send a field called {_show(name)}; it sends {_KNOWN_LIST}"
        f" and SIP headers as {SIP_HEADER_PREFIX}<name>."
    )


def _more(names: list[str]) -> str:
    """`'a'` or `'a' (and 2 more)`: names other rows without a long list."""
    first = _show(names[0])
    return first if len(names) == 1 else f"{first} (and {len(names) - 1} more)"


def analyse_mapping(
    rows: Sequence[MappingRow], *, blank_rows_allowed: bool = True
) -> MappingReport:
    """Every finding about `rows`, per row and across rows. Pure; never raises on any text.

    A blank row is an empty editor line, skipped by default; in a mapping that is to be sent
    (a draft, `--map`, a file) it would be the key "" and is an error: `blank_rows_allowed=False`.
    """
    per_row: list[list[MappingFinding]] = [[] for _ in rows]
    fields: dict[str, list[int]] = {}  # valid request field -> rows mapping it
    targets: dict[str, list[int]] = {}  # valid context path -> rows filling it

    def add(index: int, severity: Severity, message: str, side: Side) -> None:
        per_row[index].append(MappingFinding(severity, message, index, side))

    for index, row in enumerate(rows):
        request, context = row.request_field, row.context_path
        request_blank, context_blank = not request.strip(), not context.strip()
        if request_blank and context_blank:
            if not blank_rows_allowed:
                add(
                    index,
                    Severity.ERROR,
                    "A mapping row is empty; give it a request field and a context path,"
                    " or remove it.",
                    "request",
                )
            continue  # an empty editor row
        if request_blank:
            add(
                index,
                Severity.ERROR,
                f"Enter the request field that goes into {_show(context)}.",
                "request",
            )
        elif _REQUEST_PATH.fullmatch(request) is None:
            add(index, Severity.ERROR, _path_problem(request, "request") or "", "request")
        else:
            fields.setdefault(request, []).append(index)
            if request not in _KNOWN_FIELDS:  # the cheap test first: this runs per keystroke
                warning = _unknown_field_warning(request)
                if warning is not None:
                    add(index, Severity.WARNING, warning, "request")
        if context_blank:
            add(
                index,
                Severity.ERROR,
                f"Enter the context path that {_show(request)} goes into.",
                "context",
            )
        elif _CONTEXT_PATH.fullmatch(context) is None:
            add(index, Severity.ERROR, _path_problem(context, "context") or "", "context")
        else:
            targets.setdefault(context, []).append(index)

    for name, indexes in fields.items():
        if len(indexes) > 1:
            for index in indexes:
                add(
                    index,
                    Severity.ERROR,
                    f"Request field {_show(name)} is mapped more than once; keep one row for it.",
                    "request",
                )

    # Segment-wise prefixes: with valid paths, the prefixes are exactly the cuts at each dot,
    # so one pass over the distinct targets with a dict lookup per dot (no pairwise compare).
    inside: dict[str, list[str]] = {}  # target -> longer targets that need it to be an object
    for path in targets:
        if "." not in path:
            continue
        outer: str | None = None  # the shortest target this path sits inside
        cut = path.find(".")
        while cut != -1:
            prefix = path[:cut]
            if prefix in targets:
                inside.setdefault(prefix, []).append(path)
                outer = outer or prefix
            cut = path.find(".", cut + 1)
        if outer is not None:
            message = (
                f"Context path {_show(path)} sits inside {_show(outer)}, which another"
                " row fills with a value; rename one of them."
            )
            for index in targets[path]:
                add(index, Severity.ERROR, message, "context")
    for prefix, longer in inside.items():
        message = (
            f"Context path {_show(prefix)} would hold a value and also contain"
            f" {_more(sorted(longer))}; rename one of them."
        )
        for index in targets[prefix]:
            add(index, Severity.ERROR, message, "context")

    for path, indexes in targets.items():
        if len(indexes) < 2:
            continue
        sources = list(dict.fromkeys(rows[i].request_field for i in indexes))
        if len(sources) < 2:
            continue  # the same field twice is already an error above
        for index in indexes:
            others = [s for s in sources if s != rows[index].request_field]
            add(
                index,
                Severity.WARNING,
                f"Context path {_show(path)} also receives {_more(others)};"
                " only one value can end up there.",
                "context",
            )

    ordered: list[MappingFinding] = []
    for findings in per_row:
        if len(findings) > 1:
            # Request side before context side, errors before warnings: reads left to right.
            findings.sort(key=lambda f: (f.side != "request", not f.is_error))
        ordered.extend(findings)
    return MappingReport(tuple(ordered))


def render_context(
    rows: Sequence[MappingRow],
    request: Mapping[str, str] = SAMPLE_PLIVO_REQUEST,
    report: MappingReport | None = None,
) -> dict[str, Any]:
    """The context object `request` would produce: rows with errors and absent fields skipped.

    When several rows fill one path (a warning), the later row wins. `report`: the analysis of
    `rows` when the caller has it (the editor analyses once per keystroke, not twice).
    """
    if report is None:
        report = analyse_mapping(rows)
    context: dict[str, Any] = {}
    for index, row in enumerate(rows):
        if row.is_blank or report.row_has_error(index) or row.request_field not in request:
            continue
        *parents, leaf = row.context_path.split(".")
        node = context
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break  # cannot happen for error-free rows (prefix conflicts are errors)
            node = child
        else:
            if not isinstance(node.get(leaf), dict):
                node[leaf] = request[row.request_field]
    return context


def rows_from_mapping(mapping: Mapping[str, str]) -> list[MappingRow]:
    """Editor rows for a mapping held by the service or read from a file."""
    return [MappingRow(request_field, path) for request_field, path in mapping.items()]


def mapping_from_rows(rows: Sequence[MappingRow]) -> dict[str, str]:
    """The wire mapping for `rows`; blank rows are dropped (a repeated field: the last wins)."""
    return {row.request_field: row.context_path for row in rows if not row.is_blank}
