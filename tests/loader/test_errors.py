"""Every error of PasteDeploy's catalogue (reference §1.12), and where we do better (§1.13).

Each error is a ConfigError naming file, section, key and line where there are
ones; PasteDeploy's LookupError cases are LookupErrors too, with its text kept.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from asgipaste import ConfigError, appconfig, loadapp, loadfilter, loadserver
from asgipaste.errors import ConfigKeyError, ConfigValueError

R = "egg:FakeASGIApp#recorded"


def write(tmp_path: Path, text: str, name: str = "app.ini") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


def load_error(path: str, name: str | None = None, loader: Any = loadapp, **kw: Any) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        loader(f"config:{path}", name=name, **kw)
    return info.value


# -- the catalogue ---------------------------------------------------------------
def test_no_scheme() -> None:
    with pytest.raises(LookupError, match=r"URI has no scheme: 'x.ini'"):
        loadapp("x.ini")


def test_unknown_scheme() -> None:
    with pytest.raises(LookupError, match=r"URI scheme not known: 'file' \(from config, egg, call"):
        loadapp("file:x.ini")


def test_relative_config_without_base() -> None:
    with pytest.raises(ValueError, match=r"Cannot resolve relative uri 'config:x\.ini'; no relative_to"):
        loadapp("config:x.ini")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as info:
        loadapp(f"config:{tmp_path}/nope.ini")
    assert isinstance(info.value, ConfigError) and info.value.file == f"{tmp_path}/nope.ini"


def test_missing_section_names_prefixes(tmp_path: Path) -> None:
    path = write(tmp_path, f"[app:main]\nuse = {R}\n")
    err = load_error(path, "other")
    assert isinstance(err, LookupError)
    assert err.message == (
        "No section 'other' (prefixed by 'app' or 'application' or 'composite' or 'composit' or "
        f"'pipeline' or 'filter-app') found in config {path}"
    )
    err = load_error(path, "f", loadfilter)
    assert "(prefixed by 'filter')" in err.message
    err = load_error(path, "s", loadserver)
    assert "(prefixed by 'server')" in err.message


def test_ambiguous_section(tmp_path: Path) -> None:
    path = write(tmp_path, f"[app:main]\nuse = {R}\n[pipeline:main]\npipeline = main\n")
    err = load_error(path)
    assert err.message.startswith("Ambiguous section names ['app:main', 'pipeline:main'] for section 'main'")
    assert err.line == 3


def test_app_and_application_same_name_is_not_ambiguous(tmp_path: Path) -> None:
    path = write(tmp_path, f"[app:x]\nuse = {R}\na = app\n[application:x]\nuse = {R}\na = application\n")
    assert appconfig(f"config:{path}", name="x").local_conf == {"a": "app"}


def test_two_explicit_protocols(tmp_path: Path) -> None:
    path = write(tmp_path, """
        [app:two]
        paste.app_factory = recorder:app_factory
        paste.composite_factory = recorder:composite_factory
        """)
    err = load_error(path, "two")
    assert err.message.startswith("Multiple protocols given in section 'app:two'")
    assert (err.section, err.key, err.line) == ("app:two", "paste.composite_factory", 3)


def test_two_protocols_in_one_group_is_an_error_not_a_leak(tmp_path: Path) -> None:
    # PasteDeploy silently passes the second key to the factory (B8).
    path = write(tmp_path, """
        [filter:f]
        paste.filter_factory = recorder:filter_factory
        paste.filter_app_factory = recorder:filter_app_factory
        """)
    assert "Multiple protocols" in load_error(path, "f", loadfilter).message


def test_use_and_explicit_protocol(tmp_path: Path) -> None:
    path = write(tmp_path, f"[app:main]\nuse = {R}\npaste.app_factory = recorder:app_factory\n")
    err = load_error(path)
    assert "both 'use' and 'paste.app_factory'" in err.message and err.line == 3


def test_no_loader(tmp_path: Path) -> None:
    path = write(tmp_path, "[app:x]\nfoo = bar\n")
    err = load_error(path, "x")
    assert err.message == "No loader given in section 'app:x'" and isinstance(err, LookupError)
    assert err.hint is not None and "use = egg:" in err.hint


def test_explicit_key_of_the_wrong_kind_hints(tmp_path: Path) -> None:
    path = write(tmp_path, "[app:x]\npaste.filter_factory = recorder:filter_factory\n")
    err = load_error(path, "x")
    assert err.message == "No loader given in section 'app:x'"
    assert err.hint is not None and "paste.filter_factory does not make a application" in err.hint


def test_filter_app_without_next(tmp_path: Path) -> None:
    path = write(tmp_path, "[filter-app:x]\nuse = egg:FakeASGIApp#caps\nnxet = main\n")
    err = load_error(path, "x")
    assert err.message == f"The [filter-app:x] section in {path} is missing a 'next' setting"
    assert err.hint == "did you mean 'next' instead of 'nxet'?"


def test_pipeline_without_pipeline_and_typo_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "[pipeline:p]\npipline = a b\n")
    err = load_error(path, "p")
    assert err.message == f"The [pipeline:p] section in {path} is missing a 'pipeline' setting"
    assert err.hint == "did you mean 'pipeline' instead of 'pipline'?"
    assert (err.section, err.line) == ("pipeline:p", 1)


def test_pipeline_extra_keys(tmp_path: Path) -> None:
    path = write(tmp_path, f"[pipeline:p]\npipeline = a\nk1 = 1\nk2 = 2\n[app:a]\nuse = {R}\n")
    err = load_error(path, "p")
    assert err.message.endswith("has extra (disallowed) settings: k1, k2")
    assert (err.key, err.line) == ("k1", 3)


def test_get_inside_pipeline_is_disallowed(tmp_path: Path) -> None:
    path = write(tmp_path, f"[DEFAULT]\nx = 1\n[pipeline:p]\npipeline = a\nget y = x\n[app:a]\nuse = {R}\n")
    assert "extra (disallowed) settings: y" in load_error(path, "p").message


def test_egg_entry_point_missing(tmp_path: Path) -> None:
    with pytest.raises(LookupError) as info:
        loadapp("egg:FakeASGIApp#cpas")
    message = str(info.value)
    assert message.startswith("Entry point 'cpas' not found in egg 'FakeASGIApp' (protocols: ")
    # Unlike PasteDeploy (B12), the entry points are listed.
    assert "basic_app" in message


def test_egg_entry_point_of_the_wrong_kind() -> None:
    with pytest.raises(LookupError, match="Entry point 'caps' not found"):
        loadapp("egg:FakeASGIApp#caps")


def test_egg_ambiguity() -> None:
    with pytest.raises(LookupError, match="Ambiguous entry points for 'dup' in egg 'FakeASGIApp'"):
        loadapp("egg:FakeASGIApp#dup")


def test_distribution_not_installed() -> None:
    import importlib.metadata

    with pytest.raises(importlib.metadata.PackageNotFoundError) as info:
        loadapp("egg:NoSuchDistribution")
    assert isinstance(info.value, ConfigError)
    assert "No package metadata was found for NoSuchDistribution" in str(info.value)


def test_version_pin_in_egg_uri() -> None:
    with pytest.raises(ConfigError) as info:
        loadapp("egg:FakeASGIApp==1.0#basic_app")
    assert info.value.hint is not None and "version pins" in info.value.hint


def test_require_missing(tmp_path: Path) -> None:
    path = write(tmp_path, f"[app:main]\nuse = {R}\nrequire = PasteDeploy NotInstalledDist\n")
    err = load_error(path)
    assert "No package metadata was found for NotInstalledDist" in err.message
    assert (err.key, err.line) == ("require", 3)


def test_call_without_colon(tmp_path: Path) -> None:
    path = write(tmp_path, "[app:main]\nuse = call:recorder.app_factory\n")
    err = load_error(path)
    assert err.message == "Configuration not in format module:function" and isinstance(err, LookupError)
    assert (err.key, err.line) == ("use", 2)


@pytest.mark.parametrize("spec", ["nosuchmodule:factory", "recorder:nosuchattr"])
def test_call_import_errors(tmp_path: Path, spec: str) -> None:
    path = write(tmp_path, f"[app:main]\nuse = call:{spec}\n")
    err = load_error(path)
    assert err.message.startswith(f"Cannot import {spec!r}")
    assert (err.section, err.key) == ("app:main", "use")


@pytest.mark.parametrize(
    ("module_text", "spec", "hint"),
    [
        ("import not_installed_dep_xyz\n", "needs_dep:factory",
         "'needs_dep' was found, but importing it needs 'not_installed_dep_xyz', which is not installed: install it"),
        ("def app_factory(global_conf): ...\n", "has_factory:app_factroy",
         "module 'has_factory' has no 'app_factroy': check the name after ':' (did you mean 'app_factory'?)"),
        ("class Router:\n    pass\n", "has_class:Router.factory",
         "module 'has_class.Router' has no 'factory': check the name after ':'"),
    ],
)
def test_import_hints_name_the_part_that_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module_text: str, spec: str, hint: str
) -> None:
    (tmp_path / f"{spec.split(':')[0]}.py").write_text(module_text)
    monkeypatch.syspath_prepend(str(tmp_path))
    err = load_error(write(tmp_path, f"[app:main]\nuse = call:{spec}\n"))
    assert err.message.startswith(f"Cannot import {spec!r}")
    assert err.hint == hint


def test_get_of_missing_global(tmp_path: Path) -> None:
    path = write(tmp_path, f"[app:main]\nuse = {R}\nget a = nothere\n")
    with pytest.raises(KeyError) as info:
        loadapp(f"config:{path}")
    assert isinstance(info.value, ConfigKeyError)
    assert (info.value.key, info.value.line) == ("get a", 3)


def test_empty_pipeline(tmp_path: Path) -> None:
    path = write(tmp_path, "[pipeline:main]\npipeline =\n")
    err = load_error(path)
    assert isinstance(err, ConfigValueError) and "empty 'pipeline'" in err.message


@pytest.mark.parametrize(
    "sections, cycle",
    [
        ("[app:main]\nuse = main\n", "[app:main] -> [app:main]"),
        ("[app:main]\nuse = other\n[app:other]\nuse = main\n", "[app:main] -> [app:other] -> [app:main]"),
        ("[pipeline:main]\npipeline = f main\n[filter:f]\nuse = egg:FakeASGIApp#caps\n",
         "[pipeline:main] -> [pipeline:main]"),
        (f"[app:main]\nuse = {R}\nfilter-with = f\n[filter:f]\nuse = g\n[filter:g]\nuse = f\n",
         "[filter:f] -> [filter:g] -> [filter:f]"),
    ],
)
def test_cycles_are_named(tmp_path: Path, sections: str, cycle: str) -> None:
    err = load_error(write(tmp_path, sections))
    assert err.message == f"Configuration cycle: {cycle}"


def test_cycle_through_config_files(tmp_path: Path) -> None:
    write(tmp_path, "[app:main]\nuse = config:b.ini\n", "a.ini")
    write(tmp_path, "[app:main]\nuse = config:a.ini\n", "b.ini")
    err = load_error(str(tmp_path / "a.ini"))
    assert err.message.startswith("Configuration cycle: [app:main] -> [app:main] -> [app:main]")


def test_interpolation_errors(tmp_path: Path) -> None:
    for value, fragment in [
        ("%(missing)s", "Bad value substitution"),
        ("50%", "'%' must be followed by '%' or '('"),
        ("%(a", "bad interpolation variable reference"),
    ]:
        path = write(tmp_path, f"[app:main]\nuse = {R}\nok = 1\nbad = {value}\n")
        err = load_error(path)
        assert err.message.startswith(f"Error in file {path}: ") and fragment in err.message
        assert (err.key, err.line) == ("bad", 4)


def test_interpolation_depth(tmp_path: Path) -> None:
    chain = "\n".join(f"v{i} = %(v{i + 1})s" for i in range(12))
    path = write(tmp_path, f"[DEFAULT]\n{chain}\nv12 = end\n[app:main]\nuse = {R}\n")
    assert "interpolation" in load_error(path).message.lower()


def test_wrong_factory_signature(tmp_path: Path) -> None:
    path = write(tmp_path, "[app:main]\npaste.app_factory = recorder:filter_app_factory\n")
    err = load_error(path)
    assert "cannot be called as a paste.app_factory" in err.message and err.section == "app:main"


def test_factory_rejecting_an_option_names_it(tmp_path: Path) -> None:
    path = write(tmp_path, "[app:main]\nuse = call:fakeasgiapp.servers:run_server\ncolour = red\n")
    err = load_error(path)
    assert "cannot be called" in err.message or "does not accept" in err.message


@pytest.mark.parametrize("ret", ["None", "42"])
def test_factory_returning_a_non_app(tmp_path: Path, ret: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import recorder

    monkeypatch.setattr(recorder, "bad_factory", lambda global_conf, **kw: eval(ret), raising=False)
    path = write(tmp_path, "[app:main]\nuse = call:recorder:bad_factory\n")
    err = load_error(path)
    assert "instead of an app" in err.message or "neither an ASGI nor a WSGI" in err.message
    assert err.file == path and err.section == "app:main"


def test_factory_raising_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import recorder

    def broken(global_conf: Any, **kw: Any) -> Any:
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(recorder, "broken", broken, raising=False)
    path = write(tmp_path, "[app:main]\nuse = call:recorder:broken\n")
    err = load_error(path)
    assert "RuntimeError: database unreachable" in err.message and err.section == "app:main"
    assert isinstance(err.__cause__, RuntimeError)


# -- INI dialect errors ----------------------------------------------------------------
@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("[app:main]\nuse = x\nuse = y\n", 3, "Duplicate key 'use'"),
        ("[app:main]\nuse = x\n[app:main]\nuse = y\n", 3, "Duplicate section [app:main]"),
        ("use = x\n[app:main]\n", 1, "key before any [section]"),
        ("[app:main]\njustakey\n", 2, "is not 'key = value'"),
    ],
)
def test_parse_errors_have_lines(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    err = load_error(write(tmp_path, text))
    assert fragment in err.message and err.line == line


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.ini"
    path.write_bytes(b"[app:main]\nuse = egg:FakeASGIApp#recorded\nname = caf\xe9\n")
    err = load_error(str(path))
    assert "not valid UTF-8" in err.message and err.line == 3


def test_utf8_whatever_the_locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "C")
    path = write(tmp_path, f"[app:main]\nuse = {R}\nname = café ☃\n")
    assert appconfig(f"config:{path}").local_conf == {"name": "café ☃"}


# -- hints for probable typos (the seed's own mistakes) ----------------------------------
def test_module_path_with_no_scheme(tmp_path: Path) -> None:
    path = write(tmp_path, "[app:firstapp]\nuse = app:FirstApp.factory\n")
    err = load_error(path, "firstapp")
    assert err.message.startswith("URI scheme not known: 'app'")
    assert (err.section, err.key, err.line) == ("app:firstapp", "use", 2)
    assert err.hint is not None and "use = call:app:FirstApp.factory" in err.hint


def test_misspelled_section_in_use_and_pipeline(tmp_path: Path) -> None:
    path = write(tmp_path, f"""
        [app:firstapp]
        use = {R}
        [app:main]
        use = firstap
        [pipeline:p]
        pipeline = firstap
        """)
    err = load_error(path)
    assert err.hint == "did you mean 'firstapp'?" and (err.key, err.line) == ("use", 4)
    err = load_error(path, "p")
    assert err.hint == "did you mean 'firstapp'?" and (err.key, err.line) == ("pipeline", 6)


def test_app_where_a_filter_belongs(tmp_path: Path) -> None:
    path = write(tmp_path, f"""
        [pipeline:firstpipe]
        pipeline = firstapp secondfilter firstapp
        [app:firstapp]
        use = {R}
        [filter:secondfilter]
        use = egg:FakeASGIApp#caps
        """)
    err = load_error(path, "firstpipe")
    assert err.message == "Pipeline [pipeline:firstpipe] names the app 'firstapp' where a filter belongs"
    assert (err.key, err.line) == ("pipeline", 2)


def test_pipeline_ending_in_a_filter(tmp_path: Path) -> None:
    path = write(tmp_path, "[pipeline:p]\npipeline = f\n[filter:f]\nuse = egg:FakeASGIApp#caps\n")
    err = load_error(path, "p")
    assert "is a filter, not an app" in err.message


def test_use_names_a_section_of_another_kind(tmp_path: Path) -> None:
    path = write(tmp_path, "[app:main]\nuse = f\n[filter:f]\nuse = egg:FakeASGIApp#caps\n")
    err = load_error(path)
    assert err.hint is not None and "[filter:f]" in err.hint and "application is needed" in err.hint


def test_bad_wsgi_threads(tmp_path: Path) -> None:
    path = write(tmp_path, f"[app:main]\nuse = {R}\nwsgi_threads = many\n")
    err = load_error(path)
    assert isinstance(err, ConfigValueError) and (err.key, err.line) == ("wsgi_threads", 3)


def test_error_text_names_file_line_section_key(tmp_path: Path) -> None:
    path = write(tmp_path, "[pipeline:p]\npipline = a b\n")
    text = str(load_error(path, "p"))
    assert f"in {path}, line 1, section [pipeline:p]" in text
    assert "hint: did you mean 'pipeline'" in text


def test_a_file_without_main_lists_its_apps(tmp_path: Path) -> None:
    """cinder's, glance's and neutron's api-paste.ini have no [app:main]: the error says what there is."""
    path = write(
        tmp_path,
        "[composite:osapi_volume]\nuse = egg:Paste#urlmap\n/ = apiversions\n"
        "[pipeline:apiversions]\npipeline = versionsapp\n[app:versionsapp]\nuse = call:x:y\n"
        "[filter:faultwrap]\nuse = call:x:z\n",
    )
    err = load_error(path)
    assert err.message.startswith("No section 'main'")
    assert err.hint is not None
    assert err.hint.startswith("the apps in this file: apiversions, osapi_volume, versionsapp; name one")
