"""Context mapping analysis (every rule of issue 2 §2) and the rendered sample context."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.core.mapping import (
    PLIVO_REQUEST_FIELDS,
    SAMPLE_PLIVO_REQUEST,
    SIP_HEADER_PREFIX,
    MappingFinding,
    MappingReport,
    MappingRow,
    analyse_mapping,
    mapping_from_rows,
    render_context,
    rows_from_mapping,
)
from wizard.core.models import Severity

R = MappingRow


def only(report: MappingReport) -> MappingFinding:
    assert len(report.findings) == 1, report.findings
    return report.findings[0]


def kinds(report: MappingReport) -> set[tuple[int | None, str | None, Severity]]:
    return {(f.row, f.side, f.severity) for f in report.findings}


# --- clean mappings --------------------------------------------------------------------------


def test_every_field_plivo_sends_is_clean() -> None:
    rows = [R(name, f"call.{name.lower()}") for name in PLIVO_REQUEST_FIELDS]
    rows.append(R("X-PH-CustomerId", "customer.id"))
    rows.append(R("X-PH-a.b", "customer.ab"))
    report = analyse_mapping(rows)
    assert report.findings == ()
    assert report.ok
    assert report.errors == [] and report.warnings == []


def test_empty_and_blank_rows_are_ignored() -> None:
    assert analyse_mapping([]).ok
    report = analyse_mapping([R("", ""), R("  ", "\t"), R("From", "user.phone"), R("", "")])
    assert report.findings == ()


def test_sample_request_has_every_field_and_a_sip_header() -> None:
    assert set(PLIVO_REQUEST_FIELDS) <= set(SAMPLE_PLIVO_REQUEST)
    assert any(k.startswith(SIP_HEADER_PREFIX) for k in SAMPLE_PLIVO_REQUEST)


# --- one side blank --------------------------------------------------------------------------


def test_blank_request_side_is_error_on_request() -> None:
    finding = only(analyse_mapping([R("From", "a"), R(" ", "user.phone")]))
    assert (finding.row, finding.side, finding.severity) == (1, "request", Severity.ERROR)
    assert finding.message == "Enter the request field that goes into 'user.phone'."


def test_blank_context_side_is_error_on_context() -> None:
    finding = only(analyse_mapping([R("From", "")]))
    assert (finding.row, finding.side, finding.severity) == (0, "context", Severity.ERROR)
    assert finding.message == "Enter the context path that 'From' goes into."


# --- syntax of each side ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("user..phone", "Context path 'user..phone' has an empty part between dots."),
        (".user", "Context path '.user' starts with a dot."),
        ("user.", "Context path 'user.' ends with a dot."),
        (".", "Context path '.' starts with a dot."),
        ("user phone", "Context path 'user phone' has a space in it; use '_' or a dot instead."),
        (" user", "Context path ' user' starts or ends with a space; remove it."),
        ("user\tphone", "Context path 'user\\tphone' has a space in it; use '_' or a dot instead."),
        (
            "user-phone",
            "Context path 'user-phone' has '-', which cannot be used; use letters, digits and '_'.",
        ),
        (
            "usér",
            "Context path 'usér' has 'é', which cannot be used; use letters, digits and '_'.",
        ),
        (
            "user.1st",
            "Context path 'user.1st' has a part, '1st', that starts with a digit;"
            " start each part with a letter or '_'.",
        ),
    ],
)
def test_context_path_syntax(path: str, message: str) -> None:
    finding = only(analyse_mapping([R("From", path)]))
    assert (finding.side, finding.severity, finding.message) == ("context", Severity.ERROR, message)


@pytest.mark.parametrize("path", ["user", "_x", "user.phone_number", "a.b.c.d", "A1._2"])
def test_context_path_identifiers_ok(path: str) -> None:
    assert analyse_mapping([R("From", path)]).findings == ()


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("Fr om", "has a space in it"),
        ("From ", "starts or ends with a space"),
        ("X-PH-..a", "empty part between dots"),
        (".From", "starts with a dot"),
        ("From.", "ends with a dot"),
        ("From!", "has '!', which cannot be used; use letters, digits, '_' and '-'"),
    ],
)
def test_request_field_syntax(field: str, words: str) -> None:
    finding = only(analyse_mapping([R(field, "user.phone")]))
    assert (finding.side, finding.severity) == ("request", Severity.ERROR)
    assert words in finding.message
    assert finding.message.startswith("Request field ")


def test_request_side_allows_digits_and_leading_digit() -> None:
    # Request segments are not identifiers: digits first and '-' are fine (X-PH-2nd-Line).
    assert analyse_mapping([R("X-PH-2nd-Line", "line")]).findings == ()


def test_messages_are_one_line_and_cut_long_values() -> None:
    long = "a" * 200 + "\n"
    finding = only(analyse_mapping([R("From", long)]))
    assert "\n" not in finding.message
    assert len(finding.message) < 150
    assert "…" in finding.message


# --- fields Plivo does not send --------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "words"),
    [
        ("Caller", "Plivo does not send a field called 'Caller'"),
        ("from", "Plivo sends 'From', not 'from'"),
        ("x-ph-Customer", "did you mean 'X-PH-Customer'?"),
        ("X-PH-", "Add the SIP header's name after X-PH-"),
    ],
)
def test_unknown_request_field_is_warning(field: str, words: str) -> None:
    finding = only(analyse_mapping([R(field, "x")]))
    assert (finding.row, finding.side, finding.severity) == (0, "request", Severity.WARNING)
    assert words in finding.message
    report = analyse_mapping([R(field, "x")])
    assert report.ok  # a warning does not block


# --- across rows -----------------------------------------------------------------------------


def test_request_field_mapped_twice_is_error_on_each_row() -> None:
    report = analyse_mapping([R("From", "a"), R("To", "b"), R("From", "c")])
    assert kinds(report) == {(0, "request", Severity.ERROR), (2, "request", Severity.ERROR)}
    assert "'From' is mapped more than once" in report.errors[0].message
    assert not report.ok


def test_same_row_twice_is_one_error_each_not_a_target_warning() -> None:
    report = analyse_mapping([R("From", "a"), R("From", "a")])
    assert kinds(report) == {(0, "request", Severity.ERROR), (1, "request", Severity.ERROR)}


def test_prefix_targets_are_errors_on_both_rows() -> None:
    report = analyse_mapping([R("From", "user"), R("To", "call.to"), R("CallUUID", "user.phone")])
    assert kinds(report) == {(0, "context", Severity.ERROR), (2, "context", Severity.ERROR)}
    assert "'user' would hold a value and also contain 'user.phone'" in report.for_row(0)[0].message
    assert "'user.phone' sits inside 'user'" in report.for_row(2)[0].message
    assert report.for_row(1) == []


def test_prefix_is_segment_wise_not_string_wise() -> None:
    assert analyse_mapping([R("From", "user"), R("To", "username")]).findings == ()
    assert analyse_mapping([R("From", "user.ph"), R("To", "user.phone")]).findings == ()


def test_deep_prefix_and_many_conflicts_named_briefly() -> None:
    report = analyse_mapping(
        [R("From", "a"), R("To", "a.b.c"), R("CallUUID", "a.d"), R("Direction", "a.b")]
    )
    assert {f.row for f in report.errors} == {0, 1, 2, 3}
    assert "(and 2 more)" in report.for_row(0)[0].message


def test_two_fields_into_one_target_is_warning_on_each() -> None:
    report = analyse_mapping([R("From", "user.phone"), R("To", "user.phone")])
    assert kinds(report) == {(0, "context", Severity.WARNING), (1, "context", Severity.WARNING)}
    assert "also receives 'To'" in report.for_row(0)[0].message
    assert "also receives 'From'" in report.for_row(1)[0].message
    assert report.ok


def test_invalid_sides_take_no_part_in_cross_row_rules() -> None:
    # 'user phone' is invalid, so it neither conflicts with 'user' nor counts as a duplicate.
    report = analyse_mapping([R("From", "user"), R("From ", "user phone")])
    assert kinds(report) == {(1, "request", Severity.ERROR), (1, "context", Severity.ERROR)}


def test_for_row_orders_request_before_context_and_whole_mapping_none() -> None:
    report = analyse_mapping([R("Caller", "a..b"), R("Caller", "c")])
    sides = [f.side for f in report.for_row(0)]
    assert sides == sorted(sides, key=lambda s: s != "request")
    assert report.for_row(None) == []
    assert report.for_row(99) == []


# --- render ----------------------------------------------------------------------------------


def test_render_documented_example() -> None:
    context = render_context([R("From", "user.phone_number")], {"From": "+15551234567"})
    assert context == {"user": {"phone_number": "+15551234567"}}


def test_render_sample_nested() -> None:
    rows = [
        R("From", "user.phone"),
        R("X-PH-CustomerId", "user.id"),
        R("To", "call.to"),
        R("X-PH-Missing", "user.missing"),  # not in the sample: skipped
        R("Direction", "call..direction"),  # error: skipped
        R("", ""),
    ]
    assert render_context(rows) == {
        "user": {
            "phone": SAMPLE_PLIVO_REQUEST["From"],
            "id": SAMPLE_PLIVO_REQUEST["X-PH-CustomerId"],
        },
        "call": {"to": SAMPLE_PLIVO_REQUEST["To"]},
    }


def test_render_skips_both_rows_of_a_prefix_conflict() -> None:
    assert render_context([R("From", "user"), R("To", "user.phone")]) == {}


def test_render_later_row_wins_a_shared_target() -> None:
    context = render_context([R("From", "who"), R("To", "who")])
    assert context == {"who": SAMPLE_PLIVO_REQUEST["To"]}


# --- conversions -----------------------------------------------------------------------------


def test_rows_round_trip_and_blank_rows_dropped() -> None:
    mapping = {"From": "user.phone", "To": "call.to"}
    rows = rows_from_mapping(mapping)
    assert rows == [R("From", "user.phone"), R("To", "call.to")]
    assert mapping_from_rows([*rows, R("", " ")]) == mapping
    assert mapping_from_rows([R("From", "")]) == {"From": ""}  # an error row is kept for analysis


# --- properties ------------------------------------------------------------------------------

_fields = st.one_of(
    st.sampled_from([*PLIVO_REQUEST_FIELDS, "X-PH-CustomerId", "X-PH-Other", "Bogus", "", " "]),
    st.text(max_size=12),
)
_paths = st.one_of(
    st.sampled_from(["user", "user.phone", "user.phone.home", "call.to", "call", "", "a..b"]),
    st.text(alphabet="ab._ 1-", max_size=8),
    st.text(max_size=12),
)
_rows = st.lists(st.builds(MappingRow, _fields, _paths), max_size=12)
_requests = st.one_of(
    st.just(SAMPLE_PLIVO_REQUEST),
    st.dictionaries(_fields, st.text(max_size=6), max_size=6),
)


@given(st.lists(st.builds(MappingRow, st.text(), st.text()), max_size=8))
def test_analysis_never_raises_on_any_text(rows: list[MappingRow]) -> None:
    report = analyse_mapping(rows)
    for finding in report.findings:
        assert finding.row is None or 0 <= finding.row < len(rows)
        assert finding.side in ("request", "context", None)
        assert finding.message and "\n" not in finding.message
        assert not rows[finding.row].is_blank if finding.row is not None else True


def _leaves(node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            assert value, f"empty object at {path}"
            out.update(_leaves(value, path))
        else:
            out[path] = value
    return out


@settings(max_examples=300)
@given(_rows, _requests)
def test_render_is_consistent_with_analysis(
    rows: list[MappingRow], request: dict[str, str]
) -> None:
    report = analyse_mapping(rows)
    context = render_context(rows, request)
    usable = [
        row
        for i, row in enumerate(rows)
        if not row.is_blank and not report.row_has_error(i) and row.request_field in request
    ]
    leaves = _leaves(context)
    # Every leaf comes from an error-free row whose field is in the request, with its value.
    for path, value in leaves.items():
        assert any(
            row.context_path == path and request[row.request_field] == value for row in usable
        )
    # Every such row shows up as a leaf.
    assert {row.context_path for row in usable} == set(leaves)
    # Error-free rows never hold syntax problems.
    for row in usable:
        assert row.request_field.strip() == row.request_field != ""


@given(_rows)
def test_errors_decide_ok_and_for_row_partitions(rows: list[MappingRow]) -> None:
    report = analyse_mapping(rows)
    assert report.ok == (report.errors == [])
    assert len(report.errors) + len(report.warnings) == len(report.findings)
    regrouped = [f for i in [None, *range(len(rows))] for f in report.for_row(i)]
    assert sorted(map(repr, regrouped)) == sorted(map(repr, report.findings))


# --- issue 8: blank rows in a mapping to be sent, control characters ---------------------------

_blank = st.text(alphabet=" \t", max_size=3)


@given(st.lists(st.builds(MappingRow, _fields, _paths), max_size=6), _blank, _blank)
def test_a_blank_row_is_an_error_in_a_mapping_to_send(
    rows: list[MappingRow], request: str, context: str
) -> None:
    rows = [*rows, MappingRow(request, context)]
    blank = len(rows) - 1
    sent = analyse_mapping(rows, blank_rows_allowed=False)
    assert sent.row_has_error(blank)
    assert not sent.ok
    # The editor's blank row is still simply ignored.
    assert analyse_mapping(rows).for_row(blank) == []


@given(
    st.lists(st.builds(MappingRow, st.text(), st.text()), max_size=6),
    st.sampled_from(["\x00", "\x1b", "\x1b]0;pwned\x07", "\r", "\n", "\x9b", "\x7f"]),
    st.booleans(),
)
def test_a_control_character_is_always_an_error(
    rows: list[MappingRow], control: str, on_request_side: bool
) -> None:
    bad = R("From" + control, "user.phone") if on_request_side else R("From", "a" + control)
    rows = [*rows, bad]
    report = analyse_mapping(rows, blank_rows_allowed=False)
    assert report.row_has_error(len(rows) - 1)
    for finding in report.findings:
        assert finding.message.isprintable()


def test_draft_refuses_an_empty_mapping_key() -> None:
    from wizard.core.errors import UsageError
    from wizard.core.models import build_draft

    for mapping in ({"": ""}, {" ": " "}, {"From": ""}, {"": "user.phone"}):
        with pytest.raises(UsageError):
            build_draft(auth_id="MA" + "A" * 18, allow_all_agents=True, context_mapping=mapping)
