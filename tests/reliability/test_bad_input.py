"""Bad-input corpus: malformed INI files and URIs; every one is a located ConfigError.

Each case is data: the files to write (text or raw bytes), what to load, and
where the error must point. The rules checked on every case:

* the loader raises :class:`asgipaste.ConfigError`, never another exception type;
* a case inside a file names the file (and the section, and the key, where
  the case has them);
* the message is not empty.
"""

# ruff: noqa: E501  (a corpus of one-line INI documents reads best unwrapped)
from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from asgipaste import ConfigError, appconfig, loadapp, loadfilter, loadserver

F = "tests.reliability.factories"
OK_APP = f"[app:ok]\nuse = call:{F}:app_factory\n"

LOADERS: dict[str, Callable[..., Any]] = {
    "app": loadapp, "filter": loadfilter, "server": loadserver, "appconfig": appconfig,
}


@dataclass(frozen=True)
class Case:
    id: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    uri: str = "config:main.ini"  # relative to tmp_path
    loader: str = "app"
    name: str | None = None
    section: str | None = None  # expected err.section (None: not checked)
    key: str | None = None  # expected err.key (None: not checked)
    located: bool = True  # err.file must be set
    names: str | None = None  # a top-level lookup has no section to point at: the message names it
    line: bool = False  # a parse error points at file and line


def ini(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def main(text: str) -> dict[str, str | bytes]:
    return {"main.ini": ini(text)}


CASES: list[Case] = [
    # --- URIs given to the loader directly --------------------------------------------------
    Case("uri-no-scheme", uri="x.ini", located=False),
    Case("uri-unknown-scheme", uri="file:x.ini", located=False),
    Case("uri-empty", uri="", located=False),
    Case("uri-relative-without-base", uri="config:relative.ini", located=False),
    Case("uri-missing-file", uri="config:missing.ini"),
    Case("uri-directory-as-file", files={"adir/placeholder.txt": "x"}, uri="config:adir"),
    Case("uri-egg-not-installed", uri="egg:NoSuchDistributionXyz", located=False),
    Case("uri-egg-missing-entry-point", uri="egg:asgipaste#no_such_entry", located=False),
    Case("uri-call-without-colon", uri="call:tests.reliability.factories", located=False),
    Case("uri-call-missing-module", uri="call:no_such_module_xyz:app", located=False),
    Case("uri-call-missing-attribute", uri=f"call:{F}:no_such_attr", located=False),
    # --- the reference catalogue (pastedeploy.md §1.12) inside files ------------------------
    Case("missing-section", main("[app:other]\nuse = call:" + F + ":app_factory\n"), names="'main'"),
    Case("missing-named-section", main(OK_APP), name="nosuch", names="'nosuch'"),
    Case("empty-file", main(""), names="'main'"),
    Case("only-default", main("[DEFAULT]\na = 1\n"), names="'main'"),
    Case("ambiguous-section", main(f"""
        [app:main]
        use = call:{F}:app_factory
        [pipeline:main]
        pipeline = ok
        """ + OK_APP), section="main"),
    Case("two-protocols", main(f"""
        [app:main]
        paste.app_factory = {F}:app_factory
        paste.composite_factory = {F}:composite_raises
        """), section="app:main"),
    Case("no-loader", main("[app:main]\nfoo = bar\n"), section="app:main"),
    Case("filter-app-without-next", main(f"[filter-app:main]\nuse = call:{F}:filter_returns_none\n"),
         section="filter-app:main"),
    Case("pipeline-without-pipeline", main("[pipeline:main]\nfoo = ok\n" + OK_APP), section="pipeline:main"),
    Case("pipeline-extra-keys", main("[pipeline:main]\npipeline = ok\nk1 = a\nk2 = b\n" + OK_APP),
         section="pipeline:main"),
    Case("egg-entry-point-missing", main("[app:main]\nuse = egg:asgipaste#no_such_entry\n"),
         section="app:main", key="use"),
    Case("egg-dist-not-installed", main("[app:main]\nuse = egg:NoSuchDistributionXyz\n"),
         section="app:main", key="use"),
    Case("explicit-key-of-wrong-kind", main(f"[app:main]\npaste.filter_factory = {F}:app_factory\n"),
         section="app:main"),
    Case("require-missing-dist", main(f"[app:main]\nuse = call:{F}:app_factory\nrequire = NoSuchDistXyz\n"),
         section="app:main"),
    Case("call-without-colon", main(f"[app:main]\nuse = call:{F}\n"), section="app:main", key="use"),
    Case("call-import-error", main("[app:main]\nuse = call:no_such_module_xyz:app\n"),
         section="app:main", key="use"),
    Case("call-attribute-error", main(f"[app:main]\nuse = call:{F}:no_such_attr\n"),
         section="app:main", key="use"),
    Case("call-not-callable", main(f"[app:main]\nuse = call:{F}:NOT_CALLABLE\n"), section="app:main"),
    Case("use-empty", main("[app:main]\nuse =\n"), section="app:main", key="use"),
    Case("use-unknown-scheme", main("[app:main]\nuse = file:/x\n"), section="app:main", key="use"),
    Case("use-app-instead-of-call", main(f"[app:main]\nuse = app:{F}:app_factory\n"),
         section="app:main", key="use"),
    Case("get-missing-global", main(f"[app:main]\nuse = call:{F}:app_factory\nget foo = nosuch\n"),
         section="app:main"),
    Case("empty-pipeline", main("[pipeline:main]\npipeline =\n"), section="pipeline:main", key="pipeline"),
    Case("pipeline-missing-filter", main("[pipeline:main]\npipeline = nofilter ok\n" + OK_APP),
         section="pipeline:main"),
    Case("pipeline-missing-app", main(f"[pipeline:main]\npipeline = f noapp\n[filter:f]\nuse = call:{F}:filter_returns_none\n"),
         section="pipeline:main"),
    Case("pipeline-ends-with-filter", main("""
        [pipeline:main]
        pipeline = f1 f2
        [filter:f1]
        use = call:benchmarks._stacks:filter_factory
        [filter:f2]
        use = call:benchmarks._stacks:filter_factory
        """), section="pipeline:main"),
    Case("filter-with-missing", main(f"[app:main]\nuse = call:{F}:app_factory\nfilter-with = nofilter\n"),
         section="app:main", key="filter-with"),
    Case("filter-app-next-missing", main("[filter-app:main]\nuse = call:benchmarks._stacks:filter_factory\nnext = nothing\n"),
         section="filter-app:main"),
    Case("use-config-missing-file", main("[app:main]\nuse = config:nothere.ini\n"), section="app:main", key="use"),
    Case("use-config-directory", {**main("[app:main]\nuse = config:sub\n"), "sub/x.txt": "x"},
         section="app:main", key="use"),
    Case("use-config-missing-section", {**main("[app:main]\nuse = config:other.ini#nope\n"),
                                        "other.ini": OK_APP}, section="app:main", key="use"),
    # --- cycles ------------------------------------------------------------------------------
    Case("cycle-use-self", main("[app:main]\nuse = main\n"), section="app:main"),
    Case("cycle-a-b", main("[app:main]\nuse = b\n[app:b]\nuse = main\n"), section="app:main"),
    Case("cycle-pipeline-contains-itself", main("[pipeline:main]\npipeline = f main\n[filter:f]\nuse = call:benchmarks._stacks:filter_factory\n"),
         section="pipeline:main"),
    Case("cycle-urlmap-self", main("[composite:main]\nuse = egg:Paste#urlmap\n/x = main\n"),
         section="composite:main"),
    Case("cycle-across-files", {"main.ini": "[app:main]\nuse = config:b.ini\n",
                                "b.ini": "[app:main]\nuse = config:main.ini\n"}, section="app:main"),
    Case("cycle-filter-with-self", main("[filter:main]\nuse = call:benchmarks._stacks:filter_factory\nfilter-with = main\n"),
         loader="filter", section="filter:main"),
    # --- interpolation -----------------------------------------------------------------------
    Case("interpolation-missing-name", main(f"[app:main]\nuse = call:{F}:app_factory\nx = %(nosuch)s\n"),
         section="app:main", key="x"),
    Case("interpolation-bad-syntax", main(f"[app:main]\nuse = call:{F}:app_factory\nx = 100%\n"),
         section="app:main", key="x"),
    Case("interpolation-bad-directive", main(f"[app:main]\nuse = call:{F}:app_factory\nx = %(a\n"),
         section="app:main", key="x"),
    Case("interpolation-recursion", main(f"[app:main]\nuse = call:{F}:app_factory\na = %(b)s\nb = %(a)s\n"),
         section="app:main"),
    Case("interpolation-default-recursion", main(f"[DEFAULT]\nd = %(d)s\n[app:main]\nuse = call:{F}:app_factory\nx = %(d)s\n"),
         section="DEFAULT", key="d", line=True),
    Case("interpolation-in-use", main("[app:main]\nuse = %(nowhere)s\n"), section="app:main", key="use"),
    # --- the file itself ---------------------------------------------------------------------
    Case("latin-1-bytes", {"main.ini": "[app:main]\nuse = call:tests.reliability.factories:app_factory\nname = caf\xe9\n".encode("latin-1")}),
    Case("utf-16-with-bom", {"main.ini": OK_APP.replace("ok", "main").encode("utf-16")}),
    Case("utf-16-le-no-bom", {"main.ini": OK_APP.replace("ok", "main").encode("utf-16-le")}),
    Case("binary-garbage", {"main.ini": bytes(range(256)) * 4}),
    Case("nul-bytes", {"main.ini": b"[app:main]\x00\nuse = call:x:y\n"}),
    Case("duplicate-section", main(f"[app:main]\nuse = call:{F}:app_factory\n[app:main]\nuse = call:{F}:app_factory\n"),
         section="app:main"),
    Case("duplicate-key", main(f"[app:main]\nuse = call:{F}:app_factory\nx = 1\nx = 2\n"),
         section="app:main", key="x"),
    Case("line-without-separator", main(f"[app:main]\nuse = call:{F}:app_factory\njust some words\n"), line=True),
    Case("key-before-any-section", main(f"x = 1\n[app:main]\nuse = call:{F}:app_factory\n"), line=True),
    Case("unclosed-section-header", main(f"[app:main\nuse = call:{F}:app_factory\n"), line=True),
    Case("continuation-before-any-key", main(f"[app:main]\n  indented first\nuse = call:{F}:app_factory\n"),
         line=True),
    # --- factories that misbehave -------------------------------------------------------------
    Case("factory-no-args", main(f"[app:main]\nuse = call:{F}:no_args\n"), section="app:main"),
    Case("factory-positional-only", main(f"[app:main]\nuse = call:{F}:positional_only\n"), section="app:main"),
    Case("factory-missing-keyword", main(f"[app:main]\nuse = call:{F}:keyword_required\n"), section="app:main"),
    Case("factory-returns-none", main(f"[app:main]\nuse = call:{F}:returns_none\n"), section="app:main"),
    Case("factory-returns-int", main(f"[app:main]\nuse = call:{F}:returns_int\n"), section="app:main"),
    Case("factory-returns-str", main(f"[app:main]\nuse = call:{F}:returns_str\n"), section="app:main"),
    Case("factory-raises", main(f"[app:main]\nuse = call:{F}:raises\n"), section="app:main"),
    Case("factory-raises-value-error", main(f"[app:main]\nuse = call:{F}:raises_value_error\n"), section="app:main"),
    Case("factory-raises-type-error", main(f"[app:main]\nuse = call:{F}:raises_type_error\n"), section="app:main"),
    Case("factory-raises-lookup-error", main(f"[app:main]\nuse = call:{F}:raises_lookup_error\n"),
         section="app:main"),
    Case("filter-factory-returns-none", main(f"[pipeline:main]\npipeline = f ok\n[filter:f]\nuse = call:{F}:filter_returns_none\n" + OK_APP),
         section="filter:f"),
    Case("filter-factory-returns-int", main(f"[pipeline:main]\npipeline = f ok\n[filter:f]\nuse = call:{F}:filter_returns_int\n" + OK_APP),
         section="filter:f"),
    Case("filter-wrapper-returns-none", main(f"[pipeline:main]\npipeline = f ok\n[filter:f]\nuse = call:{F}:filter_wrapper_returns_none\n" + OK_APP),
         section="filter:f"),
    Case("filter-wrapper-raises", main(f"[pipeline:main]\npipeline = f ok\n[filter:f]\nuse = call:{F}:filter_wrapper_raises\n" + OK_APP),
         section="filter:f"),
    Case("filter-factory-raises", main(f"[pipeline:main]\npipeline = f ok\n[filter:f]\nuse = call:{F}:filter_raises\n" + OK_APP),
         section="filter:f"),
    Case("composite-raises", main(f"[composite:main]\nuse = call:{F}:composite_raises\n"), section="composite:main"),
    Case("composite-returns-none", main(f"[composite:main]\nuse = call:{F}:composite_returns_none\n"),
         section="composite:main"),
    Case("composite-loads-missing", main(f"[composite:main]\nuse = call:{F}:composite_loads_missing\n"),
         section="composite:main"),
    Case("app-in-filter-slot", main("[pipeline:main]\npipeline = ok ok2\n" + OK_APP + f"[app:ok2]\nuse = call:{F}:app_factory\n"),
         section="pipeline:main"),
    # --- typed options, thread counts, urlmap keys ----------------------------------------------
    Case("gzip-minimum-size-not-int", main("""
        [pipeline:main]
        pipeline = gzip ok
        [filter:gzip]
        use = call:starlette.middleware.gzip:GZipMiddleware
        minimum_size = big
        """ + OK_APP), section="filter:gzip", key="minimum_size"),
    Case("gzip-unknown-option", main("""
        [pipeline:main]
        pipeline = gzip ok
        [filter:gzip]
        use = call:starlette.middleware.gzip:GZipMiddleware
        no_such_option = 1
        """ + OK_APP), section="filter:gzip"),
    Case("wsgi-threads-negative", main("[app:main]\nuse = call:benchmarks._stacks:wsgi_app_factory\nwsgi_threads = -1\n"),
         section="app:main", key="wsgi_threads"),
    Case("wsgi-threads-word", main("[app:main]\nuse = call:benchmarks._stacks:wsgi_app_factory\nwsgi_threads = many\n"),
         section="app:main", key="wsgi_threads"),
    Case("wsgi-threads-float", main("[app:main]\nuse = call:benchmarks._stacks:wsgi_app_factory\nwsgi_threads = 2.5\n"),
         section="app:main", key="wsgi_threads"),
    Case("urlmap-key-without-slash", main("[composite:main]\nuse = egg:Paste#urlmap\nv2 = ok\n" + OK_APP),
         section="composite:main", key="v2"),
    Case("urlmap-missing-target", main("[composite:main]\nuse = egg:Paste#urlmap\n/v2 = nowhere\n"),
         section="composite:main"),
    Case("urlmap-port-without-domain", main("[composite:main]\nuse = egg:Paste#urlmap\nport 80 /x = ok\n" + OK_APP),
         section="composite:main", key="port 80 /x"),
    Case("urlmap-two-paths", main("[composite:main]\nuse = egg:Paste#urlmap\n/x /y = ok\n" + OK_APP),
         section="composite:main", key="/x /y"),
    Case("urlmap-bad-port", main("[composite:main]\nuse = egg:Paste#urlmap\ndomain example.com port abc /x = ok\n" + OK_APP),
         section="composite:main"),
    # --- servers -------------------------------------------------------------------------------
    Case("uvicorn-port-abc", main("[server:main]\nuse = egg:asgipaste#uvicorn\nport = abc\n"),
         loader="server", section="server:main", key="port"),
    Case("uvicorn-port-out-of-range", main("[server:main]\nuse = egg:asgipaste#uvicorn\nport = 70000\n"),
         loader="server", section="server:main", key="port"),
    Case("uvicorn-workers-zero", main("[server:main]\nuse = egg:asgipaste#uvicorn\nworkers = 0\n"),
         loader="server", section="server:main", key="workers"),
    Case("uvicorn-bad-choice", main("[server:main]\nuse = egg:asgipaste#uvicorn\nhttp = spdy\n"),
         loader="server", section="server:main", key="http"),
    Case("uvicorn-bad-bool", main("[server:main]\nuse = egg:asgipaste#uvicorn\naccess_log = perhaps\n"),
         loader="server", section="server:main", key="access_log"),
    Case("uvicorn-max-url-len-zero", main("[server:main]\nuse = egg:asgipaste#uvicorn\nmax_url_len = 0\n"),
         loader="server", section="server:main", key="max_url_len"),
    Case("granian-port-abc", main("[server:main]\nuse = egg:asgipaste#granian\nport = abc\n"),
         loader="server", section="server:main", key="port"),
    Case("granian-bad-interface", main("[server:main]\nuse = egg:asgipaste#granian\ninterface = rsgi2\n"),
         loader="server", section="server:main", key="interface"),
    Case("server-factory-raises", main(f"[server:main]\npaste.server_factory = {F}:server_factory_raises\n"),
         loader="server", section="server:main"),
    Case("server-factory-returns-none", main(f"[server:main]\npaste.server_factory = {F}:server_factory_returns_none\n"),
         loader="server", section="server:main"),
    Case("server-missing", main(OK_APP), loader="server", names="'main'"),
    # --- the wrong loader for a section ----------------------------------------------------------
    Case("loadfilter-on-app", main(f"[app:main]\nuse = call:{F}:app_factory\n"), loader="filter", names="'main'"),
    Case("appconfig-missing-section", main(OK_APP), loader="appconfig", names="'main'"),
    Case("appconfig-interpolation", main(f"[app:main]\nuse = call:{F}:app_factory\nx = %(nosuch)s\n"),
         loader="appconfig", section="app:main", key="x"),
]


# Cases that fail today, each with its culprit; strict, so a fix turns them into errors to remove.
# (Empty: the loader now locates factory errors, filter-with, included files and urlmap ports.)
KNOWN_BUGS: dict[str, str] = {}


def _params() -> list[Any]:
    return [
        pytest.param(case, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case.id])]
                     if case.id in KNOWN_BUGS else [])
        for case in CASES
    ]


def _write(tmp_path: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _strip_prefix(section: str | None) -> str:
    return (section or "").split(":", 1)[-1]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)
    assert set(KNOWN_BUGS) <= {case.id for case in CASES}


@pytest.mark.timeout(10)
@pytest.mark.parametrize("case", _params())
def test_bad_input_is_a_located_config_error(case: Case, tmp_path: Path) -> None:
    _write(tmp_path, case.files)
    uri = case.uri
    kwargs: dict[str, Any] = {}
    if uri.startswith("config:") and uri != "config:relative.ini":
        kwargs["relative_to"] = str(tmp_path)
    if case.name is not None:
        kwargs["name"] = case.name
    try:
        LOADERS[case.loader](uri, **kwargs)
    except ConfigError as err:
        error = err
    except BaseException as err:  # the point of the corpus: nothing else may escape
        pytest.fail(f"{case.id}: {type(err).__module__}.{type(err).__qualname__} escaped: {err}")
    else:
        pytest.fail(f"{case.id}: loaded without an error")
    assert error.message.strip(), case.id
    if case.located:
        assert error.file, f"{case.id}: no file in {error!s}"
        assert Path(error.file).resolve().is_relative_to(tmp_path.resolve()), error.file
    if case.section is not None:
        assert error.section, f"{case.id}: no section in {error!s}"
        assert _strip_prefix(error.section) == _strip_prefix(case.section), f"{case.id}: {error!s}"
    if case.key is not None:
        assert error.key == case.key, f"{case.id}: key {error.key!r} in {error!s}"
    if case.names is not None:
        assert case.names in error.message, f"{case.id}: {error!s}"
    if case.line:
        assert error.line is not None and error.line >= 1, f"{case.id}: no line in {error!s}"
