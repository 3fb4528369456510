"""The protocol rule: what a ``paste.*`` factory returns is WSGI unless it is positively ASGI.

Every shape legacy code really has is accepted as WSGI (never refused), each
loaded through an INI file and answering a request; only what is not callable
is refused. The real oslo.middleware and keystonemiddleware objects, whose
``__call__`` is ``webob.dec.wsgify``, are the standard.
"""

from __future__ import annotations

import functools
import operator
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import httpx
import pytest
import webob
import webob.dec

from asgipaste import ConfigError, load_stack, loadapp
from asgipaste.interop import app_protocol, filter_protocol
from asgipaste.interop.detect import is_asgi_app

MODULE = "protocol_rule_shapes"


# -- the shapes ----------------------------------------------------------------
class WsgifyCall:
    """nova's wsgi.Application / oslo's base middleware: wsgify on __call__."""

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        return webob.Response(text="wsgify-call")


class MyRequest(webob.Request):
    pass


class WsgifyRequestClass:
    @webob.dec.wsgify(RequestClass=MyRequest)
    def __call__(self, req: MyRequest) -> webob.Response:
        return webob.Response(text=f"request-class {type(req).__name__}")


class MyWsgify(webob.dec.wsgify):
    """A wsgify subclass (keystonemiddleware and others define their own)."""


class WsgifySubclassCall:
    @MyWsgify
    def __call__(self, req: webob.Request) -> webob.Response:
        return webob.Response(text="wsgify-subclass")


def _wsgi_with_extra(environ: dict[str, Any], start_response: Any, *, text: str) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [text.encode()]


class _Descriptor:
    """``__call__`` provided by a descriptor, not a function."""

    def __get__(self, obj: Any, owner: Any) -> Any:
        def call(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"descriptor"]

        return call


class DescriptorCall:
    __call__ = _Descriptor()


class Proxy:
    """A proxy answering for its target through __getattr__ (and a *args __call__)."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target(*args, **kwargs)


def _plain(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"proxied"]


class CCallableWSGI(dict[str, Any]):
    """A C-implemented ``__call__`` (``operator.methodcaller``) that is still WSGI."""


SHAPES: dict[str, tuple[Any, str]] = {
    "wsgify_call": (WsgifyCall(), "wsgify-call"),
    "wsgify_request_class": (WsgifyRequestClass(), "request-class MyRequest"),
    "wsgify_subclass_call": (WsgifySubclassCall(), "wsgify-subclass"),
    "wsgify_function": (webob.dec.wsgify(lambda req: webob.Response(text="wsgify-function")), "wsgify-function"),
    "partial": (functools.partial(_wsgi_with_extra, text="partial"), "partial"),
    "descriptor_call": (DescriptorCall(), "descriptor"),
    "getattr_proxy": (Proxy(_plain), "proxied"),
}


def _factory(obj: Any) -> Any:
    def app_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
        return obj

    return app_factory


@pytest.fixture(autouse=True)
def shapes_module() -> Any:
    module = types.ModuleType(MODULE)
    for name, (obj, _) in SHAPES.items():
        setattr(module, name, _factory(obj))
    module.not_callable = _factory("a string")  # type: ignore[attr-defined]
    module.none = _factory(None)  # type: ignore[attr-defined]
    module.c_callable = _factory(operator.itemgetter(0))  # type: ignore[attr-defined]
    module.wsgify_filter = lambda global_conf, **local: WsgifyFilter  # type: ignore[attr-defined]
    sys.modules[MODULE] = module
    yield module
    del sys.modules[MODULE]


class WsgifyFilter:
    """oslo.middleware's Middleware shape: a class whose instances have wsgify __call__."""

    def __init__(self, application: Any) -> None:
        self.application = application

    @webob.dec.wsgify
    def __call__(self, req: webob.Request) -> Any:
        response = req.get_response(self.application)
        response.headers["X-Filtered"] = "yes"
        return response


def _ini(tmp_path: Path, text: str) -> str:
    path = tmp_path / "app.ini"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return f"config:{path}"


async def _get(app: Any, path: str = "/") -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.get(path)


# -- classification --------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_legacy_shape_is_wsgi(name: str) -> None:
    obj, _ = SHAPES[name]
    assert app_protocol(obj) == "wsgi"
    assert not is_asgi_app(obj)


def test_c_callables_and_args_callables_are_wsgi_not_refused() -> None:
    assert app_protocol(operator.itemgetter(0)) == "wsgi"
    assert app_protocol(lambda *args: None) == "wsgi"


@pytest.mark.parametrize("obj", [None, "egg:Paste#urlmap", 42, object()])
def test_only_what_is_not_callable_is_refused(obj: Any) -> None:
    assert app_protocol(obj) is None


def test_a_class_with_wsgify_call_is_a_wsgi_filter() -> None:
    assert filter_protocol(WsgifyFilter) == "wsgi"
    assert filter_protocol(WsgifyCall) == "wsgi"


# -- through the loader ------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(SHAPES))
@pytest.mark.asyncio
async def test_every_legacy_shape_loads_and_answers(name: str, tmp_path: Path) -> None:
    uri = _ini(tmp_path, f"[app:main]\nuse = call:{MODULE}:{name}\n")
    stack = load_stack(uri)
    assert stack.wsgi is SHAPES[name][0]
    response = await _get(stack.asgi)
    assert response.status_code == 200 and response.text == SHAPES[name][1]


@pytest.mark.asyncio
async def test_wsgify_filter_class_over_a_wsgify_app(tmp_path: Path) -> None:
    uri = _ini(tmp_path, f"""
        [pipeline:main]
        pipeline = f app
        [filter:f]
        use = call:{MODULE}:wsgify_filter
        [app:app]
        use = call:{MODULE}:wsgify_call
    """)
    stack = load_stack(uri)
    assert stack.wsgi is not None and isinstance(stack.wsgi, WsgifyFilter)
    response = await _get(stack.asgi)
    assert response.text == "wsgify-call" and response.headers["x-filtered"] == "yes"


@pytest.mark.asyncio
async def test_wsgify_filter_over_an_asgi_app_is_bridged_once(tmp_path: Path) -> None:
    uri = _ini(tmp_path, f"""
        [pipeline:main]
        pipeline = f app
        [filter:f]
        use = call:{MODULE}:wsgify_filter
        [app:app]
        use = egg:FakeASGIApp#basic_app
    """)
    stack = load_stack(uri)
    assert [n.join for n in stack.graph.walk()].count("bridge") == 1
    response = await _get(stack.asgi)
    assert response.text == "This is basic app" and response.headers["x-filtered"] == "yes"


@pytest.mark.parametrize(("factory", "shown"), [("not_callable", "'a string'"), ("none", "None")])
def test_non_callable_results_are_refused_with_the_section(factory: str, shown: str, tmp_path: Path) -> None:
    uri = _ini(tmp_path, f"[app:main]\nuse = call:{MODULE}:{factory}\n")
    with pytest.raises(ConfigError) as info:
        loadapp(uri)
    assert info.value.section == "app:main"
    assert shown in info.value.message


def test_c_callable_app_loads_as_wsgi(tmp_path: Path) -> None:
    uri = _ini(tmp_path, f"[app:main]\nuse = call:{MODULE}:c_callable\n")
    assert load_stack(uri).wsgi is not None


# -- the override key --------------------------------------------------------------------
@pytest.mark.asyncio
async def test_override_key_declares_an_unusual_asgi_app_and_is_not_passed_on(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}

    class OddASGI:
        """ASGI by behaviour, but *args: the rule cannot see it."""

        def __call__(self, *args: Any) -> Any:
            async def run() -> None:
                _, _, send = args
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": b"odd asgi"})

            return run()

    def factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
        seen.update(local_conf)
        return OddASGI()

    sys.modules[MODULE].odd = factory
    uri = _ini(tmp_path, f"[app:main]\nuse = call:{MODULE}:odd\nasgipaste.protocol = asgi\nkeep = 1\n")
    stack = load_stack(uri)
    assert stack.wsgi is None and seen == {"keep": "1"}
    assert (await _get(stack.asgi)).text == "odd asgi"


def test_override_key_rejects_other_values_with_a_location(tmp_path: Path) -> None:
    uri = _ini(tmp_path, f"[app:main]\nuse = call:{MODULE}:wsgify_call\nasgipaste.protocol = rsgi\n")
    with pytest.raises(ConfigError) as info:
        loadapp(uri)
    assert info.value.key == "asgipaste.protocol" and info.value.line == 3
    assert "must be 'wsgi' or 'asgi'" in info.value.message


# -- the real packages -------------------------------------------------------------------
OSLO_FILTERS = ["cors", "http_proxy_to_wsgi", "request_id", "catch_errors", "sizelimit"]


@pytest.mark.asyncio
async def test_real_oslo_middleware_and_auth_token_load_as_wsgi(tmp_path: Path) -> None:
    pytest.importorskip("oslo_middleware", reason="oslo.middleware is a test dependency")
    pytest.importorskip("keystonemiddleware", reason="keystonemiddleware is a test dependency")
    uri = _ini(tmp_path, f"""
        [pipeline:main]
        pipeline = {" ".join(OSLO_FILTERS)} authtoken app
        [filter:cors]
        paste.filter_factory = oslo_middleware.cors:filter_factory
        allowed_origin = http://ok.example
        [filter:http_proxy_to_wsgi]
        paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory
        [filter:request_id]
        paste.filter_factory = oslo_middleware.request_id:RequestId.factory
        [filter:catch_errors]
        paste.filter_factory = oslo_middleware.catch_errors:CatchErrors.factory
        [filter:sizelimit]
        paste.filter_factory = oslo_middleware.sizelimit:RequestBodySizeLimiter.factory
        [filter:authtoken]
        paste.filter_factory = keystonemiddleware.auth_token:filter_factory
        delay_auth_decision = true
        www_authenticate_uri = http://127.0.0.1:9/identity
        [app:app]
        use = call:{MODULE}:wsgify_call
    """)
    stack = load_stack(uri)
    assert stack.wsgi is not None, "an all-WSGI pipeline stays WSGI"
    assert {n.protocol for n in stack.graph.walk()} == {"wsgi"}
    response = await _get(stack.asgi)
    assert response.status_code == 200 and response.text == "wsgify-call"
    assert response.headers["x-openstack-request-id"].startswith("req-")
