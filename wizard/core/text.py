"""Text that came from a server, made safe to print: no control sequences, bounded length,
no run of a secret. Pure and dependency-free, so every layer can use it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

MAX_SERVER_TEXT: Final = 200
REDACTED: Final = "••••"
SECRET_RUN: Final = 8  # this many characters of a secret in a row are masked

# ESC sequences first, whole (so an OSC title's text goes too), then any C0/C1 control left.
# Rich's and Textual's own stripping let OSC sequences through, hence our own.
_ESCAPES: Final = re.compile(
    r"\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC ... BEL or ST (title, hyperlink)
    r"|\x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?"  # DCS, PM, APC, SOS ... ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI (colours, cursor moves, clear screen)
    r"|\x1b[ -/]*[0-~]?"  # other two-character escapes
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
)
_BREAKS: Final = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]+")
# Other controls, and the invisible or direction-changing characters that can fake a line.
_CONTROLS: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_text(value: str, limit: int = MAX_SERVER_TEXT) -> str:
    """`value` with escape sequences and control characters removed (line breaks become one
    space) and cut to `limit` characters with an ellipsis."""
    if value.isprintable() and len(value) <= limit:
        return value  # the usual case, kept cheap
    text = _CONTROLS.sub("", _BREAKS.sub(" ", _ESCAPES.sub("", value)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mask_secrets(text: str, secrets: Iterable[str], run: int = SECRET_RUN) -> str:
    """`text` with every run of `run` or more characters of a secret (its whole value when
    shorter, if at least 4 long) replaced by REDACTED: a server may echo part of one back."""
    return SecretMask(secrets, run)(text)


class SecretMask:
    """`mask_secrets` for many texts and the same secrets: the secrets' runs are worked out
    once, and a text holding none (nearly all of them) costs one regular-expression search.
    A page of 100 agents has about 1,500 strings; working the runs out per string made
    loading 10,000 agents take twice as long."""

    def __init__(self, secrets: Iterable[str], run: int = SECRET_RUN) -> None:
        self._runs: list[tuple[int, frozenset[str]]] = []
        for secret in secrets:
            if len(secret) < 4:
                continue
            size = min(run, len(secret))
            self._runs.append(
                (size, frozenset(secret[i : i + size] for i in range(len(secret) - size + 1)))
            )
        alternatives = sorted({gram for _, grams in self._runs for gram in grams})
        self._any = re.compile("|".join(map(re.escape, alternatives))) if alternatives else None

    def __bool__(self) -> bool:
        return self._any is not None

    def __call__(self, text: str) -> str:
        if self._any is None or self._any.search(text) is None:
            return text
        covered = bytearray(len(text))
        for size, grams in self._runs:
            for i in range(len(text) - size + 1):
                if text[i : i + size] in grams:
                    covered[i : i + size] = b"\x01" * size
        out: list[str] = []
        i = 0
        while i < len(text):
            if covered[i]:
                while i < len(text) and covered[i]:
                    i += 1
                out.append(REDACTED)
            else:
                out.append(text[i])
                i += 1
        return "".join(out)
