"""Protocol detection: declarations first, then coroutine-ness, then signatures."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import pytest
from a2wsgi import WSGIMiddleware
from paste.urlmap import URLMap
from starlette.applications import Starlette
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Router

from asgipaste.interop import (
    PROTOCOL_ATTR,
    ASGIBridge,
    WSGIAdapter,
    app_protocol,
    declare_asgi,
    declare_wsgi,
    filter_protocol,
)

with warnings.catch_warnings():  # WebOb 1.8 imports the deprecated cgi module
    warnings.simplefilter("ignore", DeprecationWarning)
    import webob.dec


def wsgi_func(environ: Any, start_response: Any) -> list[bytes]:
    return []


async def asgi_func(scope: Any, receive: Any, send: Any) -> None:
    return None


def asgi_sync_returning_awaitable(scope: Any, receive: Any, send: Any) -> Any:
    return asgi_func(scope, receive, send)


def wsgi_with_option(environ: Any, start_response: Any, debug: bool = False) -> list[bytes]:
    return []


class WebObStyleApp:
    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        return []


class ClassAsApp:  # PEP 3333: the class itself is the app, instances are the iterable
    def __init__(self, environ: Any, start_response: Any) -> None:
        self.environ = environ

    def __iter__(self) -> Any:
        return iter([])


class FirstFilter:  # the seed blog post's filter: its factory returns the class
    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: Any, start_response: Any) -> Any:
        return self.app(environ, start_response)


class AsgiFilter:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


class StaticCallFilter:
    def __init__(self, app: Any) -> None:
        self.app = app

    @staticmethod
    def __call__(environ: Any, start_response: Any) -> Any:
        return []


class SubFilter(FirstFilter):
    pass


class NotCallableInstances:
    def __init__(self, app: Any) -> None:
        self.app = app


@webob.dec.wsgify
def wsgify_app(req: Any) -> str:
    return "hi"


@webob.dec.wsgify.middleware
def wsgify_middleware(req: Any, app: Any) -> Any:
    return app


class AsyncCallable:
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


APPS: list[tuple[str, Any, str | None]] = [
    ("plain WSGI function", wsgi_func, "wsgi"),
    ("WSGI function with an optional third parameter", wsgi_with_option, "wsgi"),
    ("WebOb-style class instance", WebObStyleApp(), "wsgi"),
    ("PEP 3333 class as app", ClassAsApp, "wsgi"),
    ("webob.dec.wsgify object", wsgify_app, "wsgi"),
    ("wsgify middleware applied", wsgify_middleware(wsgi_func), "wsgi"),
    ("Paste URLMap", URLMap(), "wsgi"),
    ("seed FirstFilter instance", FirstFilter(wsgi_func), "wsgi"),
    ("lambda WSGI", lambda environ, start_response: [], "wsgi"),
    (
        "partial of a WSGI function with a bound extra",
        functools.partial(wsgi_with_option, debug=True),
        "wsgi",
    ),
    ("async function", asgi_func, "asgi"),
    ("partial of an async function", functools.partial(asgi_func), "asgi"),
    ("async __call__ instance", AsyncCallable(), "asgi"),
    ("sync callable returning an awaitable", asgi_sync_returning_awaitable, "asgi"),
    ("a2wsgi WSGIMiddleware", WSGIMiddleware(wsgi_func), "asgi"),
    ("Starlette app", Starlette(), "asgi"),
    ("Starlette Router", Router(), "asgi"),
    ("GZipMiddleware instance", GZipMiddleware(asgi_func), "asgi"),
    ("TrustedHostMiddleware instance", TrustedHostMiddleware(asgi_func), "asgi"),
    ("WSGIAdapter", WSGIAdapter(wsgi_func), "asgi"),
    ("ASGIBridge", ASGIBridge(asgi_func), "wsgi"),
    ("builtin without signature", print, "wsgi"),
    ("one-argument callable (ASGI 2 style)", lambda scope: None, "wsgi"),
    ("*args callable", lambda *args: None, "wsgi"),
    ("unbound wsgify decorator", webob.dec.wsgify, "wsgi"),
    ("not callable", object(), None),
    ("a string", "egg:Paste#urlmap", None),
]


@pytest.mark.parametrize(("label", "obj", "expected"), APPS, ids=[a[0] for a in APPS])
def test_app_protocol(label: str, obj: Any, expected: str | None) -> None:
    assert app_protocol(obj) == expected


FILTERS: list[tuple[str, Any, str | None]] = [
    ("seed FirstFilter class", FirstFilter, "wsgi"),
    ("subclass inherits __call__", SubFilter, "wsgi"),
    ("staticmethod __call__", StaticCallFilter, "wsgi"),
    ("GZipMiddleware class", GZipMiddleware, "asgi"),
    ("async __call__ class", AsgiFilter, "asgi"),
    ("webob wsgify.middleware factory", wsgify_middleware, "wsgi"),
    ("class with no __call__", NotCallableInstances, None),
    ("plain function filter", lambda app: app, None),
    ("partial", functools.partial(lambda app, x: app, x=1), None),
]


@pytest.mark.parametrize(("label", "filt", "expected"), FILTERS, ids=[f[0] for f in FILTERS])
def test_filter_protocol(label: str, filt: Any, expected: str | None) -> None:
    assert filter_protocol(filt) == expected


def test_declaration_wins_over_the_signature() -> None:
    @declare_asgi
    def looks_wsgi(environ: Any, start_response: Any) -> Any:
        return []

    assert getattr(looks_wsgi, PROTOCOL_ATTR) == "asgi"
    assert app_protocol(looks_wsgi) == "asgi"
    assert app_protocol(declare_wsgi(AsyncCallable())) == "wsgi"


def test_declaring_factories_and_filters() -> None:
    @declare_asgi
    def app_factory(global_conf: Any, **local_conf: Any) -> Any:
        return asgi_func

    @declare_wsgi
    def filter_factory(global_conf: Any, **local_conf: Any) -> Any:
        return FirstFilter

    assert app_factory is not None and app_protocol(app_factory) == "asgi"
    assert filter_protocol(filter_factory) == "wsgi"
    assert filter_protocol(declare_asgi(lambda app: app)) == "asgi"


def test_declared_class_covers_its_instances() -> None:
    @declare_asgi
    class Weird:
        def __call__(self, *args: Any) -> Any:
            return None

    assert app_protocol(Weird()) == "asgi"
    assert filter_protocol(Weird) == "asgi"


def test_partial_inherits_the_declaration_of_its_function() -> None:
    def factory(a: Any, b: Any, c: Any, d: Any) -> Any:
        return None

    declare_wsgi(factory)
    assert app_protocol(functools.partial(factory, 1)) == "wsgi"


def test_bound_method_declares_its_function() -> None:
    class Holder:
        def app(self, environ: Any, start_response: Any) -> Any:
            return []

    holder = Holder()
    assert declare_asgi(holder.app) == holder.app
    assert app_protocol(holder.app) == "asgi"


def test_bad_declaration_is_a_clear_error() -> None:
    def app(environ: Any, start_response: Any) -> Any:
        return []

    setattr(app, PROTOCOL_ATTR, "http")
    with pytest.raises(ValueError, match=r"__asgipaste_protocol__ = 'http'.*'asgi' or 'wsgi'"):
        app_protocol(app)


def test_objects_without_attributes_cannot_be_declared() -> None:
    with pytest.raises(TypeError, match="takes no attributes"):
        declare_asgi(len)
