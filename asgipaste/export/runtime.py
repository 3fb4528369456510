"""What a module written by ``asgipaste export`` runs: its sections as plan nodes, built by the loader's builder.

An exported module writes each INI section down as a function from the
caller's ``global_conf`` to a :class:`~asgipaste.loader.plan.Node` (the
factory already imported, the configuration spelled out), registers it with a
:class:`Sections` (one per INI file the load read), and hands the top node to
:func:`load`. Building is :mod:`asgipaste.loader.build`'s own: each factory
called once in PasteDeploy's order, WSGI and ASGI joined at the same borders
with the same ``wsgi_threads``. Composite factories receive a loader over the
module's sections, so ``loader.get_app("name")`` works with no INI file.

>>> sections = Sections("/srv/app.ini")
>>> @sections.section("app:main")
... def app_main(caller):
...     return sections.factory("app:main", 2, "paste.app_factory", dict, scope({}, caller), {})
>>> node = sections.get_context(APP, "main", {"here": "/srv"})
>>> node.section, node.global_conf, node.file
('app:main', {'here': '/srv'}, '/srv/app.ini')
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any

from asgipaste.errors import ConfigError, ConfigKeyError, ConfigLookupError
from asgipaste.loader.build import build_app, finish, run_in_session
from asgipaste.loader.plan import PROTOCOL_BY_PREFIX, PROTOCOL_BY_TYPE, Loader, Node
from asgipaste.loader.references import APP, FILTER, FactoryRef, ObjectType
from asgipaste.loader.resolve import loadcontext
from asgipaste.stack import LoadedStack

__all__ = ["APP", "FILTER", "Conf", "Node", "Sections", "load", "scope"]

#: What a section function receives: the caller's ``global_conf``
#: (None at the top, or from a composite that passes none).
Conf = Mapping[str, Any] | None

SectionFunction = Callable[[Conf], Node]


def scope(defaults: Mapping[str, Any], caller: Conf, sets: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A section's ``global_conf``, PasteDeploy's rule: the file's defaults, then the caller's, then ``set``.

    >>> scope({"a": "1", "b": "1"}, {"b": "2"}, {"c": "3"})
    {'a': '1', 'b': '2', 'c': '3'}
    """
    conf = dict(defaults)
    if caller is not None:
        conf.update(caller)
    if sets:
        conf.update(sets)
    return conf


def _spec(factory: Any) -> str:
    module = getattr(factory, "__module__", None)
    qualname = getattr(factory, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str):
        return f"{module}:{qualname}"
    return repr(factory)


def _object_type(header: str | None, kind: str | None) -> ObjectType:
    if kind is not None:
        return FILTER if kind == "filter" else APP
    prefix = (header or "").split(":", 1)[0].strip()
    return FILTER if prefix == "filter" else APP


class Sections(Loader):
    """The exported sections of one INI file, found by name as the file's own loader finds them."""

    def __init__(self, filename: str) -> None:
        self.filename: str | None = filename
        self._functions: dict[str, SectionFunction] = {}
        self._index: dict[str, dict[str, list[str]]] = {}

    # -- registration ------------------------------------------------------
    def section(self, header: str) -> Callable[[SectionFunction], SectionFunction]:
        """Register the function that resolves ``[header]``."""

        def register(function: SectionFunction) -> SectionFunction:
            @functools.wraps(function)
            def section(caller: Conf) -> Node:
                try:
                    return function(caller)
                except ConfigError:
                    raise
                except KeyError as exc:  # a get (or an edited GLOBAL_CONF) naming a global nobody gave
                    raise ConfigKeyError(
                        f"[{header}]: no global value {exc.args[0]!r}",
                        file=self.filename,
                        section=header,
                        hint="define it in GLOBAL_CONF, or have the caller pass it in global_conf",
                    ) from None

            self._functions[header] = section
            prefix, sep, name = header.partition(":")
            if sep:
                self._index.setdefault(prefix, {}).setdefault(name.strip(), []).append(header)
            return section

        return register

    def error(self, header: str, line: int | None, message: str) -> ConfigLookupError:
        """The loader's error for a section that did not resolve when it was exported."""
        return ConfigLookupError(message, file=self.filename, section=header, line=line)

    # -- lookup (what composites' loaders call) ------------------------------
    def find_section(self, object_type: ObjectType, name: str | None = None) -> str:
        possible: list[str] = []
        for group in object_type.config_prefixes:
            for prefix in group:
                found: list[str] = []
                if name is None and prefix in self._functions:
                    found.append(prefix)
                found.extend(self._index.get(prefix, {}).get("main" if name is None else name, []))
                if found:
                    possible.extend(found)
                    break
        if not possible and name == "main":
            for group in object_type.config_prefixes:
                possible.extend(p for p in group if p in self._functions)
        if not possible:
            raise ConfigLookupError(
                f"No section {name!r} (prefixed by {object_type.describe_prefixes()}) "
                f"found in config {self.filename} (as exported)",
                file=self.filename,
            )
        if len(possible) > 1:
            raise ConfigLookupError(
                f"Ambiguous section names {possible!r} for section {name!r} "
                f"(prefixed by {object_type.describe_prefixes()}) found in config {self.filename}",
                file=self.filename,
                section=possible[0],
            )
        return possible[0]

    def get_context(self, object_type: ObjectType, name: str | None = None, global_conf: Any = None) -> Node:
        if self.absolute_name(name):
            assert name is not None
            here = os.path.dirname(self.filename or "")
            return loadcontext(object_type, name, relative_to=here, global_conf=global_conf)
        return self._functions[self.find_section(object_type, name)](global_conf)

    # -- nodes ---------------------------------------------------------------
    def factory(
        self,
        header: str | None,
        line: int | None,
        protocol: str | None,
        factory: Any,
        global_conf: Mapping[str, Any],
        local_conf: dict[str, Any],
        *,
        kind: str | None = None,
    ) -> Node:
        """A section naming its factory (``use = egg:``/``call:`` or an explicit ``paste.*`` key)."""
        return Node(
            "factory",
            _object_type(header, kind),
            protocol,
            dict(global_conf),
            dict(local_conf),
            self,
            ref=FactoryRef(_spec(factory)),
            section=header,
            line=line,
            factory=factory,
        )

    def use(
        self,
        node: Node,
        header: str,
        line: int | None,
        conf: Mapping[str, Any],
        sets: Mapping[str, Any],
        local_conf: Mapping[str, Any],
        *,
        kind: str | None = None,
    ) -> Node:
        """``use = other``: the other section's node, with this section's ``set``s and options on top."""
        node.global_conf.update(sets)
        node.local_conf.update(local_conf)
        if "__file__" in conf:
            node.global_conf["__file__"] = conf["__file__"]
        node.loader = self
        if node.section is None:
            node.section = header
        if node.protocol is None:
            object_type = _object_type(header, kind)
            node.protocol = PROTOCOL_BY_PREFIX.get(header.split(":", 1)[0], PROTOCOL_BY_TYPE[object_type.name])
        node.line = node.line or line
        return node

    def pipeline(
        self, header: str, line: int | None, conf: dict[str, Any], *, app: Node, filters: list[Node]
    ) -> Node:
        """``[pipeline:]``: filters outermost first, then the app."""
        node = Node("pipeline", APP, None, conf, {}, self, section=header, line=line)
        node.app_node = app
        node.filter_nodes = filters
        return node

    def filter_app(
        self,
        header: str,
        line: int | None,
        conf: dict[str, Any],
        local_conf: dict[str, Any],
        *,
        next: Node,
        filter: Node,
    ) -> Node:
        """``[filter-app:]``: the filter over ``next``."""
        node = Node("filter-app", APP, None, conf, local_conf, self, section=header, line=line)
        node.next_node = next
        node.filter_node = filter
        return node

    def filter_with(
        self,
        node: Node,
        header: str,
        line: int | None,
        conf: dict[str, Any],
        local_conf: dict[str, Any],
        *,
        filter: Node,
    ) -> Node:
        """``filter-with = name``: the section's node under that filter."""
        wrapper = Node("filter-with", node.object_type, None, conf, local_conf, self, section=header, line=line)
        wrapper.filter_node = filter
        wrapper.next_node = node
        return wrapper

    def __repr__(self) -> str:
        return f"Sections({self.filename!r})"


def load(section: SectionFunction, caller: Conf = None) -> LoadedStack:
    """Resolve the exported top section with the command line's globals and build it as ``loadapp`` does."""
    node = section(caller)
    stack: LoadedStack = run_in_session(lambda: finish(build_app(node), node.label, node.file))
    return stack
