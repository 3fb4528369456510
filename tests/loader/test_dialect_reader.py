"""The one-pass INI reader against configparser, which it replaces on the loading path.

For any text, :class:`IniFile` must hold exactly what PasteDeploy's
configparser settings read (sections, keys, raw and interpolated values, the
same error), and each key's line must be the line configparser read it from.
"""

from __future__ import annotations

import configparser
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asgipaste.errors import ConfigError
from asgipaste.loader.dialect import IniFile, _parse_error

PATH = "/srv/conf/app.ini"


class _Reference(configparser.ConfigParser):
    def optionxform(self, optionstr: str) -> str:
        return optionstr


def _reference(text: str) -> _Reference | configparser.Error:
    parser = _Reference(defaults={"here": "/srv/conf", "__file__": PATH}, strict=True)
    try:
        parser.read_string(text, source=PATH)
    except configparser.Error as exc:
        return exc
    return parser


def _value(get: Any, section: str, option: str) -> tuple[str, str]:
    try:
        return "ok", get(section, option)
    except ConfigError as exc:  # ours wraps configparser's (and is one itself)
        cause = exc.__cause__
        return type(cause).__name__, str(cause)
    except configparser.Error as exc:
        return type(exc).__name__, str(exc)


def _old_scan(text: str) -> dict[tuple[str, str], int]:
    """The line scan the reader replaced: right for files whose lines all start in column 0."""
    lines: dict[tuple[str, str], int] = {}
    section = None
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#;" or line[0].isspace():
            continue
        match = re.match(r"\[(?P<header>.+)\]", line)
        if match:
            section = match.group("header")
            continue
        opt = re.match(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$", line)
        if section is not None and opt:
            lines.setdefault((section, opt.group("option").strip()), number)
    return lines


def check_same(text: str) -> None:
    ref = _reference(text)
    if isinstance(ref, configparser.Error):
        with pytest.raises(ConfigError) as info:
            IniFile.from_string(text, PATH)
        expected = _parse_error(PATH, ref)
        assert (info.value.message, info.value.line, info.value.section, info.value.key) == (
            expected.message, expected.line, expected.section, expected.key)
        return
    ini = IniFile.from_string(text, PATH)
    assert ini.sections() == ref.sections()
    assert ini.raw_defaults() == dict(ref.defaults())
    for section in [*ref.sections(), "DEFAULT"]:
        options = ref.options(section) if section != "DEFAULT" else list(ref.defaults())
        if section != "DEFAULT":
            assert ini.options(section) == options
            assert ini.own_options(section) == list(ref._sections[section])  # type: ignore[attr-defined]
        for option in options:
            assert ini.has_option(section, option) == ref.has_option(section, option)
            assert ini.get_raw(section, option) == ref.get(section, option, raw=True)
            assert _value(ini.get, section, option) == _value(ref.get, section, option)
    for section in ini.sections():
        for option in ini.own_options(section):
            line = ini.line_of(section, option)
            assert line is not None
            assert text.split("\n")[line - 1].strip().startswith(option)
    if not any(line[:1].isspace() for line in text.split("\n")):
        for (section, option), line in _old_scan(text).items():
            if section != "DEFAULT" or option not in ("here", "__file__"):
                assert ini.line_of(section, option) == line


TRICKY = [
    "[app:main]\nuse = egg:x\n",
    "[app:main]\nuse=egg:x",
    "[app:main]\r\nuse = egg:x\r\nKey : Value\r\n",
    "[DEFAULT]\nhere = /elsewhere\nx = %(here)s/y\n[app:main]\nuse = %(x)s\nx = own\n",
    "[DEFAULT]\na = 1\n[app:main]\nb = %(a)s%%\nc = 100%\nd = %(nope)s\ne = %(A)s\n",
    "[app:main]\nlong = first\n  second\n\n  fourth\n\n\nnext = 1\n",
    "[app:main]\nv = a\n  # not a comment inside a value\n  ; nor this\n# but this is\nw = b ; inline kept\n",
    "[app:main]\n  use = indented key\n  other = same level\n",
    "[app:main]\nuse = x\n    [app:other]\nk = v\n",
    "[app:main]\n  [app:indented]\nk = v\n",
    "[DEFAULT]\na = 1\n[app:main]\nk = v\n[DEFAULT]\nb = 2\n",
    "[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n",
    "[app:main]\nk = 1\nk = 2\n",
    "[app:main]\nk = 1\nK = 2\n",
    "[app:main]\n[app:main]\n",
    "k = v\n[app:main]\n",
    "# comment\n\n[app:main]\nnot an option\n",
    "[app:main]\n= value\n",
    "[app:main]\nk =\nj:\ni = a = b\nh : c = d\n",
    "[app:main]\nk = v\x0cw = 2\nu\u2028x = 3\n",
    "[app:main]\nk = v\n\x0c\n  more\n",
    "[ app : main ]\nk=v\n[app:main] trailing\nk=w\n[a]b]\nk=x\n",
    "",
    "\n\n",
    "[app:main]",
    "[app:main]\nk = %(k)s\n",
    "[app:main]\nset x = 1\nget y = x\n",
    "\t[app:main]\n\tk = v\n\t  c\n",
    "[app:main]\nk = v\n\t\tcont\n  [app:x]\n",
    "[]\n", "[]]\nk=v\n", "[app:main]\nk : = v\nj = : v\ni\t:\tv\nh\u00a0= v\u00a0\n", "[app:main]\n : v\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_files_read_as_configparser_reads_them(text: str) -> None:
    check_same(text)


def test_lines_of_indented_keys_are_their_own() -> None:
    ini = IniFile.from_string("[app:main]\n  use = egg:x\n  [filter:f]\n  k = v\n", PATH)
    assert (ini.line_of("app:main", "use"), ini.line_of("filter:f"), ini.line_of("filter:f", "k")) == (2, 3, 4)


def test_parser_is_configparser_over_the_same_values() -> None:
    ini = IniFile.from_string("[DEFAULT]\nd = %(here)s\n[loggers]\nkeys = root\n", PATH)
    parser = ini.parser
    assert parser["loggers"]["keys"] == "root" and parser.get("loggers", "d") == "/srv/conf"
    ini.add_defaults({"extra": "1"}, overwrite=False)
    assert parser.get("loggers", "extra") == "1"


def test_a_path_configparser_cannot_interpolate_fails_where_it_did() -> None:
    ini = IniFile.from_string("[app:main]\nk = v\n", "/srv/100%/app.ini")
    assert ini.get("app:main", "k") == "v"
    with pytest.raises(ConfigError, match="'%' must be followed by"):
        ini.defaults()


_FRAGMENTS = [
    "[app:main]", "[DEFAULT]", "[filter:f]", "  [app:x]", "[bad", "key = v", "Key: v", "key=dup", "k2 =", "  cont",
    "\tcont", "    deep", "", "   ", "# c", "; c", "  # c", "a = %(here)s/x", "b = 100%%", "c = %(missing)s",
    "d = %(key)s", "e = %", "f = %(a", "bad line", "= novalue", "x:=2", "\x0c", "y = a\r", "z = v ; not a comment",
    "u = a\u2028w = b", "set g = 1", "get h = g", "[app:main] x", "  key = v", "[]", "[]]", "[a]b]", "[ ]",
    "[app:main", "k : = v", "k = : v", " : v", "k\t:\tv", "k\u00a0= v\u00a0", "[x]]", "]",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=14), st.booleans())
def test_generated_files_read_as_configparser_reads_them(lines: list[str], newline_at_end: bool) -> None:
    check_same("\n".join(lines) + ("\n" if newline_at_end else ""))
