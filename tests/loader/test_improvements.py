"""Where asgipaste goes past PasteDeploy (reference §1.13), and the rest of the loader API."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakeasgiapp import apps
from fakeasgiapp import servers as fake_servers
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from asgipaste import ConfigError, appconfig, declare_asgi, loadapp, loadfilter, loadserver
from asgipaste.errors import ConfigValueError

R = "egg:FakeASGIApp#recorded"


def write(tmp_path: Path, text: str, name: str = "app.ini") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return f"config:{path}"


async def get(app: Any, path: str = "/", **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
        return await client.get(path, **kw)


# -- call: wherever a URI is accepted (B5) ---------------------------------------------
def test_call_at_top_level() -> None:
    assert loadapp("call:fakeasgiapp.apps:make_basic_app") is apps.basic_app


def test_call_in_pipeline_filter_with_and_next(tmp_path: Path) -> None:
    uri = write(tmp_path, """
        [app:normal]
        use = call:fakeasgiapp.apps:make_basic_app
        [pipeline:piped]
        pipeline = call:fakeasgiapp.apps:make_cap_filter call:fakeasgiapp.apps:make_basic_app
        [app:inv]
        use = call:fakeasgiapp.apps:make_basic_app
        filter-with = call:fakeasgiapp.apps:make_cap_filter
        [filter-app:fa]
        use = call:fakeasgiapp.apps:make_cap_filter
        method_to_call = lower
        next = call:fakeasgiapp.apps:make_basic_app2
        """)
    for name, inner, method in [("piped", apps.basic_app, "upper"), ("inv", apps.basic_app, "upper"),
                                ("fa", apps.basic_app2, "lower")]:
        app: Any = loadapp(uri, name=name)
        assert isinstance(app, apps.CapFilter) and app.app is inner and app.method_to_call == method


def test_call_composite_through_loader(tmp_path: Path) -> None:
    uri = write(tmp_path, """
        [composite:main]
        use = egg:FakeASGIApp#native_map
        local = call:fakeasgiapp.apps:make_basic_app
        """)
    app: Any = loadapp(uri)
    assert app.map == {"local": apps.basic_app}


# -- filter-with on pipelines and filter-apps gives an app (B6) -----------------------------
@pytest.mark.asyncio
async def test_filter_with_on_pipeline_and_filter_app(tmp_path: Path) -> None:
    uri = write(tmp_path, """
        [app:normal]
        use = egg:FakeASGIApp#basic_app
        [pipeline:p]
        pipeline = normal
        filter-with = caps
        [filter-app:fa]
        use = egg:FakeASGIApp#caps
        method_to_call = lower
        next = normal
        filter-with = caps
        [filter:caps]
        use = egg:FakeASGIApp#caps
        """)
    pipeline: Any = loadapp(uri, name="p")
    assert isinstance(pipeline, apps.CapFilter) and pipeline.app is apps.basic_app
    assert (await get(pipeline)).text == "THIS IS BASIC APP"
    filter_app: Any = loadapp(uri, name="fa")
    assert isinstance(filter_app, apps.CapFilter) and filter_app.app.method_to_call == "lower"


# -- bare [app] reachable as main (B3) -------------------------------------------------------
def test_bare_app_section_is_main(tmp_path: Path) -> None:
    uri = write(tmp_path, "[app]\nuse = egg:FakeASGIApp#basic_app\n")
    assert loadapp(uri) is apps.basic_app


# -- filters, servers -------------------------------------------------------------
@pytest.mark.asyncio
async def test_loadfilter_returns_an_asgi_filter(tmp_path: Path) -> None:
    uri = write(tmp_path, "[filter:caps]\nuse = egg:FakeASGIApp#caps\n[filter:chain]\nuse = caps\nfilter-with = caps\n")
    filt = loadfilter(uri, name="caps")
    wrapped = filt(apps.basic_app)
    assert isinstance(wrapped, apps.CapFilter) and wrapped.app is apps.basic_app
    assert (await get(wrapped)).text == "THIS IS BASIC APP"
    chained = loadfilter(uri, name="chain")(apps.basic_app)
    assert isinstance(chained.app, apps.CapFilter)


def test_loadserver_factory_and_runner(tmp_path: Path) -> None:
    uri = write(tmp_path, """
        [server:main]
        use = egg:FakeASGIApp#fake
        port = 8080
        [server:run]
        use = egg:FakeASGIApp#runner
        host = localhost
        """)
    fake_servers.SERVED.clear()
    loadserver(uri)(apps.basic_app)
    loadserver(uri, name="run")(apps.basic_app2)
    assert [
        ("factory", apps.basic_app, {"port": "8080"}),
        ("runner", apps.basic_app2, {"host": "localhost"}),
    ] == fake_servers.SERVED


def test_filter_with_is_not_special_on_servers(tmp_path: Path) -> None:
    uri = write(tmp_path, "[server:main]\nuse = egg:FakeASGIApp#fake\nfilter-with = x\n")
    fake_servers.SERVED.clear()
    loadserver(uri)(apps.basic_app)
    assert fake_servers.SERVED[0][2] == {"filter-with": "x"}


def test_appconfig_instantiates_nothing(tmp_path: Path) -> None:
    uri = write(tmp_path, "[app:main]\nuse = call:nosuchmodule:factory\nkey = value\n")
    conf = appconfig(uri)
    assert conf.local_conf == {"key": "value"} and conf["key"] == "value"
    assert conf.context.file == uri[len("config:"):]


# -- ASGI middleware classes from the INI, options typed by their signature ----------------
@pytest.mark.asyncio
async def test_starlette_middleware_from_ini(tmp_path: Path) -> None:
    uri = write(tmp_path, """
        [pipeline:main]
        pipeline = hosts gzip app
        [filter:gzip]
        use = call:starlette.middleware.gzip:GZipMiddleware
        minimum_size = 10
        compresslevel = 6
        [filter:hosts]
        use = call:starlette.middleware.trustedhost:TrustedHostMiddleware
        allowed_hosts = testserver, example.com
        www_redirect = false
        [app:app]
        use = egg:FakeASGIApp#basic_app
        """)
    app: Any = loadapp(uri)
    assert isinstance(app, TrustedHostMiddleware) and isinstance(app.app, GZipMiddleware)
    assert app.allowed_hosts == ["testserver", "example.com"] and app.www_redirect is False
    response = await get(app, headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip" and response.text == "This is basic app"
    assert (await get(app, headers={"host": "evil.com"})).status_code == 400


@pytest.mark.parametrize(
    "option, key",
    [("minimum_size = lots", "minimum_size"), ("no_such_option = 1", "no_such_option")],
)
def test_middleware_option_errors_name_the_option(tmp_path: Path, option: str, key: str) -> None:
    uri = write(tmp_path, f"""
        [filter:gzip]
        use = call:starlette.middleware.gzip:GZipMiddleware
        {option}
        """)
    with pytest.raises(ConfigValueError) as info:
        loadfilter(uri, name="gzip")(apps.basic_app)
    assert (info.value.section, info.value.key, info.value.line) == ("filter:gzip", key, 3)


# -- native ASGI declarations --------------------------------------------------------
def test_explicit_asgipaste_protocol_key(tmp_path: Path) -> None:
    uri = write(tmp_path, "[app:main]\nasgipaste.app_factory = fakeasgiapp.apps:make_basic_app\n")
    assert loadapp(uri) is apps.basic_app


def test_declared_asgi_filter_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import recorder

    @declare_asgi
    def opaque_filter_factory(global_conf: Any, **local: Any) -> Any:
        return lambda app: apps.CapFilter(app, global_conf)

    monkeypatch.setattr(recorder, "opaque", opaque_filter_factory, raising=False)
    uri = write(tmp_path, "[pipeline:main]\npipeline = f app\n[filter:f]\nuse = call:recorder:opaque\n"
                          "[app:app]\nuse = egg:FakeASGIApp#basic_app\n")
    app: Any = loadapp(uri)
    assert isinstance(app, apps.CapFilter) and app.app is apps.basic_app


def test_filter_returning_a_non_callable_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import recorder

    monkeypatch.setattr(recorder, "weird", lambda global_conf, **kw: (lambda app: object()), raising=False)
    uri = write(tmp_path, "[pipeline:main]\npipeline = f app\n[filter:f]\nuse = call:recorder:weird\n"
                          "[app:app]\nuse = egg:FakeASGIApp#basic_app\n")
    with pytest.raises(ConfigError) as info:
        loadapp(uri)
    assert "Filter [filter:f] returned <object object" in info.value.message
    assert "which is not an application (not callable)" in info.value.message


def test_relative_config_paths_resolve_against_the_including_file(tmp_path: Path) -> None:
    (tmp_path / "etc" / "sub").mkdir(parents=True)
    write(tmp_path, "[app:main]\nuse = config:sub/inner.ini\n", "etc/outer.ini")
    write(tmp_path, f"[app:main]\nuse = {R}\nwhere = %(here)s\n", "etc/sub/inner.ini")
    conf = appconfig("config:etc/outer.ini", relative_to=str(tmp_path))
    assert conf.local_conf == {"where": str(tmp_path / "etc" / "sub")}
    assert conf.global_conf["__file__"] == str(tmp_path / "etc" / "outer.ini")


def test_config_uri_forms(tmp_path: Path) -> None:
    (tmp_path / "with space").mkdir()
    write(tmp_path, f"[app:main]\nuse = {R}\n", "with space/a.ini")
    assert appconfig(f"CONFIG:{tmp_path}/with%20space/a.ini#main") == appconfig(
        f"config:{tmp_path}/with space/a.ini", name="main"
    )
    assert appconfig(f"config:///{str(tmp_path).lstrip('/')}/with space/a.ini") is not None


def test_logging_sections_never_break_a_load(tmp_path: Path) -> None:
    uri = write(tmp_path, f"""
        [app:main]
        use = {R}
        [formatter_generic]
        format = %(asctime)s %(levelname)s %(message)s
        [alembic]
        file_template = %%(rev)s_%%(slug)s
        """)
    assert appconfig(uri).local_conf == {}


def test_composite_loader_offers_app_filter_server_with_global_conf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import recorder

    seen: dict[str, Any] = {}

    @declare_asgi
    def composite(loader: Any, global_conf: dict[str, Any], **local: str) -> Any:
        seen["app"] = loader.get_app("inner", global_conf={**global_conf, "passed": "yes"})
        seen["filter"] = loader.get_filter("caps")
        seen["server"] = loader.get_server("main")
        seen["uri_app"] = loader.get_app("egg:FakeASGIApp#other")
        return seen["filter"](seen["app"])

    monkeypatch.setattr(recorder, "composite_all", composite, raising=False)
    uri = write(tmp_path, """
        [composite:main]
        use = call:recorder:composite_all
        [app:inner]
        use = egg:FakeASGIApp#configed
        [filter:caps]
        use = egg:FakeASGIApp#caps
        [server:main]
        use = egg:FakeASGIApp#fake
        port = 1
        """)
    app: Any = loadapp(uri)
    assert isinstance(app, apps.CapFilter) and app.app is seen["app"]
    assert seen["app"].global_conf["passed"] == "yes"
    assert seen["uri_app"] is apps.basic_app2
    fake_servers.SERVED.clear()
    seen["server"](app)
    assert fake_servers.SERVED == [("factory", app, {"port": "1"})]
