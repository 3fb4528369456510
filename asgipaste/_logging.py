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


def logging_problems(ini: IniFile) -> list[ConfigError]:
    """What ``logging.config.fileConfig`` would refuse in ``ini``'s logging sections, without applying them.

    Every key listed in ``[loggers]``, ``[handlers]`` and ``[formatters]`` needs
    its ``[logger_X]``/``[handler_X]``/``[formatter_X]`` section; a logger's
    handlers and a handler's formatter must be listed; a handler's ``class``
    must resolve. ``asgipaste check`` reports these before ``serve`` would.
    """
    if not ini.has_section("loggers"):
        return []
    problems: list[ConfigError] = []

    def listed(section: str) -> list[str]:
        if not ini.has_section(section) or not ini.has_option(section, "keys"):
            return []
        return [k.strip() for k in ini.get_raw(section, "keys").split(",") if k.strip()]

    def problem(message: str, section: str, key: str | None, hint: str) -> None:
        problems.append(ConfigError(message, file=ini.path, section=section, key=key,
                                    line=ini.line_of(section, key), hint=hint))

    loggers, handlers, formatters = listed("loggers"), listed("handlers"), listed("formatters")
    for kind, names, owner in (("logger", loggers, "loggers"), ("handler", handlers, "handlers"),
                               ("formatter", formatters, "formatters")):
        for name in names:
            if not ini.has_section(f"{kind}_{name}"):
                problem(f"[{owner}] lists {name!r} but there is no [{kind}_{name}] section", owner, "keys",
                        f"add [{kind}_{name}] or remove {name!r} from [{owner}] keys")
    for name in loggers:
        section = f"logger_{name}"
        if ini.has_section(section) and ini.has_option(section, "handlers"):
            for handler in (h.strip() for h in ini.get_raw(section, "handlers").split(",") if h.strip()):
                if handler not in handlers:
                    problem(f"[{section}] uses the handler {handler!r}, which [handlers] does not list",
                            section, "handlers", f"list it in [handlers] keys (known: {', '.join(handlers)})")
    for name in handlers:
        section = f"handler_{name}"
        if not ini.has_section(section):
            continue
        if ini.has_option(section, "formatter"):
            formatter = ini.get_raw(section, "formatter").strip()
            if formatter and formatter not in formatters:
                problem(f"[{section}] uses the formatter {formatter!r}, which [formatters] does not list",
                        section, "formatter", f"list it in [formatters] keys (known: {', '.join(formatters)})")
        if ini.has_option(section, "class"):
            klass = ini.get_raw(section, "class").strip()
            try:
                eval(klass, vars(logging))  # fileConfig's own resolution of handler classes
            except Exception:
                try:
                    logging.config._resolve(klass)  # type: ignore[attr-defined]
                except Exception as exc:
                    problem(f"[{section}] class {klass!r} cannot be found: {type(exc).__name__}: {exc}",
                            section, "class", "use a logging handler class such as StreamHandler or a dotted path")
    return problems
