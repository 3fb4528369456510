"""Resolution: sections of INI files and URIs (``config:``, ``egg:``, ``call:``) into plan nodes.

:class:`ConfigLoader` is PasteDeploy's: the sections of one INI file.
:func:`loadcontext` resolves a URI through the scheme registry
(:func:`register_scheme`); ``config:`` URIs come back to a ConfigLoader.

The global/local rules follow PasteDeploy 3.1 exactly (reference §1.5);
deliberate improvements are listed in ``docs/ini-format.md``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from asgipaste.errors import (
    ConfigError,
    ConfigKeyError,
    ConfigLookupError,
    ConfigValueError,
)
from asgipaste.loader.dialect import IniFile, read_ini
from asgipaste.loader.plan import (
    PROTOCOL_BY_PREFIX,
    PROTOCOL_BY_TYPE,
    PROTOCOL_OVERRIDE_KEY,
    Loader,
    Node,
    cycle_text,
    enter,
    leave,
)
from asgipaste.loader.references import (
    APP,
    FILTER,
    SERVER,
    FactoryRef,
    ObjectType,
    check_requirements,
    find_entry_point,
    split_uri,
)
from asgipaste.types import Protocol

__all__ = ["ConfigLoader", "EggLoader", "FuncLoader", "SchemeResolver", "loadcontext", "register_scheme"]


_TYPE_SETS: dict[int, tuple[ObjectType, frozenset[str], frozenset[str]]] = {}


def _type_sets(object_type: ObjectType) -> tuple[ObjectType, frozenset[str], frozenset[str]]:
    """``(object_type, its protocols, its section prefixes)``, the sets made once: they were
    new lists per section. Keyed by identity (hashing the frozen dataclass walks its
    fields), the type kept alive in the entry."""
    found = _TYPE_SETS.get(id(object_type))
    if found is None or found[0] is not object_type:
        found = _TYPE_SETS[id(object_type)] = (
            object_type,
            frozenset(object_type.protocols()),
            # Empty when a prefix is in two groups: find_config_section's shortcut then never
            # applies (the walk finds such a section twice and calls it ambiguous).
            frozenset(prefixes) if len(set(prefixes := object_type.prefixes())) == len(prefixes) else frozenset(),
        )
    return found


def _protocol_set(object_type: ObjectType) -> frozenset[str]:
    return _type_sets(object_type)[1]


class ConfigLoader(Loader):
    """Sections of one INI file."""

    def __init__(self, filename: str) -> None:
        self.filename = filename = filename.strip()
        self.ini: IniFile = read_ini(os.path.abspath(filename))
        self._refs: dict[str, FactoryRef] = {}  # call: specs already seen in this file
        self._set_get_of: dict[str, str] | None = None  # the defaults view _set_get was read from
        self._set_get: list[str] = []

    def update_defaults(self, new_defaults: dict[str, Any], overwrite: bool = True) -> None:
        self.ini.add_defaults(new_defaults, overwrite=overwrite)

    # -- lookup ----------------------------------------------------------
    def find_config_section(self, object_type: ObjectType, name: str | None = None) -> str:
        if name is not None:
            by_prefix = self.ini.prefixes_of(name)
            if len(by_prefix) == 1:
                # The usual case: one section has the name. The walk would find just it
                # when its prefix is one of the type's (else it raises or tries [app]).
                ((prefix, sections),) = by_prefix.items()
                if len(sections) == 1 and prefix in _type_sets(object_type)[2]:
                    return sections[0]
        return self._walk_sections(object_type, name)

    def _walk_sections(self, object_type: ObjectType, name: str | None) -> str:
        """find_config_section without its shortcut: every prefix group, in order."""
        possible: list[str] = []
        by_prefix = self.ini.prefixes_of("main" if name is None else name)
        if by_prefix or name is None:  # a name no section has: nothing to walk
            for group in object_type.config_prefixes:
                for prefix in group:
                    found: list[str] = []
                    if name is None and self.ini.has_section(prefix):
                        found.append(prefix)
                    found.extend(by_prefix.get(prefix, ()))
                    if found:
                        possible.extend(found)
                        break
        if not possible and name == "main":
            # A bare [app] section is documented as [app:main]; PasteDeploy
            # cannot reach it from loadapp (B3). We can.
            for group in object_type.config_prefixes:
                possible.extend(p for p in group if self.ini.has_section(p))
        if not possible:
            raise self._missing_section(object_type, name)
        if len(possible) > 1:
            raise ConfigLookupError(
                f"Ambiguous section names {possible!r} for section {name!r} "
                f"(prefixed by {object_type.describe_prefixes()}) found in config {self.filename}",
                file=self.filename,
                section=possible[0],
                line=self.ini.line_of(possible[1]),
                hint="rename one of the sections; each name may be used once per kind",
            )
        return possible[0]

    def _missing_section(self, object_type: ObjectType, name: str | None) -> ConfigError:
        hint = None
        names = [n for p in object_type.prefixes() for n in self.ini.names_with_prefix(p)]
        close = difflib.get_close_matches(name or "main", names, n=1, cutoff=0.75)
        if close:
            hint = f"did you mean {close[0]!r}?"
        else:
            for other in (APP, FILTER, SERVER):
                if other is object_type:
                    continue
                for prefix in other.prefixes():
                    if self.ini.find(prefix, name or "main"):
                        hint = (
                            f"{name!r} is a [{prefix}:{name}] section, but a {object_type.name} "
                            f"is needed here"
                        )
                        break
                if hint:
                    break
        if hint is None and object_type is APP and names:
            # Service files (cinder, glance, neutron) have no [app:main]: say what there is.
            listed = ", ".join(sorted(set(names))[:10]) + (", ..." if len(set(names)) > 10 else "")
            hint = (
                f"the apps in this file: {listed}; name one (FILE#NAME on the command line, "
                "ASGIPASTE_APP under uvicorn, name= in loadapp)"
            )
        return ConfigLookupError(
            f"No section {name!r} (prefixed by {object_type.describe_prefixes()}) "
            f"found in config {self.filename}",
            file=self.filename,
            hint=hint,
        )

    def get_context(self, object_type: ObjectType, name: str | None = None, global_conf: Any = None) -> Node:
        if self.absolute_name(name):
            assert name is not None
            return loadcontext(object_type, name, relative_to=self.ini.here, global_conf=global_conf)
        section = self.find_config_section(object_type, name=name)
        key = (self.ini.path, section, object_type.name)
        token = enter(key, self._cycle)
        try:
            return self._section_context(object_type, section, global_conf)
        finally:
            leave(token)

    def _cycle(self, key: tuple[str, str, str]) -> ConfigError:
        section = key[1]
        return ConfigError(
            f"Configuration cycle: {cycle_text(key)}",
            file=self.filename,
            section=section,
            line=self.ini.line_of(section),
            hint="a section reaches itself through use, pipeline, next or filter-with",
        )

    # -- one section -----------------------------------------------------
    def _section_context(self, object_type: ObjectType, section: str, caller_conf: Any) -> Node:
        ini = self.ini
        defaults = ini.defaults_view()  # read only here; global_conf is the copy
        global_conf: dict[str, Any] = defaults.copy()
        if caller_conf is not None:
            global_conf.update(caller_conf)
        local_conf: dict[str, Any] = {}
        global_additions: dict[str, Any] = {}
        get_from_globals: dict[str, str] = {}
        own = ini.own_values(section)
        # configparser's options(): the section's keys, then DEFAULT's; of DEFAULT's own
        # keys only a "set"/"get" one (rare) does anything here, the rest are skipped below.
        options = list(own)
        if defaults is not self._set_get_of:  # new defaults: find their set/get keys once, not per section
            self._set_get_of = defaults
            self._set_get = [k for k in defaults if k.startswith(("set ", "get "))]
        if self._set_get:
            options += [k for k in self._set_get if k not in own]
        for option in options:
            head = option[:4]
            if head == "set ":
                name = option[4:].strip()
                global_additions[name] = global_conf[name] = ini.get(section, option)
            elif head == "get ":
                get_from_globals[option[4:].strip()] = ini.get(section, option)
            elif option in defaults:
                continue  # a global option: never local (PasteDeploy's rule, B1)
            else:
                raw = own[option]  # ini.get's own shortcut, without the lookup
                local_conf[option] = raw if type(raw) is str and "%" not in raw else ini.get(section, option)
        for local_var, glob_var in get_from_globals.items():
            if glob_var not in global_conf:
                raise ini.error(
                    ConfigKeyError,
                    f"get {local_var} = {glob_var}: no global value {glob_var!r}",
                    section,
                    f"get {local_var}",
                    hint=f"define {glob_var} in [DEFAULT], with 'set {glob_var} = ...', or pass it as a global",
                )
            local_conf[local_var] = global_conf[glob_var]
        filter_with = None
        if "filter-with" in local_conf and object_type in (APP, FILTER):  # rare key first: == on types is slow
            filter_with = local_conf.pop("filter-with")
        if "require" in local_conf:
            try:
                check_requirements(local_conf.pop("require"))
            except ConfigError as exc:
                raise ini.error(type(exc), exc.message, section, "require") from None
        # The membership tests first: most sections have neither key, and these run once per section.
        wsgi_threads = None
        protocol_override = None
        if object_type is not SERVER:
            if "wsgi_threads" in local_conf:
                wsgi_threads = self._pop_threads(section, local_conf)
            if PROTOCOL_OVERRIDE_KEY in local_conf:
                protocol_override = self._pop_protocol(section, local_conf)

        if section.startswith("filter-app:"):
            node = self._filter_app_context(section, global_conf, local_conf, global_additions)
        elif section.startswith("pipeline:"):
            node = self._pipeline_context(section, global_conf, local_conf)
        elif "use" in local_conf:
            node = self._context_from_use(object_type, local_conf, global_conf, global_additions, section)
        else:
            node = self._context_from_explicit(object_type, local_conf, global_conf, section)
        if wsgi_threads is not None:
            node.wsgi_threads = wsgi_threads
        if protocol_override is not None:
            node.protocol_override = protocol_override
        node.line = node.line or ini.line_of(section)

        if filter_with is not None:
            wrapper = Node(
                "filter-with",
                object_type,
                None,
                global_conf,
                local_conf,
                self,
                section=section,
                line=ini.line_of(section, "filter-with"),
            )
            try:
                wrapper.filter_node = self.get_context(FILTER, name=filter_with, global_conf=global_conf)
            except ConfigError as exc:
                raise self._locate(exc, section, "filter-with", filter_with) from None
            wrapper.next_node = node
            return wrapper
        return node

    def _pop_protocol(self, section: str, local_conf: dict[str, Any]) -> Protocol | None:
        """``asgipaste.protocol = wsgi|asgi``: what the section's object speaks, for the rare
        object the rule gets wrong (an undeclared ASGI app of unusual shape)."""
        if PROTOCOL_OVERRIDE_KEY not in local_conf:
            return None
        raw = str(local_conf.pop(PROTOCOL_OVERRIDE_KEY)).strip().lower()
        if raw not in ("wsgi", "asgi"):
            raise self.ini.error(
                ConfigValueError,
                f"{PROTOCOL_OVERRIDE_KEY} must be 'wsgi' or 'asgi', not {raw!r}",
                section,
                PROTOCOL_OVERRIDE_KEY,
                hint="leave it out to let the loader decide: WSGI unless the object is positively ASGI",
            )
        return "wsgi" if raw == "wsgi" else "asgi"

    def _pop_threads(self, section: str, local_conf: dict[str, Any]) -> int | None:
        if "wsgi_threads" not in local_conf:
            return None
        raw = local_conf.pop("wsgi_threads")
        try:
            value = int(raw)
        except ValueError:
            value = -1
        if value < 0:
            raise self.ini.error(
                ConfigValueError,
                f"wsgi_threads must be a whole number >= 0, not {raw!r}",
                section,
                "wsgi_threads",
                hint="0 runs the WSGI code on the event loop (only for code that never blocks)",
            )
        return value

    def _context_from_use(
        self,
        object_type: ObjectType,
        local_conf: dict[str, Any],
        global_conf: dict[str, Any],
        global_additions: dict[str, Any],
        section: str,
    ) -> Node:
        use = local_conf.pop("use")
        protocols = _protocol_set(object_type)
        clash = [k for k in local_conf if k in protocols]
        if clash:
            raise self.ini.error(
                ConfigLookupError,
                f"Section [{section}] has both 'use' and {clash[0]!r}",
                section,
                clash[0],
                hint="keep one way of naming the factory: 'use = ...' or the explicit protocol key",
            )
        node = self._call_node(object_type, use, global_conf)
        if node is None:
            try:
                node = self.get_context(object_type, name=use, global_conf=global_conf)
            except ConfigError as exc:
                raise self._locate(exc, section, "use", use) from None
        node.global_conf.update(global_additions)
        node.local_conf.update(local_conf)
        if "__file__" in global_conf:
            # use sections do not overwrite the original __file__
            node.global_conf["__file__"] = global_conf["__file__"]
        node.loader = self
        if node.section is None:
            node.section = section
        if node.protocol is None:
            prefix = section.split(":", 1)[0]
            node.protocol = PROTOCOL_BY_PREFIX.get(prefix, PROTOCOL_BY_TYPE[object_type.name])
        return node

    def _call_node(self, object_type: ObjectType, use: str, global_conf: dict[str, Any]) -> Node | None:
        """``use = call:module:object`` without the trip through get_context, loadcontext
        and a FuncLoader (the usual line, once per section): the node _loadfunc would make.
        None leaves every other form, and a ``call`` scheme registered anew, to that trip."""
        if not use.startswith("call:") or "#" in use or _SCHEMES.get("call") is not _loadfunc:
            return None
        kind = type(self)
        if kind.get_context is not ConfigLoader.get_context or kind.absolute_name is not Loader.absolute_name:
            return None  # a subclass that resolves names its own way
        spec = use[5:]
        if ":" not in spec:
            return None  # FuncLoader's error, located by the caller
        refs = self._refs
        ref = refs.get(spec)
        if ref is None:
            ref = refs[spec] = FactoryRef(spec)  # immutable: shared by the sections naming it
        # The loader is replaced by this one in _context_from_use, as it would be the FuncLoader.
        return _factory_node(object_type, global_conf, self, ref)

    def _locate(self, exc: ConfigError, section: str, key: str, value: str) -> ConfigError:
        """Say which key of which section led to an error raised below it."""
        if exc.section is not None and (exc.section != section or exc.file != self.filename):
            return exc  # located in a section of its own (here or in an included file)
        if exc.file not in (None, self.filename) and exc.line is not None:
            return exc  # a line of an included file (a parse error, bad UTF-8)
        hint = exc.hint
        if "URI scheme not known" in exc.message:
            scheme, _, rest = value.partition(":")
            hint = (
                f"{value!r} looks like a module path with no scheme; "
                f"write '{key} = call:{scheme}:{rest}' or name an entry point with egg:"
            )
        return type(exc)(
            exc.message,
            file=self.filename,
            section=section,
            key=key,
            line=self.ini.line_of(section, key),
            hint=hint,
        )

    def _context_from_explicit(
        self,
        object_type: ObjectType,
        local_conf: dict[str, Any],
        global_conf: dict[str, Any],
        section: str,
    ) -> Node:
        found = [(p, local_conf[p]) for p in object_type.protocols() if p in local_conf]
        if len(found) > 1:
            raise self.ini.error(
                ConfigLookupError,
                f"Multiple protocols given in section {section!r}: {found!r}",
                section,
                found[1][0],
                hint="a section names its factory once",
            )
        if not found:
            raise self.ini.error(
                ConfigLookupError,
                f"No loader given in section {section!r}",
                section,
                hint=self._no_loader_hint(object_type, section, local_conf),
            )
        protocol, expr = found[0]
        del local_conf[protocol]
        if ":" not in expr:
            raise self.ini.error(
                ConfigLookupError,
                f"{protocol} = {expr!r} is not in the form module:object",
                section,
                protocol,
            )
        return Node(
            "factory",
            object_type,
            protocol,
            global_conf,
            local_conf,
            self,
            ref=FactoryRef(expr),
            section=section,
            line=self.ini.line_of(section, protocol),
        )

    def _no_loader_hint(self, object_type: ObjectType, section: str, local_conf: dict[str, Any]) -> str | None:
        wrong = [
            k for k in local_conf if k.startswith(("paste.", "asgipaste.")) and k.endswith(("_factory", "_runner"))
        ]
        if wrong:
            return f"{wrong[0]} does not make a {object_type.name}; move it to a section of the right kind"
        for key in local_conf:
            for wanted in ("use", "pipeline", "next", "filter-with"):
                if key != wanted and difflib.get_close_matches(key, [wanted], n=1, cutoff=0.6):
                    odd = [f"{c!r} (U+{ord(c):04X})" for c in key if not c.isascii()]
                    note = f"; {key!r} has non-ASCII characters: {', '.join(odd)}" if odd else ""
                    return f"did you mean {wanted!r} instead of {key!r}?{note}"
        return "add 'use = egg:DIST#NAME' (or call:MODULE:FACTORY), or an explicit paste.*_factory key"

    def _filter_app_context(
        self,
        section: str,
        global_conf: dict[str, Any],
        local_conf: dict[str, Any],
        global_additions: dict[str, Any],
    ) -> Node:
        if "next" not in local_conf:
            raise self.ini.error(
                ConfigLookupError,
                f"The [{section}] section in {self.filename} is missing a 'next' setting",
                section,
                hint=self._typo_hint(local_conf, "next"),
            )
        next_name = local_conf.pop("next")
        node = Node("filter-app", APP, None, global_conf, local_conf, self, section=section)
        try:
            node.next_node = self.get_context(APP, next_name, global_conf)
        except ConfigError as exc:
            raise self._locate(exc, section, "next", next_name) from None
        if "use" in local_conf:
            node.filter_node = self._context_from_use(FILTER, local_conf, global_conf, global_additions, section)
        else:
            node.filter_node = self._context_from_explicit(FILTER, local_conf, global_conf, section)
        return node

    def _typo_hint(self, local_conf: dict[str, Any], wanted: str) -> str | None:
        close = difflib.get_close_matches(wanted, list(local_conf), n=1, cutoff=0.7)
        return f"did you mean {wanted!r} instead of {close[0]!r}?" if close else None

    def _pipeline_context(self, section: str, global_conf: dict[str, Any], local_conf: dict[str, Any]) -> Node:
        if "pipeline" not in local_conf:
            raise self.ini.error(
                ConfigLookupError,
                f"The [{section}] section in {self.filename} is missing a 'pipeline' setting",
                section,
                hint=self._typo_hint(local_conf, "pipeline"),
            )
        items = local_conf.pop("pipeline").split()
        if local_conf:
            raise self.ini.error(
                ConfigLookupError,
                f"The [{section}] pipeline section in {self.filename} has extra (disallowed) settings: "
                f"{', '.join(local_conf)}",
                section,
                next(iter(local_conf)),
                hint="only 'pipeline' and 'set NAME' may appear in a pipeline; configure the apps and filters"
                " in their own sections",
            )
        if not items:
            raise self.ini.error(
                ConfigValueError,
                f"The [{section}] section has an empty 'pipeline' setting",
                section,
                "pipeline",
                hint="list the filters, outermost first, and end with the app: pipeline = filter1 filter2 app",
            )
        node = Node("pipeline", APP, None, global_conf, local_conf, self, section=section)
        node.app_node = self._pipeline_item(section, APP, items[-1], global_conf, last=True)
        node.filter_nodes = [self._pipeline_item(section, FILTER, item, global_conf) for item in items[:-1]]
        return node

    def _pipeline_item(
        self, section: str, object_type: ObjectType, item: str, global_conf: dict[str, Any], last: bool = False
    ) -> Node:
        try:
            return self.get_context(object_type, item, global_conf)
        except ConfigLookupError as exc:
            if exc.file != self.filename or not exc.message.startswith("No section"):
                raise self._locate(exc, section, "pipeline", item) from None
            other = FILTER if object_type is APP else APP
            try:
                self.find_config_section(other, item)
            except ConfigError:
                raise self._locate(exc, section, "pipeline", item) from None
            if last:
                message = f"The last item of pipeline [{section}], {item!r}, is a filter, not an app"
                hint = "a pipeline ends with the app the filters wrap: pipeline = filter1 filter2 app"
            else:
                message = f"Pipeline [{section}] names the app {item!r} where a filter belongs"
                hint = "only the last item of a pipeline may be an app; the others must be [filter:] sections"
            raise self.ini.error(ConfigLookupError, message, section, "pipeline", hint=hint) from None


# -- URIs ---------------------------------------------------------------------
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
        return _factory_node(object_type, global_conf, self, FactoryRef(self.spec))

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


def _factory_node(object_type: ObjectType, global_conf: Any, loader: Loader, ref: FactoryRef) -> Node:
    """The node of a ``call:`` reference, as FuncLoader and ConfigLoader's shortcut for it both make it."""
    return Node("factory", object_type, None, dict(global_conf or {}), {}, loader, ref=ref)


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
