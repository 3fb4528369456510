"""PasteDeploy 3.1's own 27 tests, re-expressed with ASGI fakes (reference §3.3).

Each test names the upstream test it stands for. The fixture distribution is
FakeASGIApp (conftest.py); the sample configs are our own, covering the same
features as upstream's.
"""

from __future__ import annotations

import importlib.metadata
import os
from typing import Any

import httpx
import pytest
from fakeasgiapp import apps
from fakeasgiapp.configapps import SimpleApp

from asgipaste import ConfigError, appconfig, loadapp
from asgipaste.converters import asbool
from asgipaste.loader.build import EitherView
from tests.loader.conftest import SAMPLE_CONFIGS

HERE = os.path.dirname(__file__)
CONFIGS = str(SAMPLE_CONFIGS)
CONFIG_FILE = os.path.join(CONFIGS, "test_config.ini")
INI = "config:sample_configs/test_config.ini"


# -- test_basic_app.py ----------------------------------------------------
def test_basic_app_main_by_every_name_form() -> None:  # test_basic_app::test_main
    for uri, name in [
        ("config:sample_configs/basic_app.ini", None),
        ("config:sample_configs/basic_app.ini#main", None),
        ("config:sample_configs/basic_app.ini", "main"),
        ("config:sample_configs/basic_app.ini#ignored", "main"),
    ]:
        assert loadapp(uri, name=name, relative_to=HERE) is apps.basic_app


def test_basic_app_other() -> None:  # test_basic_app::test_other
    assert loadapp("config:sample_configs/basic_app.ini#other", relative_to=HERE) is apps.basic_app2


def test_basic_app_composit() -> None:  # test_basic_app::test_composit
    app: Any = loadapp("config:sample_configs/basic_app.ini#remote_addr", relative_to=HERE)
    assert isinstance(app, apps.RemoteAddrDispatch)
    # An undeclared (PasteDeploy-style) composite gets its ASGI children as
    # EitherView: callable as ASGI or WSGI, so the composite is called once.
    assert isinstance(app.map["127.0.0.1"], EitherView) and app.map["127.0.0.1"].app is apps.basic_app
    assert isinstance(app.map["0.0.0.0"], EitherView) and app.map["0.0.0.0"].app is apps.basic_app2


async def test_composit_dispatches_on_client_address() -> None:
    app = loadapp("config:sample_configs/basic_app.ini#remote_addr", relative_to=HERE)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 123))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/")).text == "This is basic app"
    transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 123))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/")).text == "This is basic app2"


pytestmark_async = pytest.mark.asyncio
test_composit_dispatches_on_client_address = pytestmark_async(test_composit_dispatches_on_client_address)


# -- test_config.py ---------------------------------------------------------
def test_config_egg() -> None:  # test_config::test_config_egg
    assert isinstance(loadapp("egg:FakeASGIApp#configed"), SimpleApp)


def _plain() -> None:
    app: Any = loadapp(INI, relative_to=HERE, name="plain")
    assert app.local_conf == {"colour": "red", "size": "large", "data_dir": os.path.join(CONFIGS, "data")}
    assert app.global_conf == {
        "alpha": "one",
        "beta": "two",
        "root": CONFIGS,
        "here": CONFIGS,
        "__file__": CONFIG_FILE,
    }


def test_config1() -> None:  # test_config::test_config1
    _plain()


def _with_set() -> None:
    app: Any = loadapp(INI, relative_to=HERE, name="with_set")
    assert app.local_conf == {"key with space": "spaced"}
    assert app.global_conf == {
        "alpha": "from-set",
        "beta": "two",
        "root": CONFIGS,
        "extra": "EXTRA",
        "here": CONFIGS,
        "__file__": CONFIG_FILE,
    }
    _plain()  # the set in with_set did not leak into another load


def test_config2() -> None:  # test_config::test_config2
    _with_set()


def test_config3() -> None:  # test_config::test_config3
    app: Any = loadapp(INI, relative_to=HERE, name="inherits")
    assert isinstance(app, SimpleApp)
    assert app.local_conf == {"key with space": "spaced", "notes": "first line\nsecond line\nthird line"}
    assert app.global_conf == {
        "alpha": "from-inherits",  # the outer set wins over the used section's
        "beta": "two",
        "root": CONFIGS,
        "extra": "EXTRA",
        "here": CONFIGS,
        "__file__": CONFIG_FILE,
    }
    _with_set()


def test_call_main() -> None:  # test_config::test_main
    for uri, name in [
        ("config:test_func.ini", None),
        ("config:test_func.ini#main", None),
        ("config:test_func.ini", "main"),
        ("config:test_func.ini#ignored", "main"),
    ]:
        assert loadapp(uri, name=name, relative_to=CONFIGS) is apps.basic_app


def test_call_other() -> None:  # test_config::test_other
    assert loadapp("config:test_func.ini#other", relative_to=CONFIGS) is apps.basic_app2


def test_call_composit() -> None:  # test_config::test_composit
    app: Any = loadapp("config:test_func.ini#remote_addr", relative_to=CONFIGS)
    assert isinstance(app, apps.RemoteAddrDispatch)
    # An undeclared (PasteDeploy-style) composite gets its ASGI children as
    # EitherView: callable as ASGI or WSGI, so the composite is called once.
    assert isinstance(app.map["127.0.0.1"], EitherView) and app.map["127.0.0.1"].app is apps.basic_app
    assert isinstance(app.map["0.0.0.0"], EitherView) and app.map["0.0.0.0"].app is apps.basic_app2


def test_foreign_config() -> None:  # test_config::test_foreign_config
    app: Any = loadapp(INI, relative_to=HERE, name="foreign")
    assert isinstance(app, SimpleApp)
    assert app.local_conf == {"notes": "OUTER", "owner": "included"}
    assert app.global_conf == {
        "alpha": "one",
        "beta": "two",  # the outer file's DEFAULT wins over the included one's
        "gamma": "g",  # only the included file has it
        "root": CONFIGS,
        "shared": "outer",  # the outer set wins
        "here": CONFIGS,
        "__file__": CONFIG_FILE,
    }


def test_config_get() -> None:  # test_config::test_config_get
    app: Any = loadapp(INI, relative_to=HERE, name="getter")
    assert isinstance(app, SimpleApp)
    assert app.local_conf == {"alpha": "one", "copied": "CHANGED"}
    assert app.global_conf == {
        "alpha": "one",
        "beta": "CHANGED",
        "root": CONFIGS,
        "here": CONFIGS,
        "__file__": CONFIG_FILE,
    }


def test_appconfig() -> None:  # test_config::test_appconfig
    conf = appconfig(INI, relative_to=HERE, name="getter")
    assert conf == {
        "alpha": "one",
        "beta": "CHANGED",
        "root": CONFIGS,
        "here": CONFIGS,
        "__file__": CONFIG_FILE,
        "copied": "CHANGED",
    }
    assert conf.local_conf == {"alpha": "one", "copied": "CHANGED"}
    assert conf.global_conf == {
        "alpha": "one",
        "beta": "CHANGED",
        "root": CONFIGS,
        "here": CONFIGS,
        "__file__": CONFIG_FILE,
    }


def test_appconfig_filter_with() -> None:  # test_config::test_appconfig_filter_with
    assert appconfig("config:test_filter_with.ini", relative_to=CONFIGS)["example"] == "value"


def test_global_conf() -> None:  # test_config::test_global_conf
    conf = appconfig(INI, relative_to=HERE, name="needs_global", global_conf={"beta": "CALLER", "who": "world"})
    assert conf == {
        "alpha": "one",
        "beta": "CALLER",  # the caller's value wins in the dict
        "root": CONFIGS,
        "here": CONFIGS,
        "who": "world",
        "__file__": CONFIG_FILE,
        "greeting": "hello:world",
    }
    assert conf.local_conf == {"greeting": "hello:world"}


def test_interpolate_exception() -> None:  # test_config::test_interpolate_exception
    with pytest.raises(ConfigError) as info:
        appconfig("config:test_error.ini", relative_to=CONFIGS)
    expected = "Error in file " + os.path.join(CONFIGS, "test_error.ini")
    assert str(info.value).split(":")[0] == expected
    assert info.value.section == "app:main" and info.value.key == "broken" and info.value.line == 7


# -- test_converters.py -------------------------------------------------------
@pytest.mark.parametrize("word", ["true", "yes", "on", "y", "t", "1"])
def test_asbool_truthy(word: str) -> None:  # test_converters::test_asbool_truthy
    assert asbool(word) is True


@pytest.mark.parametrize("word", ["false", "no", "off", "n", "f", "0"])
def test_asbool_falsy(word: str) -> None:  # test_converters::test_asbool_falsy
    assert asbool(word) is False


# -- test_filter.py -----------------------------------------------------------
def _filtered(name: str) -> Any:
    return loadapp(f"config:sample_configs/test_filter.ini#{name}", relative_to=HERE)


def test_filter_app() -> None:  # test_filter::test_filter_app
    app = _filtered("filt")
    assert isinstance(app, apps.CapFilter)
    assert app.app is apps.basic_app
    assert app.method_to_call == "lower"


def test_pipeline() -> None:  # test_filter::test_pipeline
    app = _filtered("piped")
    assert isinstance(app, apps.CapFilter)
    assert app.app is apps.basic_app
    assert app.method_to_call == "upper"


def test_filter_app2() -> None:  # test_filter::test_filter_app2
    app = _filtered("filt2")
    assert isinstance(app, apps.CapFilter)
    assert app.app is apps.basic_app
    assert app.method_to_call == "lower"


def test_pipeline2() -> None:  # test_filter::test_pipeline2
    app = _filtered("piped2")
    assert isinstance(app, apps.CapFilter)
    assert app.app is apps.basic_app
    assert app.method_to_call == "upper"


def test_filter_app_inverted() -> None:  # test_filter::test_filter_app_inverted
    app = _filtered("inv")
    assert isinstance(app, apps.CapFilter)
    assert app.app is apps.basic_app


def test_filter_with_filter_with() -> None:  # test_filter::test_filter_with_filter_with
    app: Any = loadapp("config:sample_configs/test_filter_with.ini", relative_to=HERE)
    assert isinstance(app, apps.CapFilter)
    assert isinstance(app.app, apps.CapFilter)
    assert app.app.app is apps.basic_app
    # Added: the deepest filter-with is outermost.
    assert app.method_to_call == "upper" and app.app.method_to_call == "lower"


def test_bad_pipeline() -> None:  # test_filter::test_bad_pipeline
    with pytest.raises(LookupError) as info:
        _filtered("piped3")
    assert "has extra (disallowed) settings" in info.value.args[0]
    assert isinstance(info.value, ConfigError)


# -- test_load_package.py / test_config_middleware.py ------------------------------------
def test_load_package() -> None:  # test_load_package::test_load_package
    dist = importlib.metadata.distribution("FakeASGIApp")
    assert {ep.name for ep in dist.entry_points.select(group="paste.app_factory")} >= {"basic_app", "configed"}


@pytest.mark.asyncio
async def test_config_error_mid_stream_propagates() -> None:  # test_config_middleware::test_error
    # Upstream checks that ConfigMiddleware lets an exception raised while the
    # body is produced propagate. The ASGI equivalent: a filter-wrapped app
    # raising mid-stream propagates through the loaded stack unchanged.
    app = _filtered("piped")

    class Boom(Exception):
        pass

    async def exploding(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise Boom

    app.app = exploding
    sent: list[Any] = []

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        sent.append(message)

    with pytest.raises(Boom):
        await app({"type": "http", "method": "GET", "path": "/", "headers": []}, receive, send)
    assert sent[0]["status"] == 200
