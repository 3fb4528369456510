"""The plan: a graph of nodes resolved from INI sections, before any object is built.

A :class:`Node` is what PasteDeploy calls a context: the kind of object, the
factory protocol, the computed ``global_conf``/``local_conf`` and, for
pipelines, filter-apps and ``filter-with``, the nodes below it. Nodes also
know the file, section and line they came from. Resolving imports no user
code (entry points and ``call:`` references stay unloaded until build), so
``asgipaste check`` and ``graph`` are cheap and safe.

Sections become nodes in ``_config`` (one INI file) and ``_schemes`` (URIs).
"""

from __future__ import annotations

import contextvars
import difflib
import os
import sys
from collections.abc import Callable
from typing import Any

from asgipaste.errors import (
    ConfigError,
    ConfigLookupError,
)
from asgipaste.loader.references import (
    APP,
    COMPOSITE_PROTOCOLS,
    FILTER,
    SERVER,
    FactoryRef,
    ObjectType,
    is_uri,
)
from asgipaste.types import Protocol

__all__ = [
    "PROTOCOL_BY_PREFIX",
    "PROTOCOL_BY_TYPE",
    "PROTOCOL_OVERRIDE_KEY",
    "AttrDict",
    "Loader",
    "Node",
    "cycle_text",
    "enter",
    "leave",
]

#: The per-section protocol override, read by the loader and never passed to factories.
PROTOCOL_OVERRIDE_KEY = "asgipaste.protocol"

PROTOCOL_BY_PREFIX = {
    "app": "paste.app_factory",
    "application": "paste.app_factory",
    "composite": "paste.composite_factory",
    "composit": "paste.composite_factory",
    "filter": "paste.filter_factory",
    "filter-app": "paste.filter_factory",
    "server": "paste.server_factory",
}
PROTOCOL_BY_TYPE = {
    APP.name: "paste.app_factory",
    FILTER.name: "paste.filter_factory",
    SERVER.name: "paste.server_factory",
}

_resolving: contextvars.ContextVar[tuple[tuple[str, str, str], ...]] = contextvars.ContextVar(
    "asgipaste_resolving", default=()
)


class AttrDict(dict[str, Any]):
    """``appconfig``'s result: global and local conf merged, local winning."""

    global_conf: dict[str, Any]
    local_conf: dict[str, Any]
    context: Node


class Node:
    """One resolved section (or URI): what to build and with which configuration."""

    def __init__(
        self,
        kind: str,
        object_type: ObjectType,
        protocol: str | None,
        global_conf: dict[str, Any],
        local_conf: dict[str, Any],
        loader: Loader,
        *,
        ref: FactoryRef | None = None,
        section: str | None = None,
        line: int | None = None,
        distribution: Any = None,
        entry_point_name: str | None = None,
        factory: Any = None,
    ) -> None:
        self.kind = kind  # "factory", "pipeline", "filter-app", "filter-with"
        self.object_type = object_type
        self.protocol = protocol
        self.global_conf = global_conf
        self.local_conf = local_conf
        self.loader = loader
        self.ref = ref
        self.section = section
        self.line = line
        self.distribution = distribution
        self.entry_point_name = entry_point_name
        self.wsgi_threads: int | None = None
        self.protocol_override: Protocol | None = None  # asgipaste.protocol = wsgi|asgi
        # Children, by kind.
        self.app_node: Node | None = None  # pipeline: the last item
        self.filter_nodes: list[Node] = []  # pipeline: the filters, outermost first
        self.next_node: Node | None = None  # filter-app, filter-with: what gets filtered
        self.filter_node: Node | None = None  # filter-app, filter-with: the filter
        # An already-imported factory (an exported module's): ``ref`` then only names it.
        self._object: Any = factory
        self._loaded = factory is not None

    @property
    def file(self) -> str | None:
        return self.loader.filename

    @property
    def object(self) -> Any:
        """The factory itself, imported on first access."""
        if not self._loaded:
            if self.ref is None:
                return None
            try:
                self._object = self.ref.load()
            except ConfigError:
                raise
            except (ImportError, AttributeError) as exc:
                raise self.error(
                    ConfigLookupError,
                    f"Cannot import {self.ref.spec!r}: {type(exc).__name__}: {exc}",
                    key=self._factory_key(),
                    hint=_import_hint(exc, self.ref.spec),
                ) from exc
            except Exception as exc:
                raise self.error(
                    ConfigError,
                    f"Importing {self.ref.spec!r} failed: {type(exc).__name__}: {exc}",
                    key=self._factory_key(),
                ) from exc
            self._loaded = True
        return self._object

    @property
    def is_composite(self) -> bool:
        return self.protocol in COMPOSITE_PROTOCOLS

    @property
    def produces_app(self) -> bool:
        """Whether building this node yields an app (rather than a filter or server)."""
        if self.kind in ("pipeline", "filter-app"):
            return True
        if self.kind == "filter-with":
            return self.next_node is not None and self.next_node.produces_app
        return self.object_type is APP

    def _factory_key(self) -> str | None:
        ini = getattr(self.loader, "ini", None)
        if self.section is None or ini is None:
            return None
        options = ini.own_options(self.section)
        if "use" in options:
            return "use"
        return next((k for k in options if k.startswith(("paste.", "asgipaste."))), None)

    def error(
        self, cls: type[ConfigError], message: str, *, key: str | None = None, hint: str | None = None
    ) -> ConfigError:
        line = self.line
        ini = getattr(self.loader, "ini", None)  # file loaders know lines
        if ini is not None and self.section is not None:
            line = ini.line_of(self.section, key) or line
        return cls(message, file=self.file, section=self.section, key=key, line=line, hint=hint)

    def config(self) -> AttrDict:
        conf = AttrDict(self.global_conf)
        conf.update(self.local_conf)
        conf.local_conf = self.local_conf
        conf.global_conf = self.global_conf
        conf.context = self
        return conf

    @property
    def label(self) -> str:
        if self.section is not None:
            return self.section
        if self.ref is not None:
            return self.ref.spec
        return self.kind

    def __repr__(self) -> str:
        where = f" {self.file}" if self.file else ""
        return f"<Node {self.kind} {self.object_type.name} {self.label!r} {self.protocol}{where}>"


def enter(
    key: tuple[str, str, str], describe: Callable[[tuple[str, str, str]], ConfigError]
) -> contextvars.Token[tuple[tuple[str, str, str], ...]]:
    """Mark ``key`` as being resolved; a section that (through use, pipeline, next, ...) needs itself
    raises ``describe(key)``. Pair with :func:`leave` (no context manager: this is the loader's hot path)."""
    stack = _resolving.get()
    if key in stack:
        raise describe(key)
    return _resolving.set((*stack, key))


def leave(token: contextvars.Token[tuple[tuple[str, str, str], ...]]) -> None:
    _resolving.reset(token)


def cycle_text(key: tuple[str, str, str]) -> str:
    stack = _resolving.get()
    chain = [f"[{s}]" for (_, s, _) in stack[stack.index(key) :]] + [f"[{key[1]}]"]
    return " -> ".join(chain)


class Loader:
    """What a composite factory receives as ``loader`` (PasteDeploy's ``_Loader``)."""

    filename: str | None = None

    def get_context(self, object_type: ObjectType, name: str | None = None, global_conf: Any = None) -> Node:
        raise NotImplementedError

    def app_context(self, name: str | None = None, global_conf: Any = None) -> Node:
        return self.get_context(APP, name=name, global_conf=global_conf)

    def filter_context(self, name: str | None = None, global_conf: Any = None) -> Node:
        return self.get_context(FILTER, name=name, global_conf=global_conf)

    def server_context(self, name: str | None = None, global_conf: Any = None) -> Node:
        return self.get_context(SERVER, name=name, global_conf=global_conf)

    def absolute_name(self, name: str | None) -> bool:
        return is_uri(name)


def _import_hint(exc: BaseException, spec: str) -> str:
    """What to fix, from which part of ``module:attr`` failed.

    >>> _import_hint(ModuleNotFoundError("No module named 'lxml'", name="lxml"), "myapp.views:app")
    "'myapp.views' was found, but importing it needs 'lxml', which is not installed: install it"
    >>> _import_hint(AttributeError("module 'json' has no attribute 'lods'"), "json:lods")
    "module 'json' has no 'lods': check the name after ':' (did you mean 'loads'?)"
    """
    module, _, target = spec.partition(":")
    if isinstance(exc, ModuleNotFoundError) and exc.name and not _names_a_part(exc.name, module):
        # The factory's own module exists; something it imports does not.
        return f"{module!r} was found, but importing it needs {exc.name!r}, which is not installed: install it"
    if isinstance(exc, AttributeError) and target and module in sys.modules:
        found: Any = sys.modules[module]
        if getattr(found, "__file__", None) is None and hasattr(found, "__path__"):
            where = ", ".join(found.__path__)
            return (
                f"{module!r} was imported as a bare directory ({where}), not as a package: a directory of "
                "that name on sys.path hides the installed one; run from another directory"
            )
        parts = target.split(".")
        for depth, part in enumerate(parts):
            if not hasattr(found, part):
                owner = ".".join([module, *parts[:depth]])
                close = difflib.get_close_matches(part, [n for n in dir(found) if not n.startswith("_")], n=1)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                return f"module {owner!r} has no {part!r}: check the name after ':'{guess}"
            found = getattr(found, part)
    hint = "check the module path and that its package is installed"
    if isinstance(exc, ModuleNotFoundError):
        from asgipaste._imports import searched

        cwd = os.getcwd()
        where = "is" if searched(cwd) else "is not"
        hint += (
            f"; the working directory ({cwd}) {where} searched for modules: run from the directory that "
            "holds the module, or add its directory to PYTHONPATH"
        )
    return hint


def _names_a_part(missing: str, module: str) -> bool:
    """Whether ``missing`` is ``module`` or one of its parent packages (the spec itself is wrong)."""
    return module == missing or module.startswith(missing + ".")
