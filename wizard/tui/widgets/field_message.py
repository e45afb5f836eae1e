"""Small pieces the steps share: rule validators, field messages, error sentences."""

from __future__ import annotations

from collections.abc import Callable

from textual.validation import ValidationResult, Validator
from textual.widgets import Static

from wizard.core.rules import Finding

Rule = Callable[[str], list[Finding]]


class RuleValidator(Validator):
    """A Textual validator over one of the core's `check_*` rules; warnings do not fail."""

    def __init__(self, rule: Rule) -> None:
        super().__init__()
        self.rule = rule

    def validate(self, value: str) -> ValidationResult:
        found = [f.message for f in self.rule(value) if f.is_error]
        return self.failure(" ".join(found)) if found else self.success()


class FieldMessage(Static):
    """The line under a field: an error, a warning or a confirmation, each with a text label
    so the meaning never depends on colour alone.

    Plain text, never markup: it shows server text (an account name, a field error), and an
    account called `[@click=app.quit]x` must not become an action nor `[/x]` a crash.
    """

    def __init__(
        self,
        content: str = "",
        *,
        id: str | None = None,  # noqa: A002 (Textual's name)
        classes: str | None = None,
    ) -> None:
        super().__init__(content, id=id, classes=classes, markup=False)

    def show_findings(self, findings: list[Finding]) -> None:
        errors = [f.message for f in findings if f.is_error]
        warnings = [f.message for f in findings if not f.is_error]
        if errors:
            self.show("error", "✗ " + " ".join(errors))
        elif warnings:
            self.show("warning", "! Warning: " + " ".join(warnings))
        else:
            self.show("", "")

    def show(self, kind: str, text: str) -> None:
        """kind: "error", "warning", "success", "busy" or "" (neutral)."""
        for name in ("error", "warning", "success", "busy"):
            self.set_class(kind == name, f"-{name}")
        self.update(text)
        self.display = bool(text)  # no blank line where there is nothing to say
