"""The INI dialect PasteDeploy reads, with line numbers and UTF-8 whatever the locale.

Parsing is delegated to :mod:`configparser` with PasteDeploy's settings (keys
keep their case, ``=`` and ``:`` delimiters, strict duplicates, lazy
``%(name)s`` interpolation), so every quirk real files rely on is kept. What we
add: the file is decoded as UTF-8, every section header and key is mapped to
its line, sections are indexed by prefix once, and errors become
:class:`~asgipaste.errors.ConfigError` naming file, line, section and key.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from asgipaste.errors import ConfigError, ConfigFileNotFoundError, ConfigInterpolationError

__all__ = ["IniFile", "read_ini"]

_SECTION_RE = re.compile(r"\[(?P<header>.+)\]")
_OPTION_RE = re.compile(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$")


class _Interpolation(configparser.BasicInterpolation):
    """BasicInterpolation whose errors say which file, as PasteDeploy's do."""

    def before_get(
        self,
        parser: Any,
        section: str,
        option: str,
        value: str,
        defaults: Any,
    ) -> str:
        try:
            return super().before_get(parser, section, option, value, defaults)
        except configparser.Error as exc:
            ini: IniFile = parser.ini
            hint = None
            missing = re.search(r"interpolation key '([^']+)'", str(exc))
            if missing:
                name = missing.group(1)
                hint = (
                    f"give {name} a value: `{name}=VALUE` on the command line (asgipaste serve FILE "
                    f"{name}=VALUE; ASGIPASTE_VARS for asgipaste.serve:app), or `{name} = ...` in [DEFAULT]"
                )
            raise ConfigInterpolationError(
                f"Error in file {ini.path}: {exc}",
                file=ini.path,
                section=section,
                key=option,
                line=ini.line_of(section, option),
                hint=hint,
            ) from exc


class _Parser(configparser.ConfigParser):
    ini: IniFile

    def optionxform(self, optionstr: str) -> str:
        return optionstr  # keys keep their case, as in PasteDeploy


class IniFile:
    """One parsed INI file: raw values, lazily interpolated lookups, line numbers.

    >>> ini = IniFile.from_string("[app:main]\\nuse = egg:demo\\n", "/srv/app.ini")
    >>> ini.get("app:main", "use"), ini.line_of("app:main", "use")
    ('egg:demo', 2)
    """

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.here = os.path.dirname(path)
        self._parser = _Parser(
            defaults={"here": self.here, "__file__": path},
            interpolation=_Interpolation(),
            strict=True,
        )
        self._parser.ini = self
        self._lines: dict[tuple[str, str], int] = {}
        self._section_lines: dict[str, int] = {}
        try:
            self._parser.read_string(text, source=path)
        except configparser.Error as exc:
            raise _parse_error(path, exc) from exc
        self._scan_lines(text)
        self._defaults_cache: dict[str, str] | None = None
        self._index: dict[str, dict[str, list[str]]] = {}
        for section in self._parser.sections():
            prefix, sep, name = section.partition(":")
            if sep:
                self._index.setdefault(prefix, {}).setdefault(name.strip(), []).append(section)

    @classmethod
    def from_string(cls, text: str, path: str) -> IniFile:
        return cls(path, text)

    # -- structure -------------------------------------------------------
    def sections(self) -> list[str]:
        return self._parser.sections()

    def has_section(self, section: str) -> bool:
        return self._parser.has_section(section)

    def has_option(self, section: str, option: str) -> bool:
        """Whether ``section`` (or ``[DEFAULT]``, which every section sees) has ``option``."""
        return self._parser.has_option(section, option)

    @property
    def parser(self) -> configparser.ConfigParser:
        """The parsed file as a ConfigParser, for ``logging.config.fileConfig`` (no second read)."""
        return self._parser

    def find(self, prefix: str, name: str) -> list[str]:
        """Sections ``[prefix:name]`` (the name part stripped), in file order."""
        return self._index.get(prefix, {}).get(name, [])

    def names_with_prefix(self, prefix: str) -> list[str]:
        return list(self._index.get(prefix, {}))

    def names_with_prefixes(self, prefixes: Iterable[str]) -> list[str]:
        """Names of the sections under any of ``prefixes``, in file order, once each (``APP.prefixes()``: apps).

        >>> ini = IniFile.from_string("[composite:b]\\n[app:a]\\n[filter:c]\\n[app:b]\\n", "/x.ini")
        >>> ini.names_with_prefixes(["app", "composite"])
        ['b', 'a']
        """
        wanted = set(prefixes)
        names = (section.partition(":") for section in self._parser.sections())
        return list(dict.fromkeys(name.strip() for prefix, sep, name in names if sep and prefix.strip() in wanted))

    def own_options(self, section: str) -> list[str]:
        """The section's own keys, in file order (without ``[DEFAULT]``'s)."""
        return list(self._parser._sections[section])  # type: ignore[attr-defined]

    def options(self, section: str) -> list[str]:
        """Keys as configparser walks them: the section's own, then DEFAULT's."""
        return self._parser.options(section)

    def raw_defaults(self) -> dict[str, str]:
        return dict(self._parser._defaults)  # type: ignore[attr-defined]

    def add_defaults(self, values: Mapping[str, Any], *, overwrite: bool) -> None:
        """Caller globals join the defaults; they never replace the file's own."""
        store = self._parser._defaults  # type: ignore[attr-defined]
        self._defaults_cache = None
        for key, value in values.items():
            if overwrite or key not in store:
                store[key] = value

    # -- values ----------------------------------------------------------
    def get(self, section: str, option: str) -> str:
        """The interpolated value (``section`` may be ``DEFAULT``)."""
        return self._parser.get(section, option)

    def get_raw(self, section: str, option: str) -> str:
        return self._parser.get(section, option, raw=True)

    def defaults(self) -> dict[str, str]:
        """Interpolated ``[DEFAULT]`` values (plus ``here``/``__file__``).

        A value that interpolates to ``''`` is returned raw, as PasteDeploy does.
        """
        if self._defaults_cache is None:
            # Interpolated once per set of defaults, not once per section.
            out: dict[str, str] = {}
            for key, raw in self._parser._defaults.items():  # type: ignore[attr-defined]
                out[key] = self._parser.get(configparser.DEFAULTSECT, key) or raw
            self._defaults_cache = out
        return dict(self._defaults_cache)

    # -- locations -------------------------------------------------------
    def line_of(self, section: str | None, option: str | None = None) -> int | None:
        if section is None:
            return None
        if option is not None:
            line = self._lines.get((section, option))
            if line is None and section != configparser.DEFAULTSECT:
                line = self._lines.get((configparser.DEFAULTSECT, option))
            if line is not None:
                return line
        return self._section_lines.get(section)

    def error(
        self,
        cls: type[ConfigError],
        message: str,
        section: str | None,
        key: str | None = None,
        hint: str | None = None,
    ) -> ConfigError:
        """A ConfigError of ``cls`` located in this file."""
        return cls(
            message,
            file=self.path,
            section=section,
            key=key,
            line=self.line_of(section, key),
            hint=hint,
        )

    def _scan_lines(self, text: str) -> None:
        # configparser does not keep positions; one linear pass recovers them.
        section: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped[0] in "#;" or line[0].isspace():
                continue
            match = _SECTION_RE.match(line)
            if match:
                section = match.group("header")
                self._section_lines.setdefault(section, number)
                continue
            if section is None:
                continue
            opt = _OPTION_RE.match(line)
            if opt:
                self._lines.setdefault((section, opt.group("option").strip()), number)

    def __iter__(self) -> Iterator[str]:
        return iter(self.sections())

    def __repr__(self) -> str:
        return f"IniFile({self.path!r})"


def _parse_error(path: str, exc: configparser.Error) -> ConfigError:
    line = getattr(exc, "lineno", None)
    section = getattr(exc, "section", None)
    key = getattr(exc, "option", None)
    message = f"Cannot parse {path}: {exc.message}"
    hint = None
    if isinstance(exc, configparser.DuplicateOptionError):
        message = f"Duplicate key {key!r} in section [{section}] of {path}"
        hint = "each key may appear once per section; join repeated values on one line"
    elif isinstance(exc, configparser.DuplicateSectionError):
        message = f"Duplicate section [{section}] in {path}"
    elif isinstance(exc, configparser.MissingSectionHeaderError):
        message = f"{path} has a key before any [section] header"
        hint = "start the file with a section such as [app:main]"
    elif isinstance(exc, configparser.ParsingError):
        first = exc.errors[0] if exc.errors else (None, "")
        line = first[0]
        message = f"Cannot parse {path}: line {line} is not 'key = value': {first[1]}"
    return ConfigError(message, file=path, section=section, key=key, line=line, hint=hint)


def read_ini(path: str) -> IniFile:
    """Read ``path`` as UTF-8 (a BOM is accepted) and parse it."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise ConfigFileNotFoundError(f"Configuration file not found: {path}", file=path) from None
    except IsADirectoryError:
        raise ConfigFileNotFoundError(f"Configuration path is a directory: {path}", file=path) from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path} is not valid UTF-8 (byte {exc.start})",
            file=path,
            line=line,
            hint="asgipaste reads INI files as UTF-8 whatever the locale; re-save the file as UTF-8",
        ) from None
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}", file=path) from None
    return IniFile(path, text)
