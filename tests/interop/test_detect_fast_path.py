"""is_asgi_app's fast path for middleware instances must agree with the general path."""

from __future__ import annotations

import abc
import functools
import warnings
from typing import Any

import pytest
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from asgipaste.interop import ASGIBridge, WSGIAdapter, declare_asgi, declare_wsgi
from asgipaste.interop.detect import PROTOCOL_ATTR, _is_asgi_app_general, _plain_coroutine_call, is_asgi_app

with warnings.catch_warnings():  # WebOb 1.8 imports the deprecated cgi module
    warnings.simplefilter("ignore", DeprecationWarning)
    import webob.dec


async def inner(scope: Any, receive: Any, send: Any) -> None:
    return None


class Async:
    def __init__(self, app: Any = None) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


class Sync:
    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        return []


class AsyncChild(Async):
    pass


class SyncOverAsync(Async):
    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:  # type: ignore[override]
        return []


class AsyncOverSync(Sync):
    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:  # type: ignore[override]
        return None


@declare_wsgi
class DeclaredWSGI(Async):
    pass


class ChildOfDeclared(DeclaredWSGI):
    pass


class BadDeclaration(Async):
    __asgipaste_protocol__ = "neither"


class Proxy(Async):
    def __getattr__(self, name: str) -> Any:
        return "wsgi"


class Hooked(Async):
    def __getattribute__(self, name: str) -> Any:
        return object.__getattribute__(self, name)


class Descriptor(Async):
    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return self


class HasFunc(Async):
    __func__ = declare_wsgi(lambda environ, start_response: [])


class Slotted:
    __slots__ = ("app",)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


class SlottedDeclaration:
    __slots__ = ("__asgipaste_protocol__",)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        return None


class DictProperty(Async):
    @property
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        return {}


class Meta(type):
    __asgipaste_protocol__ = "wsgi"


class WithMeta(Async, metaclass=Meta):
    pass


class Abstract(Async, abc.ABC):
    pass


class StaticCall:
    @staticmethod
    async def __call__(scope: Any, receive: Any, send: Any) -> None:
        return None


class AsyncPartial(functools.partial):  # type: ignore[type-arg]
    async def __call__(self, *args: Any) -> None:  # type: ignore[override]
        return None


class AsyncWsgify(webob.dec.wsgify):  # type: ignore[misc]
    async def __call__(self, *args: Any) -> None:  # type: ignore[override]
        return None


def _instances() -> list[Any]:
    declared_on_instance_wsgi = Async()
    declared_on_instance_wsgi.__asgipaste_protocol__ = "wsgi"  # type: ignore[attr-defined]
    declared_on_instance_asgi = Sync()
    declared_on_instance_asgi.__asgipaste_protocol__ = "asgi"  # type: ignore[attr-defined]
    func_on_instance = Async()
    func_on_instance.__func__ = declare_wsgi(lambda environ, start_response: [])  # type: ignore[attr-defined]
    slotted_declared = SlottedDeclaration()
    slotted_declared.__asgipaste_protocol__ = "wsgi"  # type: ignore[misc]
    objs: list[Any] = [
        Async(), Async(inner), Sync(), AsyncChild(), SyncOverAsync(), AsyncOverSync(), DeclaredWSGI(),
        ChildOfDeclared(), Proxy(), Hooked(), Descriptor(), HasFunc(), Slotted(), SlottedDeclaration(),
        slotted_declared, DictProperty(), WithMeta(), Abstract(), StaticCall(), declared_on_instance_wsgi,
        declared_on_instance_asgi, func_on_instance, declare_asgi(Sync()), declare_wsgi(Async()),
        AsyncPartial(inner), AsyncPartial(declare_wsgi(lambda environ, start_response: [])),
        AsyncWsgify(lambda req: "x"), AsyncWsgify(None),
        GZipMiddleware(inner), TrustedHostMiddleware(inner), WSGIAdapter(lambda e, s: []), ASGIBridge(inner),
        inner, functools.partial(inner), Async, Sync, print, None, "text", 3, object(), Async().__call__,
        lambda scope, receive, send: None, lambda environ, start_response: [],
    ]
    return objs


@pytest.mark.parametrize("obj", _instances(), ids=lambda obj: type(obj).__name__)
def test_fast_path_agrees_with_general_path(obj: Any) -> None:
    try:
        expected: Any = _is_asgi_app_general(obj)
    except ValueError as exc:  # a bad declaration is refused, fast path or not
        expected = type(exc)
    try:
        got: Any = is_asgi_app(obj)
    except ValueError as exc:
        got = type(exc)
    assert got == expected
    if _plain_coroutine_call(obj):
        assert expected is True


def test_fast_path_is_taken_for_plain_middleware() -> None:
    assert _plain_coroutine_call(Async()) and _plain_coroutine_call(AsyncChild()) and _plain_coroutine_call(Slotted())
    assert not _plain_coroutine_call(Sync()) and not _plain_coroutine_call(DeclaredWSGI())


def test_declarations_added_later_are_seen() -> None:
    """Nothing is cached per class: declaring after a first answer changes the answer."""

    class Late:
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            return None

    obj = Late()
    assert is_asgi_app(obj)
    declare_wsgi(Late)
    assert not is_asgi_app(obj) and not _is_asgi_app_general(obj)
    delattr(Late, PROTOCOL_ATTR)
    assert is_asgi_app(obj)
    other = Late()
    other.__asgipaste_protocol__ = "wsgi"  # type: ignore[attr-defined]
    assert not is_asgi_app(other) and is_asgi_app(obj)
