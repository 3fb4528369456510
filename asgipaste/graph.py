"""Pictures of a loaded stack: text for the terminal, Mermaid and Graphviz DOT for docs.

>>> from asgipaste.stack import StackNode
>>> tree = StackNode("composite", "composite:main", "asgi", label="egg:asgipaste#urlmap", children=[
...     StackNode("app", "app:hello", "wsgi", label="/v1", join="adapter")])
>>> print(render_text(tree))
[ASGI] composite:main  egg:asgipaste#urlmap
└── [WSGI] app:hello  /v1  <= adapter: WSGI app served to ASGI (one crossing)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from asgipaste.stack import LoadedStack, StackNode

__all__ = [
    "JOIN_TEXT",
    "annotate_mounts",
    "render_dot",
    "render_mermaid",
    "render_text",
    "serving_summary",
    "wsgi_form_graph",
]

#: What each join means, as the pictures say it.
JOIN_TEXT = {
    "adapter": "adapter: WSGI app served to ASGI (one crossing)",
    "bridge": "bridge: ASGI app shown to WSGI code",
}

_FILL = {"asgi": "#dcefff", "wsgi": "#fff1cc"}


def _location(node: StackNode) -> str:
    if node.file is None:
        return ""
    return f"{node.file}:{node.line}" if node.line is not None else node.file


def _title(node: StackNode) -> str:
    """``app:main`` as is; ``mount /v2`` when the name does not say its kind."""
    return node.name if node.name.startswith(f"{node.kind}:") else f"{node.kind} {node.name}"


def _head(node: StackNode, *, with_location: bool) -> str:
    parts = [f"[{node.protocol.upper()}] {_title(node)}"]
    if node.label and node.label != node.name:
        parts.append(node.label)
    if with_location and node.file is not None:
        parts.append(f"({_location(node)})")
    if node.join in JOIN_TEXT:
        parts.append(f"<= {JOIN_TEXT[node.join]}")
    return "  ".join(parts)


def render_text(node: StackNode, *, locations: bool = False) -> str:
    """An indented tree, one layer a line, each marked ASGI or WSGI, joins called out.

    ``locations=True`` adds ``(file:line)`` of each section.
    """
    lines = [_head(node, with_location=locations)]

    def walk(children: list[StackNode], prefix: str) -> None:
        for index, child in enumerate(children):
            last = index == len(children) - 1
            lines.append(f"{prefix}{'└── ' if last else '├── '}{_head(child, with_location=locations)}")
            walk(child.children, prefix + ("    " if last else "│   "))

    walk(node.children, "")
    return "\n".join(lines)


def _numbered(node: StackNode) -> Iterator[tuple[str, StackNode, str | None]]:
    """(id, node, parent id) in depth-first order, ids ``n0``, ``n1``, ..."""
    counter = 0

    def visit(current: StackNode, parent: str | None) -> Iterator[tuple[str, StackNode, str | None]]:
        nonlocal counter
        ident = f"n{counter}"
        counter += 1
        yield ident, current, parent
        for child in current.children:
            yield from visit(child, ident)

    yield from visit(node, None)


def _mermaid_text(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(node: StackNode) -> str:
    """A Mermaid ``flowchart``: ASGI and WSGI layers coloured apart, joins as dotted labelled edges."""
    lines = ["flowchart TD"]
    for ident, current, parent in _numbered(node):
        label = _mermaid_text(_title(current))
        if current.label and current.label != current.name:
            label += f"<br/>{_mermaid_text(current.label)}"
        label += f"<br/><b>{current.protocol.upper()}</b>"
        style = f":::{current.protocol}" if current.protocol in _FILL else ""  # "?": not loaded
        lines.append(f'    {ident}["{label}"]{style}')
        if parent is not None:
            if current.join in JOIN_TEXT:
                lines.append(f'    {parent} -. "{current.join}" .-> {ident}')
            else:
                lines.append(f"    {parent} --> {ident}")
    for protocol, fill in _FILL.items():
        lines.append(f"    classDef {protocol} fill:{fill},stroke:#555")
    return "\n".join(lines)


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_dot(node: StackNode) -> str:
    """A Graphviz ``digraph``: ``dot -Tsvg`` draws it; joins are dashed labelled edges."""
    lines = [
        "digraph asgipaste {",
        "    rankdir=TB;",
        '    node [shape=box, style="rounded,filled", fontname="Helvetica"];',
    ]
    for ident, current, parent in _numbered(node):
        note = current.label if current.label != current.name else ""
        parts = [_title(current), note, current.protocol.upper()]
        label = "\\n".join(_dot_text(part) for part in parts if part)
        fill = _FILL.get(current.protocol, "#eeeeee")
        lines.append(f'    {ident} [label="{label}", fillcolor="{fill}"];')
        if parent is not None:
            if current.join in JOIN_TEXT:
                lines.append(f'    {parent} -> {ident} [label="{current.join}", style=dashed];')
            else:
                lines.append(f"    {parent} -> {ident};")
    lines.append("}")
    return "\n".join(lines)


def serving_summary(
    stack: LoadedStack, *, granian_interface: str = "auto", tree: StackNode | None = None
) -> list[str]:
    """What a server does with ``stack``: the joins counted (in ``tree``, the drawn one), and granian's interface.

    ``granian_interface`` is the file's granian ``[server:]`` ``interface`` (``auto`` without one).
    """
    nodes = (tree or stack.graph).walk()
    adapters = sum(1 for item in nodes if item.join == "adapter")
    bridges = sum(1 for item in nodes if item.join == "bridge")
    lines = [f"joins: {adapters} adapter(s), {bridges} bridge(s)"]
    if granian_interface == "asgi":
        lines.append("granian (interface = asgi): served on granian's ASGI interface")
    elif stack.wsgi is None and granian_interface == "wsgi":
        lines.append(
            "granian (interface = wsgi): served on granian's WSGI interface in the tree's WSGI form "
            "(WSGI branches called as they are, ASGI parts bridged to a loop of the process's own)"
        )
    elif stack.wsgi is not None:
        lines.append(
            "granian: WSGI all the way down: served on granian's WSGI interface directly (no ASGI crossing)"
        )
    else:
        lines.append("granian: served on granian's ASGI interface (the tree is not WSGI all the way down)")
    return lines


def _short(name: str) -> str:
    return name.split(":", 1)[1].strip() if ":" in name else name


def _mounted_names(child: StackNode) -> set[str]:
    """The section names a composite's value may use for ``child``.

    An app with ``filter-with`` is drawn as its filter over it, so the value
    (``/x = app``) names the app below the filter(s), not the filter.
    """
    names = {_short(child.name)}
    while child.kind == "filter" and len(child.children) == 1:
        child = child.children[0]
        names.add(_short(child.name))
    return names


#: The factory of asgipaste's own urlmap (``egg:Paste#urlmap`` loads it): the only map with a WSGI form.
_URLMAP_FACTORY = "asgipaste.urlmap:urlmap_factory"


def wsgi_form_graph(node: StackNode) -> StackNode:
    """The tree a WSGI server (granian's ``interface = wsgi``) is given: :func:`asgipaste.urlmap.wsgi.wsgi_form`.

    Urlmaps dispatch in WSGI, WSGI branches are called as they are (their
    adapters gone) and ASGI branches are bridged; any other ASGI root is
    bridged whole.

    >>> tree = StackNode("composite", "composite:main", "asgi", label=_URLMAP_FACTORY, children=[
    ...     StackNode("app", "app:legacy", "wsgi", join="adapter"), StackNode("app", "app:modern", "asgi")])
    >>> print(render_text(wsgi_form_graph(tree)))
    [WSGI] composite:main  asgipaste.urlmap:urlmap_factory (WSGI form)
    ├── [WSGI] app:legacy
    └── [ASGI] app:modern  <= bridge: ASGI app shown to WSGI code
    """
    if node.protocol != "asgi":
        return node
    if node.kind != "composite" or node.label != _URLMAP_FACTORY:
        return replace(node, join="bridge")
    children = []
    for child in node.children:
        if child.protocol == "wsgi":
            children.append(replace(child, join="native"))
        else:
            children.append(wsgi_form_graph(child))
    return replace(node, protocol="wsgi", label=f"{node.label} (WSGI form)", children=children)


def annotate_mounts(node: StackNode) -> StackNode:
    """Show a composite's keys (urlmap prefixes, ``domain`` keys) as ``mount`` layers.

    The key of ``[composite:main]`` that names a child (``/v2 = api``) becomes a
    ``mount /v2`` node above that child (above its ``filter-with`` filter,
    when it has one); composites whose keys are not plain section names
    (nova's ``pipeline_factory``) are left as they are.
    """
    children = [annotate_mounts(child) for child in node.children]
    if node.kind == "composite" and not any(child.kind == "mount" for child in children):
        items = node.options  # recorded by the build: the file is never read again
        mounted: list[StackNode] = []
        used: set[str] = set()  # one app may be mounted under several keys (/v1.1 and /v2)
        for child in children:
            names = _mounted_names(child)
            keys = [
                key for key, value in items
                if value in names and key not in ("use", "next") and key not in used
            ]
            if keys:
                used.add(keys[0])
                # the mount is part of the composite; the join stays where the child meets it
                mounted.append(StackNode("mount", keys[0], node.protocol, children=[child]))
            else:
                mounted.append(child)
        children = mounted
    return replace(node, children=children)
