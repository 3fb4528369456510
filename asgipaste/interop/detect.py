"""Which protocol an app or a filter speaks: a declaration first, then a careful guess.

The team-wide convention is an attribute, ``__asgipaste_protocol__ = "asgi"`` or
``"wsgi"``, on an app, an app factory, a filter, or a filter factory. The
decorators :func:`declare_asgi` and :func:`declare_wsgi` set it:

>>> @declare_asgi
... def app_factory(global_conf, **local_conf):
...     return my_asgi_app
>>> app_protocol(app_factory)
'asgi'

Without a declaration, the rule is PasteDeploy's: what a ``paste.*`` factory
returns is WSGI unless it is positively ASGI (:func:`is_asgi_app`: a coroutine
function or coroutine ``__call__``, or three required positional parameters
``(scope, receive, send)``). Any other callable is WSGI; only what is not
callable at all is refused.
"""

from __future__ import annotations

import functools
import inspect
import sys
import types
from typing import Any, Literal, TypeVar

__all__ = [
    "PROTOCOL_ATTR",
    "WSGI_FILTER_FORM_ATTR",
    "app_protocol",
    "declare_asgi",
    "declare_wsgi",
    "declared_protocol",
    "filter_protocol",
    "is_asgi_app",
]

PROTOCOL_ATTR = "__asgipaste_protocol__"

#: On an ASGI filter (a filter factory's result, or a filter-app factory): the same filter
#: returning a WSGI middleware. The loader uses it over a WSGI app, so that a WSGI chain
#: stays WSGI: fused, and served WSGI-direct by granian (Pyramid's ``prefix`` filter).
WSGI_FILTER_FORM_ATTR = "__asgipaste_wsgi_filter__"

ProtocolName = Literal["asgi", "wsgi"]
T = TypeVar("T")
_UNSET: Any = object()


def _declare(obj: T, protocol: ProtocolName) -> T:
    try:
        setattr(obj, PROTOCOL_ATTR, protocol)
    except (AttributeError, TypeError):
        func = getattr(obj, "__func__", None)  # a bound method: declare its function
        if func is None:
            raise TypeError(
                f"cannot declare {protocol!r} on {obj!r}: it takes no attributes; "
                "wrap it in a function or class and declare that"
            ) from None
        setattr(func, PROTOCOL_ATTR, protocol)
    return obj


def declare_asgi(obj: T) -> T:
    """Declare ``obj`` (an app, filter, or any of their factories) ASGI; returns ``obj``.

    >>> @declare_asgi
    ... def filter_factory(global_conf, **local_conf):
    ...     return lambda app: app
    >>> filter_protocol(filter_factory)
    'asgi'
    """
    return _declare(obj, "asgi")


def declare_wsgi(obj: T) -> T:
    """Declare ``obj`` (an app, filter, or any of their factories) WSGI; returns ``obj``.

    >>> @declare_wsgi
    ... class Legacy:
    ...     def __init__(self, app): self.app = app
    >>> filter_protocol(Legacy)
    'wsgi'
    """
    return _declare(obj, "wsgi")


def declared_protocol(obj: Any) -> ProtocolName | None:
    """The declared protocol of ``obj``, its partial's function, or its class; else None.

    >>> declared_protocol(declare_wsgi(lambda environ, start_response: []))
    'wsgi'
    """
    return _declared(obj)


def _declared(obj: Any) -> ProtocolName | None:
    """The declared protocol of ``obj``, its partial's function, or its class."""
    if type(obj) is types.FunctionType:
        # What _read_attr finds on a plain function, without its AttributeErrors: the
        # function's own dict (its type, like every builtin type, cannot hold the attribute).
        value = obj.__dict__.get(PROTOCOL_ATTR, _UNSET)
        return None if value is _UNSET else _checked(obj, value)
    while isinstance(obj, functools.partial):
        found = _read_attr(obj)
        if found is not None:
            return found
        obj = obj.func
    found = _read_attr(obj)
    if found is None and not isinstance(obj, type):
        found = _read_attr(type(obj))
    return found


def _read_attr(obj: Any) -> ProtocolName | None:
    # The generic __getattribute__ (not getattr) never calls a __getattr__ hook,
    # so proxies cannot answer for their target; and it is much cheaper than
    # inspect.getattr_static, which matters when loading thousands of sections.
    getter = type.__getattribute__ if isinstance(obj, type) else object.__getattribute__
    try:
        value = getter(obj, PROTOCOL_ATTR)
    except AttributeError:
        func = getattr(obj, "__func__", None)  # bound methods keep it on their function
        if func is None:
            return None
        try:
            value = object.__getattribute__(func, PROTOCOL_ATTR)
        except AttributeError:
            return None
    return _checked(obj, value)


def _checked(obj: Any, value: Any) -> ProtocolName:
    if value == "asgi":
        return "asgi"
    if value == "wsgi":
        return "wsgi"
    raise ValueError(f"{obj!r} has {PROTOCOL_ATTR} = {value!r}; it must be 'asgi' or 'wsgi'")


def _is_wsgify(obj: Any) -> bool:
    # Only look if WebOb is loaded: an object cannot be a wsgify otherwise.
    dec = sys.modules.get("webob.dec")
    return dec is not None and isinstance(obj, dec.wsgify) and obj.func is not None


def _is_wsgify_descriptor(obj: Any) -> bool:
    dec = sys.modules.get("webob.dec")
    return dec is not None and isinstance(obj, dec.wsgify)


def _is_webob_middleware_factory(obj: Any) -> bool:
    dec = sys.modules.get("webob.dec")
    return dec is not None and isinstance(obj, getattr(dec, "_MiddlewareFactory", ()))


def _by_signature(func: Any, *, drop_first: bool = False) -> ProtocolName | None:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # builtins and C callables without a signature
        return None
    params = list(sig.parameters.values())
    if drop_first and params:
        params = params[1:]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None  # (*args) could be either
    required = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
    if len(required) == 2:
        return "wsgi"
    if len(required) == 3:
        return "asgi"
    return None


#: What object.__getattribute__ finds a class's ordinary ``__dict__`` slot to be.
_DICT_SLOT = type(type("_Plain", (), {}).__dict__["__dict__"])
#: Names that would let the class or the instance answer differently from the
#: plain lookups _plain_coroutine_call makes: a declaration, ``__func__`` (which
#: _read_attr follows), attribute hooks, a descriptor ``__get__`` (inspect.isroutine).
_NOT_PLAIN = (PROTOCOL_ATTR, "__func__", "__getattr__", "__getattribute__", "__get__")


def _plain_coroutine_call(obj: Any) -> bool:
    """True when ``obj`` is an instance of an ordinary class whose ``__call__`` is a
    coroutine function and neither the instance nor its classes declare anything:
    then is_asgi_app's general path answers True, and this answers without its
    exceptions and ``inspect`` calls (middleware instances, once per filter when
    loading). False means only "ask the general path". Nothing is cached, so a
    declaration added later, to the class or the instance, is seen."""
    cls = type(obj)
    if type(cls) is not type or isinstance(obj, functools.partial):
        return False  # a metaclass can answer for its classes; a partial unwraps to its func
    call = None
    for klass in cls.__mro__:
        if klass is object:
            break
        namespace = klass.__dict__
        if not namespace.keys().isdisjoint(_NOT_PLAIN):
            return False
        if "__dict__" in namespace and type(namespace["__dict__"]) is not _DICT_SLOT:
            return False
        if call is None and "__call__" in namespace:
            call = namespace["__call__"]
    if type(call) is not types.FunctionType or not call.__code__.co_flags & inspect.CO_COROUTINE:
        return False
    try:
        own = object.__getattribute__(obj, "__dict__")
    except AttributeError:  # __slots__ only: nothing of its own to declare with
        own = None
    if own is not None and (PROTOCOL_ATTR in own or "__func__" in own):
        return False
    return not _is_wsgify(obj)


def is_asgi_app(obj: Any) -> bool:
    """True when ``obj`` is positively an ASGI 3 application, not merely callable.

    Declared ASGI; a coroutine function (``functools.partial`` unwrapped); an
    object whose class has a coroutine ``__call__``; or a callable taking
    exactly three required positional parameters ``(scope, receive, send)``.

    >>> async def app(scope, receive, send): ...
    >>> def wsgi(environ, start_response): ...
    >>> is_asgi_app(app), is_asgi_app(wsgi)
    (True, False)
    """
    if type(obj) is not types.FunctionType and _plain_coroutine_call(obj):
        return True
    return _is_asgi_app_general(obj)


def _is_asgi_app_general(obj: Any) -> bool:
    """is_asgi_app without its fast path: the reference the fast path must agree with."""
    declared = _declared(obj)
    if declared is not None:
        return declared == "asgi"
    if not callable(obj) or _is_wsgify(obj):
        return False
    # inspect.iscoroutinefunction unwraps functools.partial itself.
    if inspect.iscoroutinefunction(obj):
        return True
    if not isinstance(obj, type) and not inspect.isroutine(obj):
        call = getattr(type(obj), "__call__", None)  # noqa: B004 - looking up the method itself
        if call is not None and inspect.iscoroutinefunction(call):
            return True
    return _by_signature(obj) == "asgi"


def app_protocol(obj: Any) -> ProtocolName | None:
    """``"asgi"``, ``"wsgi"``, or ``None`` for what is not an application at all.

    The rule PasteDeploy's ``paste.*`` protocols imply: what a factory returns
    is WSGI unless it is positively ASGI (:func:`is_asgi_app`: declared, a
    coroutine callable, or three required positional parameters). Every other
    callable is WSGI whatever its shape: WebOb ``wsgify`` on ``__call__``,
    ``functools.partial``, ``__getattr__`` proxies, C callables. Only what is
    not callable (``None``, a string) gets ``None``.

    >>> def hello(environ, start_response): ...
    >>> async def asgi_hello(scope, receive, send): ...
    >>> app_protocol(hello), app_protocol(asgi_hello), app_protocol(print), app_protocol("x")
    ('wsgi', 'asgi', 'wsgi', None)
    """
    declared = _declared(obj)
    if declared is not None:
        return declared
    if not callable(obj):
        return None
    return "asgi" if is_asgi_app(obj) else "wsgi"


def filter_protocol(filt: Any) -> ProtocolName | None:
    """``"asgi"``, ``"wsgi"`` or ``None`` for a filter (a callable taking the next app).

    The declaration first; WebOb ``@wsgify.middleware`` factories are WSGI; for a
    class, the protocol of its instances' ``__call__`` (the seed's
    ``FirstFilter`` with ``__call__(self, environ, start_response)`` is WSGI,
    Starlette's ``GZipMiddleware`` is ASGI). Anything else is ``None``: the
    caller must build the filter and look at what comes back.

    >>> class Hdr:
    ...     def __init__(self, app): self.app = app
    ...     async def __call__(self, scope, receive, send): ...
    >>> filter_protocol(Hdr), filter_protocol(lambda app: app)
    ('asgi', None)
    """
    declared = _declared(filt)
    if declared is not None:
        return declared
    if _is_webob_middleware_factory(filt):
        return "wsgi"
    if not isinstance(filt, type):
        return None
    for klass in filt.__mro__:
        if klass is object:
            return None
        if "__call__" in klass.__dict__:
            call = klass.__dict__["__call__"]
            break
    else:  # pragma: no cover - every MRO ends in object
        return None
    if _is_wsgify_descriptor(call):
        return "wsgi"  # @webob.dec.wsgify on __call__: oslo.middleware, keystonemiddleware, nova
    if isinstance(call, staticmethod):
        func, drop_first = call.__func__, False
    elif isinstance(call, classmethod):
        func, drop_first = call.__func__, True
    else:
        func, drop_first = call, True
    if inspect.iscoroutinefunction(func):
        return "asgi"
    return _by_signature(func, drop_first=drop_first)
