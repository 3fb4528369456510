"""What a load produces: the ASGI app, the fused WSGI app when there is one, and the graph.

``check`` and ``graph`` read :class:`StackNode` trees; servers read
:class:`LoadedStack` to choose between an ASGI and a pure-WSGI interface.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from asgipaste.types import ASGIApp, WSGIApp

__all__ = ["Join", "LoadedStack", "StackNode"]

#: How a node meets its parent: "native" (same protocol), "adapter" (WSGI app
#: served to ASGI: one crossing), "bridge" (ASGI app shown to a WSGI filter or
#: legacy composite).
Join = Literal["native", "adapter", "bridge"]


@dataclass
class StackNode:
    """One layer of a loaded stack, as ``asgipaste graph`` prints it."""

    kind: str  # "app", "composite", "pipeline", "filter", "filter-app", "server", "mount"
    name: str  # section name ("app:main") or URI ("egg:Paste#urlmap")
    protocol: str  # "asgi" or "wsgi"
    file: str | None = None
    line: int | None = None
    label: str = ""  # factory reference, urlmap prefix, ...
    join: Join = "native"
    children: list[StackNode] = field(default_factory=list)
    #: A composite's own keys as the build saw them (``/v2 = api``): the mount keys ``graph`` draws.
    options: tuple[tuple[str, str], ...] = ()

    def walk(self) -> list[StackNode]:
        """This node and all below it, depth first."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out


@dataclass
class LoadedStack:
    """The result of loading one app section.

    ``asgi`` is always usable. ``wsgi`` is set only when the whole tree is WSGI
    all the way down (one fused WSGI component at the root), so a server with a
    WSGI interface (granian) can serve it with no ASGI crossing at all.
    """

    asgi: ASGIApp
    wsgi: WSGIApp | None
    graph: StackNode
    name: str
    file: str | None = None

    def describe(self, *, wsgi_interface: bool = False) -> str:
        """One line for startup banners: the section, the file, the protocol at the root and the crossings.

        >>> root = StackNode("app", "app:main", "wsgi", join="adapter")
        >>> LoadedStack(asgi=None, wsgi=object(), graph=root, name="app:main", file="/srv/a.ini").describe()
        '[app:main] from /srv/a.ini: WSGI all the way down, 1 crossing (WSGI to ASGI at the root)'
        >>> LoadedStack(asgi=None, wsgi=object(), graph=root, name="app:main").describe(wsgi_interface=True)
        '[app:main]: WSGI all the way down, no crossing (served on a WSGI interface)'
        """
        where = f" from {self.file}" if self.file else ""
        nodes = self.graph.walk()
        adapters = sum(1 for node in nodes if node.join == "adapter")
        bridges = sum(1 for node in nodes if node.join == "bridge")
        if self.wsgi is not None:
            if wsgi_interface:
                return f"[{self.name}]{where}: WSGI all the way down, no crossing (served on a WSGI interface)"
            return f"[{self.name}]{where}: WSGI all the way down, 1 crossing (WSGI to ASGI at the root)"
        if wsgi_interface:
            return (
                f"[{self.name}]{where}: mixed, in its WSGI form (served on a WSGI interface): "
                "WSGI branches with no crossing, ASGI parts on a loop of the process's own"
            )
        crossings = adapters + bridges
        detail = f"{adapters} WSGI-to-ASGI, {bridges} ASGI-to-WSGI"
        plural = "" if crossings == 1 else "s"
        # a WSGI root with an ASGI part bridged inside is served through an adapter, not fused
        root = "WSGI at the root, ASGI inside" if self.graph.protocol == "wsgi" else "ASGI at the root"
        return f"[{self.name}]{where}: {root}, {crossings} crossing{plural} ({detail})"
