"""Build a plan into one ASGI app, joining protocols only where they meet.

Every built layer carries its protocol. Applying a WSGI filter to a WSGI app
stays WSGI (fusion: a run of WSGI layers crosses into ASGI once, at its top);
an ASGI filter over a WSGI run gets that run through one
:class:`~asgipaste.interop.wsgi.WSGIAdapter`; a WSGI filter over an ASGI app
sees it through an :class:`~asgipaste.interop.bridge.ASGIBridge`. Composite
factories that have not declared themselves ASGI receive WSGI views from their
loader, exactly what they were written for.
"""

from __future__ import annotations

import contextvars
import inspect
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from asgipaste.errors import ConfigError, ConfigValueError
from asgipaste.interop.detect import (
    WSGI_FILTER_FORM_ATTR,
    app_protocol,
    declared_protocol,
    filter_protocol,
    is_asgi_app,
)
from asgipaste.loader.coerce import CoercionError, coerce_kwargs
from asgipaste.loader.plan import PROTOCOL_BY_TYPE, Loader, Node
from asgipaste.loader.references import APP, ASGI_PROTOCOLS, FILTER, SERVER, ObjectType
from asgipaste.stack import LoadedStack, StackNode
from asgipaste.types import ASGIApp, Protocol, Receive, Scope, Send

__all__ = ["BuildSession", "Built", "build_app", "build_filter", "build_node", "build_server", "finish"]

#: A composite factory whose result can take a WSGI form (asgipaste's urlmap):
#: the attribute holds ``wsgi_form(result) -> WSGI app``; the result has ``remap(convert)``.
WSGI_FORM_ATTR = "__asgipaste_wsgi_form__"


@dataclass
class Built:
    """A built app and what it speaks."""

    obj: Any
    protocol: Protocol
    graph: StackNode
    threads: int | None = None  # wsgi_threads of the run, for its crossing


@dataclass
class BuildSession:
    """State of one top-level load: ASGI apps hidden behind bridges need lifespan."""

    hidden: list[tuple[str, ASGIApp]] = field(default_factory=list)


_session: contextvars.ContextVar[BuildSession | None] = contextvars.ContextVar("asgipaste_session", default=None)
_building: contextvars.ContextVar[tuple[int, ...]] = contextvars.ContextVar("asgipaste_building", default=())


def _current_session() -> BuildSession:
    session = _session.get()
    if session is None:  # a composite's loader used after the load finished
        session = BuildSession()
    return session


# -- conversions at borders ------------------------------------------------
def to_asgi(built: Built) -> Built:
    if built.protocol == "asgi":
        return built
    from asgipaste.interop.bridge import ASGIBridge
    from asgipaste.interop.wsgi import WSGIAdapter

    if isinstance(built.obj, ASGIBridge):
        # Crossing back: use the ASGI app itself; lifespan now reaches it directly.
        session = _current_session()
        session.hidden = [(n, a) for n, a in session.hidden if a is not built.obj.app]
        built.graph.join = "native"
        return Built(built.obj.app, "asgi", built.graph)
    adapter = WSGIAdapter(built.obj, threads=built.threads, name=built.graph.name)
    built.graph.join = "adapter"
    return Built(adapter, "asgi", built.graph)


def to_wsgi(built: Built) -> Built:
    if built.protocol == "wsgi":
        return built
    from asgipaste.interop.bridge import ASGIBridge
    from asgipaste.interop.wsgi import WSGIAdapter

    if isinstance(built.obj, WSGIAdapter):
        built.graph.join = "native"
        return Built(built.obj.app, "wsgi", built.graph, built.threads)
    bridge = ASGIBridge(built.obj, name=built.graph.name)
    _current_session().hidden.append((built.graph.name, built.obj))
    built.graph.join = "bridge"
    return Built(bridge, "wsgi", built.graph)


def convert(built: Built, protocol: Protocol) -> Built:
    return to_asgi(built) if protocol == "asgi" else to_wsgi(built)


# -- calling factories -----------------------------------------------------
def _protocol_key(node: Node, object_type: ObjectType) -> str:
    if node.protocol is None:
        node.protocol = PROTOCOL_BY_TYPE[object_type.name]
    return node.protocol


#: A signature of only positional-or-keyword parameters and perhaps ``**kwargs``, the shape
#: of nearly every factory: (parameter names, the required ones, whether ``**kwargs``).
_Shape = tuple[tuple[str, ...], frozenset[str], bool]
_SIGNATURES: weakref.WeakKeyDictionary[Any, tuple[inspect.Signature | None, _Shape | None]] = (
    weakref.WeakKeyDictionary()
)


def _signature(factory: Any) -> tuple[inspect.Signature | None, _Shape | None]:
    """``inspect.signature`` and its simple shape, remembered per factory: a file names one factory many times."""
    try:
        return _SIGNATURES[factory]
    except (KeyError, TypeError):  # not seen yet, or not weak-referenceable
        pass
    try:
        signature: inspect.Signature | None = inspect.signature(factory)
    except (TypeError, ValueError):
        signature = None
    found = (signature, _shape(signature))
    try:
        _SIGNATURES[factory] = found
    except TypeError:
        pass
    return found


def _shape(signature: inspect.Signature | None) -> _Shape | None:
    if signature is None:
        return None
    params = list(signature.parameters.values())
    var_keyword = bool(params) and params[-1].kind is inspect.Parameter.VAR_KEYWORD
    if var_keyword:
        params.pop()
    if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params):
        return None
    required = frozenset(p.name for p in params if p.default is inspect.Parameter.empty)
    return tuple(p.name for p in params), required, var_keyword


def _fits(shape: _Shape, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether ``signature.bind(*args, **kwargs)`` succeeds, for a signature of this shape (bind is slow)."""
    names, required, var_keyword = shape
    if len(args) > len(names):
        return False
    positional = names[: len(args)]
    for key in kwargs:
        if key in positional or (not var_keyword and key not in names):
            return False
    return all(name in kwargs for name in names[len(args) :] if name in required)


def call_factory(node: Node, factory: Any, *args: Any, **kwargs: Any) -> Any:
    """Call a factory; a signature mismatch or failure becomes a located ConfigError."""
    spec = node.ref.spec if node.ref else repr(factory)
    if not callable(factory):
        raise node.error(ConfigError, f"{spec} is not callable (it is {type(factory).__name__})")
    signature, shape = _signature(factory)
    if signature is not None and (shape is None or not _fits(shape, args, kwargs)):
        try:
            signature.bind(*args, **kwargs)  # raises the TypeError _signature_error explains
        except TypeError as exc:
            raise _signature_error(node, spec, signature, exc, kwargs) from None
    try:
        return factory(*args, **kwargs)
    except ConfigError as exc:
        raise _locate(exc, node)
    except Exception as exc:
        raise node.error(
            ConfigError,
            f"{spec} failed while building [{node.label}]: {type(exc).__name__}: {exc}",
        ) from exc


def _locate(exc: ConfigError, node: Node) -> ConfigError:
    """A ConfigError a factory raised about its options: say which file and section."""
    if exc.section is None and exc.file in (None, node.file):
        located = node.error(type(exc), exc.message, key=exc.key, hint=exc.hint)
        exc.file, exc.section, exc.line = located.file, located.section, located.line
    return exc


def _signature_error(
    node: Node, spec: str, signature: inspect.Signature, exc: TypeError, kwargs: dict[str, Any]
) -> ConfigError:
    params = signature.parameters
    takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
    unknown = [k for k in kwargs if k not in params] if not takes_any else []
    if unknown:
        return node.error(
            ConfigError,
            f"{spec} does not accept the option {unknown[0]!r}",
            key=unknown[0],
            hint=f"remove it or check its spelling; {spec} takes {signature}",
        )
    return node.error(
        ConfigError,
        f"{spec} cannot be called as a {node.protocol}: {exc}; wanted {signature}",
        hint="check that the factory has the signature its protocol needs "
        "(app_factory(global_conf, **local_conf), filter_factory(global_conf, **local_conf), "
        "composite_factory(loader, global_conf, **local_conf))",
    )


def _graph(node: Node, kind: str, protocol: Protocol, label: str = "") -> StackNode:
    return StackNode(
        kind=kind,
        name=node.label,
        protocol=protocol,
        file=node.file,
        line=node.line,
        label=label or (node.ref.spec if node.ref else ""),
    )


def _classify_app(node: Node, result: Any, declared: Protocol | None) -> Protocol:
    if result is None:
        raise node.error(
            ConfigError,
            f"{node.ref.spec if node.ref else node.label} returned None instead of an app",
            hint="an app factory must return an ASGI or WSGI application",
        )
    protocol = declared or app_protocol(result)
    if protocol is None:
        raise node.error(
            ConfigError,
            f"{node.ref.spec if node.ref else node.label} returned {result!r}, which is neither an ASGI "
            "nor a WSGI application",
            hint="declare its protocol with asgipaste.declare_asgi / declare_wsgi if detection is wrong",
        )
    return protocol


# -- apps ------------------------------------------------------------------
def build_app(node: Node) -> Built:
    key = id(node)
    stack = _building.get()
    if key in stack:
        raise node.error(ConfigError, f"Configuration cycle: [{node.label}] is needed to build itself")
    token = _building.set((*stack, key))
    try:
        return _build_app(node)
    finally:
        _building.reset(token)


def _build_app(node: Node) -> Built:
    if node.kind == "pipeline":
        assert node.app_node is not None
        # PasteDeploy's order of factory calls: the app, then the filters left
        # to right; they are applied right to left (the first is outermost).
        built = build_app(node.app_node)
        filters = [build_filter(filter_node) for filter_node in node.filter_nodes]
        for built_filter in reversed(filters):
            built = built_filter.apply(built)
        return _wrap_graph(node, "pipeline", built)
    if node.kind == "filter-app":
        assert node.next_node is not None and node.filter_node is not None
        inner = build_app(node.next_node)
        return _wrap_graph(node, "filter-app", build_filter(node.filter_node).apply(inner))
    if node.kind == "filter-with":
        assert node.next_node is not None and node.filter_node is not None
        outer = build_filter(node.filter_node)  # filter first, as PasteDeploy does
        return outer.apply(build_app(node.next_node))
    return _build_factory_app(node)


def _wrap_graph(node: Node, kind: str, built: Built) -> Built:
    outer = StackNode(kind=kind, name=node.label, protocol=built.protocol, file=node.file, line=node.line)
    outer.children.append(built.graph)
    if node.wsgi_threads is not None:
        built.threads = node.wsgi_threads
    return Built(built.obj, built.protocol, outer, built.threads)


def _factory_declared(node: Node, protocol_key: str, factory: Any) -> Protocol | None:
    """What the section says its object speaks: the override key, an asgipaste.* protocol,
    or the factory's own declaration."""
    if node.protocol_override is not None:
        return node.protocol_override
    return "asgi" if protocol_key in ASGI_PROTOCOLS else declared_protocol(factory)


def _build_factory_app(node: Node) -> Built:
    protocol_key = _protocol_key(node, APP)
    factory = node.object
    declared = _factory_declared(node, protocol_key, factory)
    if node.is_composite:
        return _build_composite(node, factory, declared)
    if protocol_key.endswith("app_factory"):
        result = call_factory(node, factory, node.global_conf, **node.local_conf)
        protocol = _classify_app(node, result, node.protocol_override or declared_protocol(result) or declared)
        return Built(result, protocol, _graph(node, "app", protocol), node.wsgi_threads)
    raise node.error(ConfigError, f"Protocol {protocol_key!r} cannot make an application")


def _build_composite(node: Node, factory: Any, declared: Protocol | None) -> Built:
    """Call a composite factory once, whatever its children turn out to speak.

    * declared ASGI: its loader hands out ASGI apps;
    * with a WSGI form (asgipaste's urlmap): children are handed out as built,
      and once all are known the map takes its WSGI form if every one is WSGI
      (a legacy tree stays WSGI all the way down), else its ASGI form;
    * anything else is a PasteDeploy composite: WSGI children are handed out as
      themselves, ASGI children as :class:`EitherView` (callable as both), so the
      result is right whichever protocol the composite turns out to speak.
    """
    wsgi_form = getattr(factory, WSGI_FORM_ATTR, None)
    mode = "forms" if wsgi_form is not None else "asgi" if declared == "asgi" else "legacy"
    loader = CompositeLoader(node.loader, mode=mode)
    result = call_factory(node, factory, loader, node.global_conf, **node.local_conf)
    if wsgi_form is not None:
        built = loader.finish_forms(node, result, wsgi_form)
    else:
        built = loader.finish(node, result, declared)
    built.graph.children.extend(loader.child_graphs())
    built.graph.options = tuple((key, " ".join(str(value).split())) for key, value in node.local_conf.items())
    return built


# -- filters -----------------------------------------------------------------
@dataclass
class BuiltFilter:
    """A filter and the protocol it speaks (None: find out when applied)."""

    node: Node
    func: Callable[[Any], Any]
    protocol: Protocol | None
    kind: str = "filter"
    then: BuiltFilter | None = None  # filter-with on a filter: applied after this one
    threads: int | None = None
    #: the filter's WSGI form (WSGI_FILTER_FORM_ATTR), used over a WSGI app
    wsgi_func: Callable[[Any], Any] | None = None

    def apply(self, inner: Built) -> Built:
        built = self._apply_one(inner)
        return self.then.apply(built) if self.then is not None else built

    def _apply_one(self, inner: Built) -> Built:
        if inner.protocol == "wsgi" and self.wsgi_func is not None:
            # A filter with a WSGI form keeps a WSGI chain WSGI: no crossing, still fusable.
            return self._built(self._call(inner.obj, self.wsgi_func), "wsgi", inner)
        protocol = self.protocol
        if protocol is not None:
            result = self._call(convert(inner, protocol).obj)
            return self._built(result, protocol, inner)
        # Protocol unknown until the filter has wrapped something (a function
        # filter). Call it once: over a WSGI app the filter is WSGI unless what
        # it returns is positively ASGI; over an ASGI app it gets an EitherView.
        if inner.protocol == "wsgi":
            result = self._call(inner.obj)
            if result is inner.obj:  # a pass-through filter (often: disabled by its options)
                return self._built(result, "wsgi", inner)
            return self._built(result, "asgi" if is_asgi_app(result) else "wsgi", inner)
        view = EitherView(inner.obj, name=inner.graph.name)
        result = self._call(view)
        if result is view:
            return self._built(inner.obj, "asgi", inner)
        if is_asgi_app(result):
            if getattr(result, "app", None) is view:
                # An ASGI middleware keeping the app as .app (Starlette's habit):
                # point it at the app itself and save a dispatch per request.
                try:
                    result.app = inner.obj
                except (AttributeError, TypeError):
                    pass
            return self._built(result, "asgi", inner)
        view.used_as_wsgi(inner.graph)
        return self._built(result, "wsgi", inner)

    def _call(self, app: Any, func: Callable[[Any], Any] | None = None) -> Any:
        try:
            result = (func or self.func)(app)
        except ConfigError as exc:
            raise _locate(exc, self.node)
        except Exception as exc:
            raise self.node.error(
                ConfigError, f"Filter [{self.node.label}] failed to wrap its app: {type(exc).__name__}: {exc}"
            ) from exc
        if result is None:
            raise self.node.error(ConfigError, f"Filter [{self.node.label}] returned None instead of an app")
        if not callable(result):
            raise self.node.error(
                ConfigError,
                f"Filter [{self.node.label}] returned {result!r}, which is not an application (not callable)",
                hint="a filter takes the next app and returns a WSGI or ASGI app wrapping it",
            )
        return result

    def _built(self, result: Any, protocol: Protocol, inner: Built) -> Built:
        graph = _graph(self.node, self.kind, protocol)
        graph.children.append(inner.graph)
        threads = self.threads if self.threads is not None else inner.threads
        return Built(result, protocol, graph, threads)


def build_filter(node: Node) -> BuiltFilter:
    if node.kind == "filter-with":
        assert node.next_node is not None and node.filter_node is not None
        outer = build_filter(node.filter_node)
        first = build_filter(node.next_node)
        last = first
        while last.then is not None:
            last = last.then
        last.then = outer
        return first
    protocol_key = _protocol_key(node, FILTER)
    factory = node.object
    declared = _factory_declared(node, protocol_key, factory)
    if inspect.isclass(factory) and filter_protocol(factory) is not None and protocol_key.endswith("filter_factory"):
        # A middleware class named directly (use = call:starlette...:GZipMiddleware):
        # its options are typed by its signature.
        try:
            options = coerce_kwargs(factory, node.local_conf)
        except CoercionError as exc:
            raise node.error(ConfigValueError, f"[{node.label}] {exc}", key=exc.key) from None
        cls: Any = factory

        def func(app: Any) -> Any:
            return cls(app, **options)

        return BuiltFilter(node, func, declared or filter_protocol(factory), threads=node.wsgi_threads)
    if protocol_key.endswith("filter_factory"):
        result = call_factory(node, factory, node.global_conf, **node.local_conf)
        if result is None or not callable(result):
            raise node.error(
                ConfigError,
                f"{node.ref.spec if node.ref else node.label} returned {result!r} instead of a filter",
                hint="a filter factory returns a callable that takes an app and returns an app",
            )
        # filter_protocol looks at the result's declaration first.
        protocol = declared if declared is not None else filter_protocol(result)
        return BuiltFilter(
            node, result, protocol, threads=node.wsgi_threads, wsgi_func=getattr(result, WSGI_FILTER_FORM_ATTR, None)
        )
    if protocol_key.endswith("filter_app_factory"):
        if not callable(factory):
            raise node.error(ConfigError, f"{node.ref.spec if node.ref else node.label} is not callable")
        conf, local = node.global_conf, node.local_conf

        def wrapper(app: Any) -> Any:
            return call_factory(node, factory, app, conf, **local)

        wsgi_factory = getattr(factory, WSGI_FILTER_FORM_ATTR, None)
        wsgi_wrapper = None
        if wsgi_factory is not None:

            def wsgi_wrapper(app: Any) -> Any:
                return call_factory(node, wsgi_factory, app, conf, **local)

        protocol = declared if declared is not None else filter_protocol(factory)
        return BuiltFilter(node, wrapper, protocol, threads=node.wsgi_threads, wsgi_func=wsgi_wrapper)
    raise node.error(ConfigError, f"Protocol {protocol_key!r} cannot make a filter")


# -- servers -----------------------------------------------------------------
def build_server(node: Node) -> Any:
    protocol_key = _protocol_key(node, SERVER)
    factory = node.object
    if protocol_key.endswith("server_factory"):
        server = call_factory(node, factory, node.global_conf, **node.local_conf)
        if server is None or not callable(server):
            raise node.error(ConfigError, f"{node.label} returned {server!r} instead of a server callable")
        if getattr(server, "section", False) is None:
            server.section = node.label  # asgipaste's servers name their section in what they log
        return server
    if protocol_key.endswith("server_runner"):
        conf, local = node.global_conf, node.local_conf

        def server_runner(app: Any) -> Any:
            return call_factory(node, factory, app, conf, **local)

        return server_runner
    raise node.error(ConfigError, f"Protocol {protocol_key!r} cannot make a server")


# -- the loader composites receive -----------------------------------------------
_ASGIBridge: Any = None


def _bridge_type() -> Any:
    """ASGIBridge, imported on first use (not at import time); an import statement in
    EitherView.__init__ cost more than the bridge itself, once per function filter."""
    global _ASGIBridge
    if _ASGIBridge is None:
        from asgipaste.interop.bridge import ASGIBridge

        _ASGIBridge = ASGIBridge
    return _ASGIBridge


class EitherView:
    """An ASGI app handed to a composite or filter that may speak either protocol.

    Called with three arguments it is the ASGI app; with two it is a WSGI view of
    it (an :class:`~asgipaste.interop.bridge.ASGIBridge`). The composite or filter
    is therefore called once, as PasteDeploy calls it, and is right whichever
    protocol it turns out to speak.
    """

    __slots__ = ("app", "bridge", "name")

    def __init__(self, app: ASGIApp, *, name: str) -> None:
        self.app = app
        self.name = name
        self.bridge = _bridge_type()(app, name=name)

    def __call__(self, *args: Any) -> Any:
        if len(args) == 3:
            return self.app(*args)
        return self.bridge(*args)

    def __getattr__(self, name: str) -> Any:
        # Composites that look at their children (Paste's urlmap lists them) see the app.
        return getattr(self.app, name)

    def used_as_wsgi(self, graph: StackNode) -> None:
        """Record that WSGI code holds this view: the ASGI app needs lifespan from the root."""
        _current_session().hidden.append((self.name, self.app))
        graph.join = "bridge"

    def __repr__(self) -> str:
        return f"EitherView({self.app!r})"


class CompositeLoader(Loader):
    """``loader`` for composite factories (see :func:`_build_composite` for the modes)."""

    def __init__(self, base: Loader, *, mode: str) -> None:
        self.base = base
        self.mode = mode
        self.filename = base.filename
        self._graphs: list[StackNode] = []
        self._handed: dict[int, tuple[Any, Built]] = {}  # id(handed-out object) -> (object, built)

    def get_context(self, object_type: ObjectType, name: str | None = None, global_conf: Any = None) -> Node:
        return self.base.get_context(object_type, name=name, global_conf=global_conf)

    def get_app(self, name: str | None = None, global_conf: Any = None) -> Any:
        built = build_app(self.base.app_context(name=name, global_conf=global_conf))
        return self._hand_out(built)

    def get_filter(self, name: str | None = None, global_conf: Any = None) -> Callable[[Any], Any]:
        built_filter = build_filter(self.base.filter_context(name=name, global_conf=global_conf))

        def apply(app: Any) -> Any:
            return self._hand_out(built_filter.apply(self.built_of(app)))

        return apply

    def get_server(self, name: str | None = None, global_conf: Any = None) -> Any:
        return build_server(self.base.server_context(name=name, global_conf=global_conf))

    def built_of(self, obj: Any) -> Built:
        """The build record of an object this loader handed out (or a foreign app, by the protocol rule)."""
        found = self._handed.get(id(obj))
        if found is not None and found[0] is obj:
            return found[1]
        protocol = app_protocol(obj) or "wsgi"
        return Built(obj, protocol, StackNode(kind="app", name=type(obj).__name__, protocol=protocol))

    def _hand_out(self, built: Built) -> Any:
        if self.mode == "asgi":
            built = to_asgi(built)
            obj: Any = built.obj
        elif self.mode == "legacy" and built.protocol == "asgi":
            obj = EitherView(built.obj, name=built.graph.name)
        else:
            obj = built.obj
        self._graphs.append(built.graph)
        self._handed[id(obj)] = (obj, built)
        return obj

    def finish(self, node: Node, result: Any, declared: Protocol | None) -> Built:
        """Classify what the composite returned; record how each child is reached."""
        if result is not None and id(result) in self._handed and self._handed[id(result)][0] is result:
            built = self._handed[id(result)][1]  # the composite returned one of its children
            return Built(built.obj, built.protocol, _graph(node, "composite", built.protocol), built.threads)
        protocol = _classify_app(node, result, node.protocol_override or declared_protocol(result) or declared)
        if self.mode == "legacy":
            handed = list(self._handed.values())
            if protocol == "wsgi":
                for obj, built in handed:
                    if isinstance(obj, EitherView):
                        obj.used_as_wsgi(built.graph)
            else:
                raw_wsgi = [built.graph.name for obj, built in handed if built.protocol == "wsgi"]
                if raw_wsgi:
                    spec = node.ref.spec if node.ref else node.label
                    raise node.error(
                        ConfigError,
                        f"{spec} returned an ASGI app, but was handed the WSGI app(s) {', '.join(raw_wsgi)} "
                        "as PasteDeploy composites are",
                        hint="declare the composite factory ASGI (asgipaste.declare_asgi, or the "
                        "asgipaste.composite_factory key/group) so its loader hands out ASGI apps",
                    )
        return Built(result, protocol, _graph(node, "composite", protocol), node.wsgi_threads)

    def finish_forms(self, node: Node, result: Any, wsgi_form: Callable[[Any], Any]) -> Built:
        """A map of children built as they are: WSGI if every one is WSGI, else ASGI with adapters."""
        builts = {id(obj): built for obj, built in self._handed.values()}
        spec = node.ref.spec if node.ref else node.label
        if all(built.protocol == "wsgi" for built in builts.values()):
            result.remap(lambda obj: builts[id(obj)].obj if id(obj) in builts else obj)
            graph = _graph(node, "composite", "wsgi", label=f"{spec} (WSGI: every mounted app is WSGI)")
            return Built(wsgi_form(result), "wsgi", graph, node.wsgi_threads)
        result.remap(lambda obj: to_asgi(builts[id(obj)]).obj if id(obj) in builts else obj)
        return Built(result, "asgi", _graph(node, "composite", "asgi"), node.wsgi_threads)

    def child_graphs(self) -> list[StackNode]:
        inner = {id(n) for g in self._graphs for n in g.walk()[1:]}
        return [g for g in self._graphs if id(g) not in inner]

    def __repr__(self) -> str:
        return f"<CompositeLoader {self.mode} {self.base!r}>"


# -- the root ------------------------------------------------------------------
class LifespanRoot:
    """The loaded app: starts the ASGI apps hidden behind bridges with the rest."""

    def __init__(self, app: ASGIApp, members: list[tuple[str, ASGIApp]]) -> None:
        from asgipaste.lifespan import LifespanGroup

        self.app = app
        self.members = members
        self._lifespan = LifespanGroup(members)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def __repr__(self) -> str:
        return f"LifespanRoot({self.app!r}, members={[name for name, _ in self.members]!r})"


def finish(built: Built, name: str, file: str | None) -> LoadedStack:
    session = _current_session()
    # WSGI at the root is "WSGI all the way down" only without bridges inside: an
    # ASGI app behind WSGI code needs an event loop, which a WSGI server lacks.
    bridged = any(node.join == "bridge" for node in built.graph.walk())
    wsgi = built.obj if built.protocol == "wsgi" and not bridged else None
    asgi_built = to_asgi(built)
    app: ASGIApp = asgi_built.obj
    if session.hidden:
        app = LifespanRoot(app, [(name, asgi_built.obj), *session.hidden])
    return LoadedStack(asgi=app, wsgi=wsgi, graph=asgi_built.graph, name=name, file=file)


def run_in_session(func: Callable[[], Any]) -> Any:
    token = _session.set(BuildSession())
    try:
        return func()
    finally:
        _session.reset(token)


def build_node(node: Node) -> Any:
    """``context.create()``: an ASGI app, a filter over ASGI apps, or a server."""
    if node.produces_app:
        return run_in_session(lambda: finish(build_app(node), node.label, node.file).asgi)
    if node.object_type is SERVER:
        return build_server(node)
    built_filter = build_filter(node)

    def asgi_filter(app: Any) -> Any:
        def go() -> Any:
            protocol = app_protocol(app) or "asgi"  # a declaration comes first in app_protocol
            inner = Built(app, protocol, StackNode(kind="app", name=repr(app), protocol=protocol))
            return finish(built_filter.apply(inner), node.label, node.file).asgi

        return run_in_session(go)

    return asgi_filter
