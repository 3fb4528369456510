"""Logging the way ``pserve`` sets it up: the INI's ``[loggers]`` sections, with ``%(here)s``.

>>> from pathlib import Path
>>> has_logging_sections(Path("/nonexistent.ini"))
False
"""

from __future__ import annotations

import logging
import logging.config
import sys
from collections.abc import Mapping
from pathlib import Path

from asgipaste.errors import ConfigError
from asgipaste.loader.dialect import IniFile, read_ini

__all__ = ["configure_from_ini", "ensure_handler", "has_logging_sections"]

class _UvicornStyle(logging.Formatter):
    """``INFO:     message``, lined up with uvicorn's own default lines."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname + ':':<9} {super().format(record)}"


def _read(path: Path) -> IniFile | None:
    try:
        return read_ini(str(path))
    except ConfigError:
        return None  # the loader reports a file it cannot read, with its line


def has_logging_sections(path: Path) -> bool:
    """Whether the file has a ``[loggers]`` section (pserve's test); unreadable files have none."""
    ini = _read(path)
    return ini is not None and ini.has_section("loggers")


def configure_from_ini(path: Path, global_conf: Mapping[str, str] | None = None) -> bool:
    """Run ``logging.config.fileConfig`` on ``path`` when it has ``[loggers]``; return whether it did.

    ``here``, ``__file__`` and the command-line ``var=value`` pairs are the
    interpolation defaults, as in pserve, so ``%(here)s/app.log`` works.
    """
    ini = _read(path)
    if ini is None or not ini.has_section("loggers"):
        return False
    # The loader's own reader, handed to fileConfig: one parse, the same dialect
    # (here, __file__ and the command line's var=value pairs interpolate).
    ini.add_defaults(dict(global_conf or {}), overwrite=True)
    try:
        logging.config.fileConfig(ini.parser, disable_existing_loggers=False)
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
