"""URI schemes: ``config:``, ``egg:``, ``call:`` and any registered with ``register_scheme``."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from asgipaste._plan import Loader, Node
from asgipaste._uri import FactoryRef, ObjectType, find_entry_point, split_uri
from asgipaste.errors import ConfigLookupError, ConfigValueError

__all__ = ["EggLoader", "FuncLoader", "SchemeResolver", "loadcontext", "register_scheme"]


class EggLoader(Loader):
    """Entry points of one installed distribution."""

    def __init__(self, spec: str) -> None:
        self.spec = spec

    def get_context(self, object_type: ObjectType, name: str | None = None, global_conf: Any = None) -> Node:
        if self.absolute_name(name):
            assert name is not None
            return loadcontext(object_type, name, global_conf=global_conf)
        protocol, ref, dist = find_entry_point(self.spec, object_type, name or "main")
        return Node(
            "factory",
            object_type,
            protocol,
            dict(global_conf or {}),
            {},
            self,
            ref=ref,
            distribution=dist,
            entry_point_name=name or "main",
        )

    def __repr__(self) -> str:
        return f"EggLoader({self.spec!r})"


class FuncLoader(Loader):
    """``call:module:object``."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        if ":" not in spec:
            raise ConfigLookupError(
                "Configuration not in format module:function",
                hint=f"write call:MODULE:FACTORY, e.g. call:{spec}:factory",
            )

    def get_context(self, object_type: ObjectType, name: str | None = None, global_conf: Any = None) -> Node:
        # The protocol follows from where the reference is used (see
        # _context_from_use); top level, from the object type (PasteDeploy
        # only allowed call: as a section's use, B5).
        return Node(
            "factory",
            object_type,
            None,
            dict(global_conf or {}),
            {},
            self,
            ref=FactoryRef(self.spec),
        )

    def __repr__(self) -> str:
        return f"FuncLoader({self.spec!r})"


SchemeResolver = Callable[[ObjectType, str, str, str, "str | None", "dict[str, Any] | None"], Node]


def _loadconfig(
    object_type: ObjectType,
    uri: str,
    path: str,
    name: str,
    relative_to: str | None,
    global_conf: dict[str, Any] | None,
) -> Node:
    isabs = os.path.isabs(path)
    path = path.replace("\\", "/")
    if not isabs:
        if not relative_to:
            raise ConfigValueError(
                f"Cannot resolve relative uri {uri!r}; no relative_to keyword argument given",
                hint="pass relative_to=<directory>, or use an absolute path",
            )
        relative_to = relative_to.replace("\\", "/")
        path = relative_to + path if relative_to.endswith("/") else relative_to + "/" + path
    if path.startswith("///"):
        path = path[2:]
    path = unquote(path)
    from asgipaste._config import ConfigLoader  # the two modules need each other

    loader = ConfigLoader(path)
    if global_conf:
        loader.update_defaults(global_conf, overwrite=False)
    return loader.get_context(object_type, name, global_conf)


def _loadegg(
    object_type: ObjectType,
    uri: str,
    spec: str,
    name: str,
    relative_to: str | None,
    global_conf: dict[str, Any] | None,
) -> Node:
    return EggLoader(spec).get_context(object_type, name, global_conf)


def _loadfunc(
    object_type: ObjectType,
    uri: str,
    spec: str,
    name: str,
    relative_to: str | None,
    global_conf: dict[str, Any] | None,
) -> Node:
    # The protocol stays unset: a section's prefix decides it (use = call:
    # in [composite:x] is a composite), else the builder infers it from the
    # object type wherever the reference stands.
    return FuncLoader(spec).get_context(object_type, name, global_conf)


_SCHEMES: dict[str, SchemeResolver] = {"config": _loadconfig, "egg": _loadegg, "call": _loadfunc}


def register_scheme(scheme: str, resolver: SchemeResolver) -> None:
    """Teach ``loadapp`` a URI scheme (Swift's ``config_dir:``, say).

    ``resolver(object_type, uri, path, name, relative_to, global_conf)`` returns
    a :class:`Node`; it usually delegates to another loader's ``get_context``.
    A ``call:`` resolver keeps the protocol unset until its caller decides it.

    >>> register_scheme("conf", lambda t, uri, path, name, rel, g: _loadconfig(t, uri, path, name, rel, g))
    """
    _SCHEMES[scheme.lower()] = resolver


def loadcontext(
    object_type: ObjectType,
    uri: str,
    name: str | None = None,
    relative_to: str | None = None,
    global_conf: dict[str, Any] | None = None,
) -> Node:
    """Resolve ``uri`` (``config:``, ``egg:``, ``call:``, or a registered scheme) to a node."""
    scheme, path, name = split_uri(uri, name)
    if scheme not in _SCHEMES:
        raise ConfigLookupError(
            f"URI scheme not known: {scheme!r} (from {', '.join(_SCHEMES)})",
            hint=f"known schemes: {', '.join(s + ':' for s in _SCHEMES)}",
        )
    return _SCHEMES[scheme](object_type, uri, path, name, relative_to, global_conf)
