"""The log file: logs/rws.log in the data folder, rotated at 1 MB, five old files kept.

It records what IT support needs when something goes wrong: start-up, which database, where
the reference-face key is kept, and failures with their tracebacks. It never records personal
data: no names, no photos' file names or folders, no encodings. The app's own messages are
written that way; in a failure's text, any path outside the app's own files is replaced by
<path>, since a photo's folder or file name can name a child.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import re
import sys
import threading
import traceback
from pathlib import Path

from .paths import data_dir, make_private_folder

LOG_FILE = "rws.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
# The app's loggers; third-party libraries stay quiet unless they warn.
APP_LOGGER = "rws_desktop"
_handler: logging.Handler | None = None
# Absolute paths: Windows (C:\\..., \\\\server\\...) and POSIX (/...), spaces and all, up to a quote, a
# bracket, a comma, a semicolon or a line end. Too much hidden is better than a child's name shown.
# Not the slashes of an address such as postgresql://host/db.
_PATH = re.compile(r"(?:(?<![\w+.-])[A-Za-z]:[\\/]|(?<![\w:])\\\\|(?<![\w.:/\\])/)[^'\"\n,;()\[\]<>]*")


def log_file() -> Path:
    return data_dir() / "logs" / LOG_FILE


class PrivateFormatter(logging.Formatter):
    """Tracebacks keep their code locations; messages lose any path outside the app's own files."""

    def formatException(self, ei) -> str:
        lines = traceback.format_exception(*ei)
        return "".join(redact_paths(line) if not line.startswith("  File ") else line for line in lines).rstrip("\n")


def redact_paths(text: str) -> str:
    """`text` with every absolute path replaced by <path>, except those inside the app's own files."""
    own = [p for p in {str(Path(__file__).resolve().parent.parent), sys.prefix, sys.base_prefix,
                       getattr(sys, "_MEIPASS", "")} if p]

    def replace(match: re.Match) -> str:
        path = match.group(0).rstrip()
        kept = any(path.startswith(prefix) for prefix in own)
        return (path if kept else "<path>") + match.group(0)[len(path):]

    return _PATH.sub(replace, text)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files readable by this user only (0600 on Linux and macOS), the first and every rotated one,
    like the database and the keys: the log names staff and files, though never pupils."""

    def _open(self):
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        if os.name == "posix":
            os.fchmod(descriptor, 0o600)  # a file left 0644 by an older version
        return open(descriptor, self.mode, encoding=self.encoding, errors=self.errors)


def configure_logging(program: str) -> Path | None:
    """Send the app's log records to the log file (once per process; again if the data folder changed).
    Returns the file, or None when it cannot be written (the app runs on without one)."""
    global _handler
    path = log_file()
    logger = logging.getLogger(APP_LOGGER)
    if _handler is not None and getattr(_handler, "baseFilename", None) == str(path.resolve()):
        return path
    try:
        make_private_folder(path.parent)
        handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s [%(process)d %(name)s] %(message)s"))
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler.close()
    _handler = handler
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    _log_uncaught_exceptions()
    logging.getLogger(f"{APP_LOGGER}.start").info(
        "%s started: version %s, Python %s, %s%s, process %d", program, _version(), sys.version.split()[0], sys.platform,
        " (bundle)" if getattr(sys, "frozen", False) else "", os.getpid())
    return path


def _version() -> str:
    from . import __version__

    return __version__


def _log_uncaught_exceptions() -> None:
    """Uncaught errors in the main thread or any other are written to the log before Python's own handling."""
    crash = logging.getLogger(f"{APP_LOGGER}.crash")
    previous_hook, previous_thread_hook = sys.excepthook, threading.excepthook
    if getattr(previous_hook, "_rws_logs", False):
        return

    def hook(kind, value, tb):
        if not issubclass(kind, KeyboardInterrupt):
            crash.critical("Unexpected error", exc_info=(kind, value, tb))
        previous_hook(kind, value, tb)

    def thread_hook(args):
        crash.critical("Unexpected error in a background thread", exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        previous_thread_hook(args)

    hook._rws_logs = True
    sys.excepthook = hook
    threading.excepthook = thread_hook


def log_opened(app) -> None:
    """One line for the database and one for the key, after the app has opened them."""
    start = logging.getLogger(f"{APP_LOGGER}.start")
    url = app.database.url
    default = f"sqlite:///{data_dir() / 'rws.sqlite3'}"
    shown = "SQLite, rws.sqlite3 in the data folder" if url == default else redact_paths(url)
    start.info("Database: %s (%s)", shown, app.database.dialect_name)
    status = app.key_status
    if status is not None:
        (start.info if status.ready else start.warning)("Reference-face key: %s", redact_paths(status.message))
