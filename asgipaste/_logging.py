"""Logging the way ``pserve`` sets it up: the INI's ``[loggers]`` sections, with ``%(here)s``.

>>> from pathlib import Path
>>> has_logging_sections(Path("/nonexistent.ini"))
False
"""

from __future__ import annotations

import configparser
import logging
import logging.config
import sys
from collections.abc import Mapping
from pathlib import Path

from asgipaste.errors import ConfigError

__all__ = ["configure_from_ini", "ensure_handler", "has_logging_sections"]

class _UvicornStyle(logging.Formatter):
    """``INFO:     message``, lined up with uvicorn's own default lines."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname + ':':<9} {super().format(record)}"


def has_logging_sections(path: Path) -> bool:
    """Whether the file has a ``[loggers]`` section (pserve's test); unreadable files have none."""
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return False
    return parser.has_section("loggers")


def configure_from_ini(path: Path, global_conf: Mapping[str, str] | None = None) -> bool:
    """Run ``logging.config.fileConfig`` on ``path`` when it has ``[loggers]``; return whether it did.

    ``here``, ``__file__`` and the command-line ``var=value`` pairs are the
    interpolation defaults, as in pserve, so ``%(here)s/app.log`` works.
    """
    if not has_logging_sections(path):
        return False
    defaults = {"__file__": str(path), "here": str(path.parent), **(global_conf or {})}
    try:
        logging.config.fileConfig(str(path), defaults, disable_existing_loggers=False)
    except Exception as exc:  # fileConfig raises KeyError, ValueError, configparser errors...
        raise ConfigError(
            f"Cannot configure logging: {type(exc).__name__}: {exc}",
            file=str(path),
            section="loggers",
            hint="check the [loggers], [handlers] and [formatters] sections",
        ) from None
    return True


def ensure_handler(level: int = logging.INFO) -> None:
    """Show asgipaste's own messages on stderr when nothing else configured logging."""
    log = logging.getLogger("asgipaste")
    if log.handlers or logging.getLogger().handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_UvicornStyle("%(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False
