"""A file's structure read from its text alone, importing nothing: what ``graph`` shows when loading fails.

On a host without the service installed (``cinder``, ``glance``), loading
``api-paste.ini`` stops at the first factory that cannot be imported, and
``graph`` would have nothing to draw. The outline walks the same sections
the loader would: pipelines as their filter chain, ``filter-with`` and
``[filter-app:]`` around their app, a urlmap composite's mounts, and for any
other composite each key whose value names sections of the file (nova's and
cinder's ``pipeline_factory``: ``keystone = cors request_id ... osapi_app``).
Nothing is imported, so no layer's protocol is known: each is ``?``.

>>> from asgipaste.loader.dialect import IniFile
>>> ini = IniFile.from_string(
...     "[composite:main]\\nuse = egg:Paste#urlmap\\n/v2 = api\\n"
...     "[pipeline:api]\\npipeline = auth app\\n"
...     "[filter:auth]\\nuse = egg:service#auth\\n[app:app]\\nuse = egg:service#api\\n", "/srv/api-paste.ini")
>>> from asgipaste.graph import render_text
>>> print(render_text(outline(ini)))
[?] composite:main  egg:Paste#urlmap
└── [?] mount /v2
    └── [?] pipeline:api
        └── [?] filter:auth  egg:service#auth
            └── [?] app:app  egg:service#api
"""

from __future__ import annotations

from asgipaste.loader.dialect import IniFile
from asgipaste.stack import StackNode

__all__ = ["UNKNOWN", "outline"]

#: The protocol of a layer that was not loaded.
UNKNOWN = "?"

_APP_PREFIXES = ("app", "application", "composite", "composit", "pipeline", "filter-app")
_KIND = {"application": "app", "composit": "composite"}
_FACTORY_KEYS = ("use", "paste.app_factory", "paste.composite_factory", "paste.filter_factory",
                 "paste.filter_app_factory")
#: Composite keys that configure the composite rather than name what it dispatches to.
_SETTINGS = frozenset({"use", "not_found_app", "startup_timeout", "shutdown_timeout", "filter-with",
                       *_FACTORY_KEYS})


def outline(ini: IniFile, name: str = "main") -> StackNode:
    """The tree of app ``name`` of ``ini``, each layer of protocol :data:`UNKNOWN`."""
    return _app(ini, name, ())


def _section(ini: IniFile, prefixes: tuple[str, ...], name: str) -> str | None:
    for prefix in prefixes:
        found = ini.find(prefix, name)
        if found:
            return found[0]
    return None


def _factory(ini: IniFile, section: str) -> str:
    values = ini.own_values(section)
    return next((str(values[key]).strip() for key in _FACTORY_KEYS if key in values), "")


def _node(ini: IniFile, section: str, children: list[StackNode]) -> StackNode:
    prefix = section.partition(":")[0].strip()
    return StackNode(
        kind=_KIND.get(prefix, prefix), name=section, protocol=UNKNOWN, file=ini.path,
        line=ini.line_of(section), label=_factory(ini, section), children=children,
    )


def _missing(name: str, what: str) -> StackNode:
    return StackNode(kind="app", name=name, protocol=UNKNOWN, label=what)


def _app(ini: IniFile, name: str, seen: tuple[str, ...]) -> StackNode:
    section = _section(ini, _APP_PREFIXES, name)
    if section is None:
        return _missing(name, "no such app section")
    if section in seen:
        return _missing(name, "cycle")
    seen = (*seen, section)
    values = ini.own_values(section)
    kind = _KIND.get(section.partition(":")[0].strip(), section.partition(":")[0].strip())
    if kind == "pipeline":
        node = _node(ini, section, [_chain(ini, str(values.get("pipeline", "")).split(), seen)])
    elif kind == "filter-app":
        node = _node(ini, section, [_app(ini, str(values.get("next", "")).strip(), seen)])
    elif kind == "composite":
        node = _node(ini, section, _composite_children(ini, section, seen))
    else:
        node = _node(ini, section, [])
    wrapper = str(values.get("filter-with", "")).strip()
    if wrapper:
        outer = _filter(ini, wrapper)
        outer.children = [node]
        return outer
    return node


def _filter(ini: IniFile, name: str) -> StackNode:
    section = _section(ini, ("filter",), name)
    return _node(ini, section, []) if section is not None else _missing(name, "no such filter section")


def _chain(ini: IniFile, names: list[str], seen: tuple[str, ...]) -> StackNode:
    """Filters around the last name's app, outermost first (a pipeline, or a composite's list)."""
    if not names:
        return _missing("(empty)", "nothing named")
    node = _app(ini, names[-1], seen)
    for name in reversed(names[:-1]):
        outer = _filter(ini, name)
        outer.children = [node]
        node = outer
    return node


def _names_sections(ini: IniFile, names: list[str]) -> bool:
    return bool(names) and all(
        _section(ini, ("filter",), name) is not None or _section(ini, _APP_PREFIXES, name) is not None
        for name in names
    )


def _composite_children(ini: IniFile, section: str, seen: tuple[str, ...]) -> list[StackNode]:
    values = ini.own_values(section)
    children = []
    for key, raw in values.items():
        if key in _SETTINGS:
            continue
        names = str(raw).split()
        if "urlmap" in _factory(ini, section).lower():
            if len(names) == 1:  # "/v2 = api", "domain example.com /v2 = api"
                children.append(StackNode("mount", key, UNKNOWN, children=[_app(ini, names[0], seen)]))
        elif _names_sections(ini, names):  # pipeline_factory style: "keystone = authtoken ... app"
            children.append(StackNode("key", key, UNKNOWN, children=[_chain(ini, names, seen)]))
    return children
