"""URIs (``config:``, ``egg:``, ``call:``), object types and entry-point lookup.

Nothing here imports user code: an ``egg:`` reference resolves to an entry
point (loaded later, at build time) and a ``call:`` reference stays a string.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata as metadata
import re
import sys
from dataclasses import dataclass
from typing import Any

from asgipaste.errors import (
    ConfigDistributionNotFoundError,
    ConfigError,
    ConfigLookupError,
)

__all__ = [
    "APP",
    "CALL_ALIASES",
    "EGG_ALIASES",
    "FILTER",
    "SERVER",
    "FactoryRef",
    "ObjectType",
    "find_entry_point",
    "is_uri",
    "split_uri",
]

_ABSOLUTE_RE = re.compile(r"^[a-zA-Z]+:")


@dataclass(frozen=True)
class ObjectType:
    """What a lookup is for: an application, a filter or a server."""

    name: str
    #: Groups of entry-point protocols; within a group the first found wins,
    #: a name found in two groups is ambiguous (PasteDeploy's rule).
    egg_protocols: tuple[tuple[str, ...], ...]
    #: Groups of section prefixes, with the same rule.
    config_prefixes: tuple[tuple[str, ...], ...]

    def prefixes(self) -> list[str]:
        return [p for group in self.config_prefixes for p in group]

    def protocols(self) -> list[str]:
        return [p for group in self.egg_protocols for p in group]

    def describe_prefixes(self) -> str:
        return " or ".join(repr(p) for p in self.prefixes())

    def __repr__(self) -> str:
        return f"<{self.name}>"


# asgipaste.* groups come first in each group: a distribution that ships both
# a WSGI and a native ASGI factory under one name gets the native one.
APP = ObjectType(
    "application",
    (
        ("asgipaste.app_factory", "paste.app_factory"),
        ("asgipaste.composite_factory", "paste.composite_factory"),
        ("paste.composit_factory",),
    ),
    (("app", "application"), ("composite", "composit"), ("pipeline",), ("filter-app",)),
)
FILTER = ObjectType(
    "filter",
    (
        (
            "asgipaste.filter_factory",
            "asgipaste.filter_app_factory",
            "paste.filter_factory",
            "paste.filter_app_factory",
        ),
    ),
    (("filter",),),
)
SERVER = ObjectType(
    "server",
    (
        (
            "asgipaste.server_factory",
            "asgipaste.server_runner",
            "paste.server_factory",
            "paste.server_runner",
        ),
    ),
    (("server",),),
)

#: Protocols whose factories are native ASGI by declaration.
ASGI_PROTOCOLS = frozenset(p for t in (APP, FILTER, SERVER) for p in t.protocols() if p.startswith("asgipaste."))

#: Protocols whose factories take a loader (PasteDeploy's misspelling included).
COMPOSITE_PROTOCOLS = frozenset(
    {"paste.composite_factory", "paste.composit_factory", "asgipaste.composite_factory"}
)

#: The WSGI building blocks real configs name, served by asgipaste's ASGI
#: equivalents whether or not Paste is installed (Paste's WSGI URLMap must
#: never be picked up by mistake).
EGG_ALIASES: dict[tuple[str, str], tuple[str, str]] = {
    ("paste", "urlmap"): ("asgipaste.composite_factory", "asgipaste.urlmap:urlmap_factory"),
    ("paste", "cascade"): ("asgipaste.composite_factory", "asgipaste.urlmap.cascade:cascade_factory"),
    ("pastedeploy", "prefix"): (
        "asgipaste.filter_app_factory",
        "asgipaste.middleware.prefix:make_prefix_middleware",
    ),
    ("paste", "http"): ("asgipaste.server_factory", "asgipaste.servers.legacy:paste_http_server_factory"),
    ("waitress", "main"): ("asgipaste.server_factory", "asgipaste.servers.legacy:waitress_server_factory"),
    ("gunicorn", "main"): ("asgipaste.server_factory", "asgipaste.servers.legacy:gunicorn_server_factory"),
}
CALL_ALIASES: dict[str, str] = {
    "paste.urlmap:urlmap_factory": "asgipaste.urlmap:urlmap_factory",
    "paste.cascade:make_cascade": "asgipaste.urlmap.cascade:cascade_factory",
    "paste.deploy.config:make_prefix_middleware": "asgipaste.middleware.prefix:make_prefix_middleware",
}


def _normalise_dist(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_uri(name: str | None) -> bool:
    """``letters:`` at the start makes a name a URI (PasteDeploy's rule)."""
    return name is not None and ":" in name and _ABSOLUTE_RE.search(name) is not None


def split_uri(uri: str, name: str | None) -> tuple[str, str, str]:
    """``(scheme, rest, name)``: the fragment gives the name unless ``name=`` did."""
    if "#" in uri:
        if name is None:
            uri, name = uri.split("#", 1)
        else:
            uri = uri.split("#", 1)[0]
    if name is None:
        name = "main"
    if ":" not in uri:
        raise ConfigLookupError(
            f"URI has no scheme: {uri!r}", hint="write config:FILE.ini, egg:DIST or call:MODULE:OBJECT"
        )
    scheme, rest = uri.split(":", 1)
    return scheme.lower(), rest, name


@dataclass(frozen=True)
class FactoryRef:
    """How to reach a factory without importing it yet."""

    spec: str  # "module:attr.path" (call:, explicit keys) or the entry point's value
    entry_point: metadata.EntryPoint | None = None

    def load(self) -> Any:
        if self.entry_point is not None:
            return self.entry_point.load()
        return lookup_object(self.spec)


def lookup_object(spec: str) -> Any:
    """Import ``module:attr.path`` (a bare module path imports the module)."""
    spec = CALL_ALIASES.get(spec, spec)
    module_name, _, target = spec.partition(":")
    module: Any = sys.modules.get(module_name)
    if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
        # Not imported yet (or still importing): the import system. Otherwise this is
        # what import_module would return, without its locking for each of many references.
        module = importlib.import_module(module_name)
    for part in target.split(".") if target else []:
        module = getattr(module, part)
    return module


def find_entry_point(
    dist_spec: str, object_type: ObjectType, name: str
) -> tuple[str, FactoryRef, metadata.Distribution | None]:
    """``(protocol, ref, distribution)`` of entry point ``name`` of ``dist_spec``."""
    dist_spec = dist_spec.strip()
    if not dist_spec:
        raise ConfigLookupError(
            "egg: names no distribution",
            hint="write egg:DISTRIBUTION#entry_point, e.g. egg:Paste#urlmap",
        )
    alias = EGG_ALIASES.get((_normalise_dist(dist_spec), name))
    if alias is not None and alias[0] in object_type.protocols():
        return alias[0], FactoryRef(alias[1]), None
    if any(c in dist_spec for c in "=<>!~ "):
        raise ConfigDistributionNotFoundError(
            f"No package metadata was found for {dist_spec}",
            hint="version pins in egg: URIs are not supported (as in PasteDeploy 3); write egg:NAME",
        )
    try:
        dist = metadata.distribution(dist_spec)
    except (metadata.PackageNotFoundError, ValueError):
        raise ConfigDistributionNotFoundError(
            f"No package metadata was found for {dist_spec}",
            hint=f"install the distribution {dist_spec!r}, or check the spelling of egg:{dist_spec}",
        ) from None
    eps = dist.entry_points
    possible: list[tuple[str, metadata.EntryPoint]] = []
    for group in object_type.egg_protocols:
        for protocol in group:
            found = eps.select(group=protocol, name=name)
            if found:
                possible.append((protocol, next(iter(found))))
                break
    if not possible:
        names = sorted({ep.name for p in object_type.protocols() for ep in eps.select(group=p)})
        close = difflib.get_close_matches(name, names, n=1)
        raise ConfigLookupError(
            f"Entry point {name!r} not found in egg {dist_spec!r} "
            f"(protocols: {', '.join(object_type.protocols())}; entry_points: {', '.join(names)})",
            hint=f"did you mean egg:{dist_spec}#{close[0]}?" if close else None,
        )
    if len(possible) > 1:
        raise ConfigLookupError(
            f"Ambiguous entry points for {name!r} in egg {dist_spec!r} "
            f"(protocols: {', '.join(p for p, _ in possible)})"
        )
    protocol, ep = possible[0]
    return protocol, FactoryRef(ep.value, ep), dist


def check_requirements(spec: str, error: type[ConfigError] = ConfigDistributionNotFoundError) -> None:
    """``require = dist1 dist2``: each distribution must be installed."""
    for dist_name in spec.split():
        try:
            metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            raise error(f"No package metadata was found for {dist_name}") from None
