"""Malformed ``use`` references are located ConfigErrors, never a bare exception from deep inside.

The listed shapes (issue: ``egg:``, ``egg:#x``, ``call:``, ``call::x``, ``config:``,
``config:#x``, unknown schemes, whitespace, unicode) are checked one by one; a
hypothesis run then generates references from those parts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asgipaste import ConfigError, loadapp

LISTED = [
    "egg:", "egg:#x", "egg: #x", "egg:#", "call:", "call::x", "call:os:", "call::", "config:", "config:#x",
    "config:#", "nope:x", "NOPE:", ":", "::", "egg:ünïcode#x", "call:ünï:x", "config:ünï.ini", "egg:a b#c",
    "call:a b:c", "egg:Paste#", "egg:Paste#nope", "call:.rel:x", "egg:Paste==1.0#urlmap", "\u00a0egg:x",
]


def _load(tmp_path: Path, use: str) -> None:
    ini = tmp_path / "a.ini"
    ini.write_text(f"[app:main]\nuse = {use}\n", encoding="utf-8")
    loadapp(f"config:{ini}")


@pytest.mark.parametrize("use", LISTED)
def test_listed_malformed_references_are_located(tmp_path: Path, use: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, use)
    error = info.value
    assert error.file == str(tmp_path / "a.ini") and error.section == "app:main"
    assert error.line is not None


def test_empty_egg_says_what_to_write(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, "egg:")
    assert info.value.message == "egg: names no distribution" and info.value.key == "use"
    assert info.value.hint is not None and "egg:DISTRIBUTION#entry_point" in info.value.hint


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_REFERENCES = st.one_of(
    st.builds(lambda d, e: f"egg:{d}#{e}", _TEXT, _TEXT),
    st.builds(lambda d: f"egg:{d}", _TEXT),
    # call: only into modules that cannot do harm when called with a dict
    st.builds(lambda m, a: f"call:{m}:{a}", st.sampled_from(["", "json", "os.path", ".rel", "ünï", "no_such"]), _TEXT),
    st.builds(lambda p: f"config:{p}", _TEXT),
    st.builds(lambda s, r: f"{s}:{r}", st.text(st.characters(whitelist_categories=("Ll", "Lu")), max_size=6), _TEXT),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(use=_REFERENCES)
def test_generated_references_load_or_fail_with_a_location(tmp_path: Path, use: str) -> None:
    if "\n" in use or "\r" in use or use.strip() != use:
        use = use.strip().replace("\n", "").replace("\r", "")
    try:
        _load(tmp_path, use)
    except ConfigError as error:
        assert error.file is not None
        assert error.section is not None or error.line is not None
