"""`--debug` for the wizard: log lines go to a file, since on stderr they would tear through
the full-screen UI. The loggers under "wizard" never log a secret (the HTTP logger writes
method, path, status and timing only), so the file holds none either."""

from __future__ import annotations

import logging
import os
import re
import traceback
from collections.abc import Iterable
from pathlib import Path

LOG_FILE = "wizard.log"
_HANDLER_NAME = "wizard-tui-file"


def default_log_dir() -> Path:
    """`<user log dir>/ultravox-plivo` (platformdirs decides the dir)."""
    import platformdirs

    from wizard.core.settings import APP_NAME

    return Path(platformdirs.user_log_dir(APP_NAME))


def start_debug_log(directory: Path | None = None) -> Path:
    """Send the "wizard" loggers' DEBUG lines to `<directory>/wizard.log`; returns its path."""
    directory = directory or default_log_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / LOG_FILE
    # Created private from the start: a log is nobody else's business either.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("wizard")
    stop_debug_log()  # started twice in one process (tests): log once
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.debug("wizard started (debug log)")
    return path


def stop_debug_log() -> None:
    """Detach and close the wizard's log file, if one is open."""
    logger = logging.getLogger("wizard")
    for handler in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(handler)
        handler.close()
    logger.setLevel(logging.NOTSET)


CRASH_FILE = "crash.log"
# Shapes of secrets, masked even when not known by value (a key typed in a field not read back).
_SECRET_SHAPES = re.compile(r"\b[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}\b|\b[A-Za-z0-9_-]{40}\b")


def write_crash_log(
    error: BaseException, secrets: Iterable[str], directory: Path | None = None
) -> Path | None:
    """Write `error`'s traceback, without local variables and with every secret masked, to
    `<directory>/crash.log` (0600); returns its path, or None when it could not be written."""
    from wizard.core.text import REDACTED, mask_secrets

    text = "".join(traceback.format_exception(error))
    text = _SECRET_SHAPES.sub(REDACTED, mask_secrets(text, [s for s in secrets if s]))
    try:
        directory = directory or default_log_dir()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = directory / CRASH_FILE
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        return None
    return path
