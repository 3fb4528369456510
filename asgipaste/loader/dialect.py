"""The INI dialect PasteDeploy reads, with line numbers and UTF-8 whatever the locale.

The dialect is :mod:`configparser`'s with PasteDeploy's settings (keys keep
their case, ``=`` and ``:`` delimiters, strict duplicates, blank lines kept
inside values, lazy ``%(name)s`` interpolation), so every quirk real files rely
on is kept. A well-formed file is read in one pass of our own (:func:`_parse`:
configparser's ``_read`` restricted to those settings, its patterns done with
string methods) that also notes each header's and key's line; a malformed one
is handed to configparser itself, so its errors are configparser's. What we add: the file is decoded as UTF-8,
sections are indexed by prefix and name once, and errors become
:class:`~asgipaste.errors.ConfigError` naming file, line, section and key.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NoReturn

from asgipaste.errors import ConfigError, ConfigFileNotFoundError, ConfigInterpolationError

__all__ = ["IniFile", "read_ini"]


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


def _new_parser(ini: IniFile) -> _Parser:
    parser = _Parser(
        defaults={"here": ini.here, "__file__": ini.path},
        interpolation=_Interpolation(),
        strict=True,
    )
    parser.ini = ini
    return parser


_DEFAULTSECT = configparser.DEFAULTSECT
_MISSING: Any = object()


class _Malformed(Exception):
    """The one-pass reader met a line configparser refuses; configparser then says why."""


def _parse(
    text: str, defaults: dict[str, Any]
) -> tuple[dict[str, dict[str, Any]], dict[tuple[str, str], int], dict[str, int]]:
    """configparser's ``_read`` for PasteDeploy's settings, noting where each header and key is.

    Returns ``(sections, key lines, section lines)``; ``[DEFAULT]`` keys go into
    ``defaults``. Raises :class:`_Malformed` wherever ``_read`` would raise.
    """
    sections: dict[str, dict[str, Any]] = {}
    lines: dict[tuple[str, str], int] = {}
    section_lines: dict[str, int] = {}
    multiline: list[tuple[dict[str, Any], str]] = []  # keys with continuation lines, joined at the end
    cursect: dict[str, Any] | None = None
    sectname = ""
    indent_level = 0
    values: list[str] | None = None  # the lines of the value being read, if any
    name = ""
    continued = False  # whether the value being read has a continuation line
    # read_string iterates a StringIO, which ends lines at "\n" only (not at \r, \f, \u2028...).
    for lineno, line in enumerate(text.split("\n"), start=1):
        value = line.strip()
        if not value:
            if values is not None:
                values.append("")  # blank lines belong to a value (empty_lines_in_values)
            continue
        if value[0] in "#;":
            continue  # a whole-line comment (no inline comments in this dialect)
        # No leading whitespace (value[0] is none): skip measuring it, as on most lines.
        cur_indent = 0 if line[0] == value[0] else len(line) - len(line.lstrip())
        if values is not None and cur_indent > indent_level:
            values.append(value)  # a continuation line
            if not continued:
                assert cursect is not None
                cursect[name] = values
                multiline.append((cursect, name))
                continued = True
            continue
        indent_level = cur_indent
        # SECTCRE, r"\[(?P<header>.+)\]" matched at the start: "[" and a later "]", the last one.
        close = value.rfind("]") if value[0] == "[" else -1
        if close >= 2:
            sectname = value[1:close]
            if sectname in sections:
                raise _Malformed  # DuplicateSectionError ([DEFAULT] may repeat)
            if sectname == _DEFAULTSECT:
                cursect = defaults
            else:
                cursect = sections[sectname] = {}
            section_lines.setdefault(sectname, lineno)
            values = None
            continue
        # OPTCRE, r"(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$": split at the first = or :.
        equals, colon = value.find("="), value.find(":")
        split = colon if equals < 0 or 0 <= colon < equals else equals
        if cursect is None or split < 0:
            raise _Malformed  # MissingSectionHeaderError, ParsingError
        name = value[:split].rstrip()
        if not name or (sectname, name) in lines:  # lines holds every key read so far
            raise _Malformed  # ParsingError, DuplicateOptionError
        # A one-line value is stored as it is ("\n".join([v, "", ...]).rstrip() is v, stripped
        # already); a value with continuation lines is stored as its list, joined below.
        first = value[split + 1 :].strip()
        cursect[name] = first
        values = [first]
        continued = False
        lines[sectname, name] = lineno
    for options, key in multiline:
        options[key] = "\n".join(options[key]).rstrip()
    return sections, lines, section_lines


class IniFile:
    """One parsed INI file: raw values, lazily interpolated lookups, line numbers.

    >>> ini = IniFile.from_string("[app:main]\\nuse = egg:demo\\n", "/srv/app.ini")
    >>> ini.get("app:main", "use"), ini.line_of("app:main", "use")
    ('egg:demo', 2)
    """

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.here = os.path.dirname(path)
        self._parser: _Parser | None = None  # configparser over the same dicts, made when needed
        self._proxied = False
        self._defaults: dict[str, Any] = {"here": self.here, "__file__": path}
        try:
            self._sections, self._lines, self._section_lines = _parse(text, self._defaults)
        except _Malformed:
            _raise_parse_error(self, text)
        self._defaults_cache: dict[str, str] | None = None
        self._index: dict[str, dict[str, list[str]]] = {}
        self._by_name: dict[str, dict[str, list[str]]] = {}
        for section in self._sections:
            prefix, sep, name = section.partition(":")
            if sep:
                name = name.strip()
                self._index.setdefault(prefix, {}).setdefault(name, []).append(section)
                self._by_name.setdefault(name, {}).setdefault(prefix, []).append(section)

    @classmethod
    def from_string(cls, text: str, path: str) -> IniFile:
        return cls(path, text)

    # -- structure -------------------------------------------------------
    def sections(self) -> list[str]:
        return list(self._sections)

    def has_section(self, section: str) -> bool:
        return section in self._sections

    def has_option(self, section: str, option: str) -> bool:
        """Whether ``section`` (or ``[DEFAULT]``, which every section sees) has ``option``."""
        if not section or section == _DEFAULTSECT:
            return option in self._defaults
        own = self._sections.get(section)
        return own is not None and (option in own or option in self._defaults)

    @property
    def parser(self) -> configparser.ConfigParser:
        """The parsed file as a ConfigParser, for ``logging.config.fileConfig`` (no second read)."""
        parser = self._configparser()
        if not self._proxied:
            for section in self._sections:
                parser._proxies[section] = configparser.SectionProxy(parser, section)  # type: ignore[attr-defined]
            self._proxied = True
        return parser

    def _configparser(self) -> _Parser:
        """A ConfigParser sharing this file's dicts: interpolation and errors exactly as configparser's."""
        if self._parser is None:
            parser = _new_parser(self)
            parser._defaults = self._defaults  # type: ignore[attr-defined]
            parser._sections = self._sections  # type: ignore[attr-defined]
            self._parser = parser
        return self._parser

    def find(self, prefix: str, name: str) -> list[str]:
        """Sections ``[prefix:name]`` (the name part stripped), in file order."""
        return self._index.get(prefix, {}).get(name, [])

    def prefixes_of(self, name: str) -> dict[str, list[str]]:
        """``{prefix: sections}`` of the sections ``[prefix:name]`` (read only)."""
        return self._by_name.get(name, {})

    def names_with_prefix(self, prefix: str) -> list[str]:
        return list(self._index.get(prefix, {}))

    def names_with_prefixes(self, prefixes: Iterable[str]) -> list[str]:
        """Names of the sections under any of ``prefixes``, in file order, once each (``APP.prefixes()``: apps).

        >>> ini = IniFile.from_string("[composite:b]\\n[app:a]\\n[filter:c]\\n[app:b]\\n", "/x.ini")
        >>> ini.names_with_prefixes(["app", "composite"])
        ['b', 'a']
        """
        wanted = set(prefixes)
        names = (section.partition(":") for section in self._sections)
        return list(dict.fromkeys(name.strip() for prefix, sep, name in names if sep and prefix.strip() in wanted))

    def own_options(self, section: str) -> list[str]:
        """The section's own keys, in file order (without ``[DEFAULT]``'s)."""
        return list(self._sections[section])

    def own_values(self, section: str) -> Mapping[str, Any]:
        """The section's own raw values, in file order (read only)."""
        try:
            return self._sections[section]
        except KeyError:
            raise configparser.NoSectionError(section) from None

    def options(self, section: str) -> list[str]:
        """Keys as configparser walks them: the section's own, then DEFAULT's."""
        try:
            own = self._sections[section]
        except KeyError:
            raise configparser.NoSectionError(section) from None
        return list({**own, **self._defaults})

    def raw_defaults(self) -> dict[str, str]:
        return dict(self._defaults)

    def add_defaults(self, values: Mapping[str, Any], *, overwrite: bool) -> None:
        """Caller globals join the defaults; they never replace the file's own."""
        store = self._defaults
        self._defaults_cache = None
        for key, value in values.items():
            if overwrite or key not in store:
                store[key] = value

    # -- values ----------------------------------------------------------
    def _lookup(self, section: str, option: str) -> Any:
        """The raw value as configparser finds it (the section's, then DEFAULT's), or _MISSING."""
        own = self._sections.get(section)
        if own is None:
            return _MISSING if section != _DEFAULTSECT else self._defaults.get(option, _MISSING)
        value = own.get(option, _MISSING)
        return self._defaults.get(option, _MISSING) if value is _MISSING else value

    def get(self, section: str, option: str) -> str:
        """The interpolated value (``section`` may be ``DEFAULT``)."""
        value = self._lookup(section, option)
        if type(value) is str and "%" not in value:
            return value  # what interpolation would return; most values have no %
        return self._configparser().get(section, option)

    def get_raw(self, section: str, option: str) -> str:
        value = self._lookup(section, option)
        if value is _MISSING:
            return self._configparser().get(section, option, raw=True)  # its NoSectionError/NoOptionError
        return value  # type: ignore[no-any-return]

    def defaults(self) -> dict[str, str]:
        """Interpolated ``[DEFAULT]`` values (plus ``here``/``__file__``).

        A value that interpolates to ``''`` is returned raw, as PasteDeploy does.
        """
        return dict(self.defaults_view())

    def defaults_view(self) -> dict[str, str]:
        """:meth:`defaults` without the copy: the caller must not change it."""
        if self._defaults_cache is None:
            # Interpolated once per set of defaults, not once per section.
            out: dict[str, str] = {}
            for key, raw in self._defaults.items():
                out[key] = self.get(_DEFAULTSECT, key) or raw
            self._defaults_cache = out
        return self._defaults_cache

    # -- locations -------------------------------------------------------
    def line_of(self, section: str | None, option: str | None = None) -> int | None:
        if section is None:
            return None
        if option is not None:
            line = self._lines.get((section, option))
            if line is None and section != _DEFAULTSECT:
                line = self._lines.get((_DEFAULTSECT, option))
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


def _raise_parse_error(ini: IniFile, text: str) -> NoReturn:
    """configparser's own error for a file the one-pass reader found malformed."""
    try:
        _new_parser(ini).read_string(text, source=ini.path)
    except configparser.Error as exc:
        raise _parse_error(ini.path, exc) from exc
    raise AssertionError(f"{ini.path}: configparser reads what the one-pass reader refused")


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
