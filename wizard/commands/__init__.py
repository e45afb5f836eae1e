"""The non-interactive commands behind `wizard.cli`; each module loads its core deps lazily."""
