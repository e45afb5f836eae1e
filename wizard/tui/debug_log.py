"""`--debug` for the wizard: log lines go to a file, since on stderr they would tear through
the full-screen UI. The loggers under "wizard" never log a secret (the HTTP logger writes
method, path, status and timing only), so the file holds none either."""

from __future__ import annotations

import logging
import os
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
