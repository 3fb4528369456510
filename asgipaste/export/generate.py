"""Write an INI file's app section down as a Python module (``asgipaste export``).

The module holds one function per section (the file's app, composite,
pipeline, filter-app and filter sections, and those of files it ``use``\\ s),
each computing the section's node from its caller's ``global_conf`` by
PasteDeploy's rules, with the factory imported directly and the options
written out. Values from ``[DEFAULT]``, ``set`` and the command line are
lookups in one ``GLOBAL_CONF`` mapping. Building is left to
:mod:`asgipaste.export.runtime`, that is, to the loader's own builder.

Nothing is imported or called while exporting: sections are resolved the way
``asgipaste check`` resolves them, and each is validated by the loader itself
(a section that does not resolve is written as one that raises the loader's
error when asked for).
"""

from __future__ import annotations

import keyword
import os
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from asgipaste.errors import ConfigError, ConfigKeyError, ConfigValueError
from asgipaste.loader.plan import PROTOCOL_BY_PREFIX, PROTOCOL_BY_TYPE, PROTOCOL_OVERRIDE_KEY
from asgipaste.loader.references import (
    APP,
    CALL_ALIASES,
    FILTER,
    ObjectType,
    find_entry_point,
    is_uri,
    split_uri,
)
from asgipaste.loader.resolve import ConfigLoader, loadcontext

__all__ = ["export_source"]

_INTERPOLATION = re.compile(r"%\(([^)]+)\)s|%%|[^%]+|%")
_RUNTIME_NAMES = ("Conf", "Node", "Sections", "load", "scope")
_RESERVED = {
    "GLOBAL_CONF", "CALLER", "stack", "app", "wsgi_app", "caller", "conf", "sets", "local_conf", "node",
    *_RUNTIME_NAMES,
}  # fmt: skip


class _Code(str):
    """Python source, written as is (a plain ``str`` is written as a literal)."""


def _lit(value: Any) -> str:
    if isinstance(value, _Code):
        return str(value)
    if isinstance(value, str):
        text = repr(value)
        if text.startswith("'") and '"' not in value and "\\" not in text:
            text = '"' + text[1:-1] + '"'
        return text
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_lit(k)}: {_lit(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _dict(items: dict[str, Any], indent: str) -> str:
    one_line = _lit(items)
    if len(indent) + len(one_line) < 96 or not items:
        return one_line
    inner = indent + "    "
    lines = [f"{inner}{_lit(k)}: {_long(v, inner, len(_lit(k)) + 2)}," for k, v in items.items()]
    return "{\n" + "\n".join(lines) + f"\n{indent}}}"


def _long(value: Any, indent: str, used: int) -> str:
    """A literal; a string too long for one line is written a piece a line (a line of it, or a path part)."""
    text = _lit(value)
    if not isinstance(value, str) or isinstance(value, _Code) or len(indent) + used + len(text) < 110:
        return text
    pieces = value.splitlines(keepends=True)
    if len(pieces) < 2:
        pieces = []
        for part in re.findall(r"[^/ ]*(?:[/ ]|$)", value):
            if pieces and len(pieces[-1]) + len(part) < 70:
                pieces[-1] += part
            elif part:
                pieces.append(part)
    if len(pieces) < 2:
        return text
    inner = indent + "    "
    return "(\n" + "".join(f"{inner}{_lit(piece)}\n" for piece in pieces) + f"{indent})"


def _sole_argument(literal: str) -> str:
    """``(literal)`` for a call; a literal already written in parentheses (a long path) lends them."""
    return literal if literal.startswith("(\n") else f"({literal})"


def _identifier(text: str) -> str:
    name = re.sub(r"\W+", "_", text.strip()).strip("_").lower() or "section"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = "s_" + name
    return name


class _Call:
    """A call written one argument a line when it does not fit on one."""

    def __init__(self, function: str, positional: list[Any], keywords: list[tuple[str, Any]]) -> None:
        self.function = function
        self.positional = positional
        self.keywords = keywords

    def format(self, indent: str) -> str:
        inner = indent + "    "
        args = [_format(a, inner) for a in self.positional] + [f"{k}={_format(v, inner)}" for k, v in self.keywords]
        one_line = f"{self.function}({', '.join(args)})"
        if "\n" not in one_line and len(indent) + len(one_line) < 100:
            return one_line
        return f"{self.function}(\n" + "".join(f"{inner}{a},\n" for a in args) + f"{indent})"


class _List:
    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def format(self, indent: str) -> str:
        inner = indent + "    "
        items = [_format(i, inner) for i in self.items]
        one_line = "[" + ", ".join(items) + "]"
        if "\n" not in one_line and len(indent) + len(one_line) < 90:
            return one_line
        return "[\n" + "".join(f"{inner}{i},\n" for i in items) + f"{indent}]"


def _format(value: Any, indent: str) -> str:
    if isinstance(value, _Call | _List):
        return value.format(indent)
    return str(value)


class _Globals:
    """``GLOBAL_CONF``: one key per global value; a name with two values gets ``name@where`` for the second."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.origins: dict[str, str] = {}

    def key(self, name: str, value: Any, origin: str) -> str:
        key = name
        count = 1
        while key in self.values and self.values[key] != value:
            count += 1
            key = f"{name}@{origin}" if count == 2 else f"{name}@{origin}#{count}"
        if key not in self.values:
            self.values[key] = value
            self.origins[key] = origin
        return key

    def ref(self, name: str, value: Any, origin: str) -> _Code:
        return _Code(f"GLOBAL_CONF[{_lit(self.key(name, value, origin))}]")


@dataclass
class _File:
    loader: ConfigLoader
    var: str  # its Sections
    defaults_var: str
    label: str  # as comments name it
    prefix: str  # of its function names
    defaults: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, str] = field(default_factory=dict)


class _Imports:
    def __init__(self) -> None:
        self.modules: dict[str, str] = {}  # module -> name bound

    def expression(self, spec: str) -> str:
        """Code for ``module:attr.path``; the module's name is filled in by :meth:`resolve`."""
        module, _, target = spec.partition(":")
        module = module.strip()
        self.modules.setdefault(module, module)
        return f"\x00{module}\x00" + ("." + target.strip() if target.strip() else "")

    def lines(self, taken: set[str]) -> list[str]:
        """The import statements; a module whose name the module itself uses is imported under an alias."""
        out = []
        for module in sorted(self.modules, key=str.lower):
            top = module.split(".", 1)[0]
            if top in taken:
                alias = _identifier(module) + "_module"
                out.append(f"import {module} as {alias}")
                self.modules[module] = alias
            else:
                out.append(f"import {module}")
        return out

    def resolve(self, text: str) -> str:
        return re.sub("\x00([^\x00]+)\x00", lambda match: self.modules[match.group(1)], text)


class Exporter:
    def __init__(self, path: str, name: str | None, global_conf: dict[str, Any] | None) -> None:
        self.path = os.path.abspath(path)
        self.name = name
        self.vars = dict(global_conf or {})
        self.globals = _Globals()
        self.imports = _Imports()
        self.files: dict[str, _File] = {}
        self.function_names: set[str] = set(_RESERVED)
        self.top = ""

    # -- files -------------------------------------------------------------
    def _file(self, path: str, caller: dict[str, Any] | None) -> _File:
        if path in self.files:
            return self.files[path]
        loader = ConfigLoader(path)
        if caller:
            loader.update_defaults(caller, overwrite=False)
        n = len(self.files) + 1
        main = n == 1
        label = os.path.basename(path) if main else os.path.relpath(path, os.path.dirname(self.path))
        f = _File(
            loader,
            var="sections" if main else f"sections_{n}",
            defaults_var="DEFAULTS" if main else f"DEFAULTS_{n}",
            label=label,
            prefix="" if main else _identifier(os.path.splitext(os.path.basename(path))[0]) + "__",
        )
        self.files[path] = f
        origin = "DEFAULT" if main else f"{label}[DEFAULT]"
        f.defaults = {k: self.globals.ref(k, v, origin) for k, v in loader.ini.defaults().items()}
        return f

    # -- the whole module ----------------------------------------------------
    def source(self) -> str:
        # The loader's own resolution first: a bad file or section is its located error.
        loadcontext(APP, f"config:{self.path}", name=self.name, global_conf=self.vars or None)
        for key, value in self.vars.items():
            self.globals.key(key, value, "command line")
        main = self._file(self.path, self.vars)
        self.top = main.loader.find_config_section(APP, self.name or "main")
        self._emit_all(main, self.vars or None)
        return self._module(main, self.top)

    def _emit_all(self, f: _File, caller: dict[str, Any] | None) -> None:
        """Every app and filter section of a file: its composites may ask for any of them by name."""
        for header in f.loader.ini.sections():
            object_type = _section_type(header)
            if object_type is None:
                continue
            try:
                f.loader._section_context(object_type, header, caller)
            except ConfigKeyError as exc:
                if not (exc.key or "").startswith("get "):  # a get depends on the caller: fine here
                    self._broken(f, header, exc)
                    continue
            except ConfigError as exc:
                self._broken(f, header, exc)
                continue
            try:
                self._emit(f, header)
            except ConfigError as exc:
                self._broken(f, header, exc)

    def _broken(self, f: _File, header: str, exc: ConfigError) -> None:
        """A section that does not resolve: asking for it raises the loader's error (the top one is an error now)."""
        if header == self.top and f.var == "sections":
            raise exc
        name = f.functions.get(header) or self._function_name(f, header)
        f.functions[header] = name
        line = exc.line if exc.file == f.loader.filename and exc.line else f.loader.ini.line_of(header)
        message = exc.message.replace("\n", " ")
        f.blocks[header] = "\n".join(
            [
                f"# [{header}] {f.label}, line {line}: does not resolve; asking for it raises the loader's error",
                f"@{f.var}.section({_lit(header)})",
                f"def {name}(caller: Conf) -> Node:",
                f"    raise {f.var}.error({_lit(header)}, {line}, {_lit(message)})",
                "",
            ]
        )

    def _global_conf(self, main: _File) -> list[str]:
        """``GLOBAL_CONF``, grouped by where each value came from."""

        def where(origin: str) -> tuple[int, str]:
            if origin == "DEFAULT":
                return 0, f"[DEFAULT] of {main.label}, with here and __file__"
            if origin == "command line":
                return 3, "var=value on the command line"
            if origin.endswith("[DEFAULT]"):
                return 1, f"[DEFAULT] of {origin.removesuffix('[DEFAULT]')}"
            if origin.endswith("]") and "[" in origin:
                label, _, header = origin[:-1].rpartition("[")
                return 2, f"set in [{header}] of {label}"
            return 2, f"set in [{origin}]"

        groups: dict[tuple[int, str], list[str]] = {}
        for key, value in self.globals.values.items():
            literal = _long(value, "    ", len(_lit(key)) + 2)
            groups.setdefault(where(self.globals.origins[key]), []).append(f"    {_lit(key)}: {literal},")
        if not groups:
            return ["GLOBAL_CONF = {}"]
        lines = ["GLOBAL_CONF = {"]
        for (_, comment), items in sorted(groups.items(), key=lambda group: group[0][0]):
            lines += [f"    # {comment}", *items]
        return [*lines, "}"]

    def _module(self, main: _File, top: str) -> str:
        taken = set(self.function_names)
        for f in self.files.values():
            taken |= {f.var, f.defaults_var}
        imports = self.imports.lines(taken)
        uri = f"config:{self.path}" + (f"#{self.name}" if self.name else "")
        given = " with the command line's globals (CALLER)" if self.vars else ""
        out = [
            f'"""[{top}] of {main.label}, written down by ``asgipaste export`` from',
            "",
            f"    {uri}",
            "",
            f"Importing this module builds what loading that section{given} builds:",
            "the same factories, called with the same configuration in the same order,",
            "joined at the same WSGI/ASGI borders; no INI file is read. ``app`` is the",
            "ASGI app; ``wsgi_app`` exists when the stack is WSGI all the way down.",
            "To keep a secret out of this file, read it from the environment in",
            '``GLOBAL_CONF`` (``"db_password": os.environ["DB_PASSWORD"]``, with ``import os``).',
            '"""',
            "",
            *imports,
            "from asgipaste.export.runtime import " + ", ".join(_RUNTIME_NAMES),
            "",
            "#: Every value from [DEFAULT], `set` or the command line (var=value), here and __file__ included.",
            *self._global_conf(main),
        ]
        for f in self.files.values():
            out += [
                "",
                f"#: [DEFAULT] of {f.label}: the globals each of its sections starts from.",
                f"{f.defaults_var} = " + _dict(f.defaults, ""),
                f"{f.var} = Sections{_sole_argument(_long(f.loader.filename, '', len(f.var) + 13))}",
            ]
            for header in f.loader.ini.sections():
                if header in f.blocks:
                    out += ["", "", f.blocks[header].rstrip("\n")]
        out += ["", ""]
        top_function = main.functions[top]
        if self.vars:
            caller = {k: self.globals.ref(k, v, "command line") for k, v in self.vars.items()}
            out += [
                "#: global_conf given on the command line.",
                "CALLER = " + _dict(caller, ""),
                f"stack = load({top_function}, CALLER)",
            ]
        else:
            out.append(f"stack = load({top_function})")
        out += [
            "app = stack.asgi",
            "if stack.wsgi is not None:  # WSGI all the way down",
            "    wsgi_app = stack.wsgi",
            "",
        ]
        text = self.imports.resolve("\n".join(out))
        return text.replace("\n\n\n\n", "\n\n\n")

    # -- one section ---------------------------------------------------------
    def _function_name(self, f: _File, header: str) -> str:
        base = f.prefix + _identifier(header)
        name = base
        n = 1
        while name in self.function_names:
            n += 1
            name = f"{base}_{n}"
        self.function_names.add(name)
        return name

    def _emit(self, f: _File, header: str) -> str:
        if header in f.functions:
            return f.functions[header]
        name = self._function_name(f, header)
        f.functions[header] = name
        ini = f.loader.ini
        object_type = _section_type(header) or APP
        prefix = header.split(":", 1)[0]
        defaults = ini.defaults()
        origin = header if f.prefix == "" else f"{f.label}[{header}]"
        sets: dict[str, Any] = {}
        concrete_sets: dict[str, Any] = {}
        gets: dict[str, str] = {}
        local: dict[str, Any] = {}
        plain: dict[str, str] = {}
        for option in ini.options(header):
            if option.startswith("set "):
                key = option[4:].strip()
                value = ini.get(header, option)
                sets[key] = self.globals.ref(key, value, origin)
                concrete_sets[key] = value
            elif option.startswith("get "):
                gets[option[4:].strip()] = ini.get(header, option)
            elif option in defaults:
                continue
            else:
                plain[option] = ini.get(header, option)
                local[option] = self._value(f, header, option, plain[option])
        for local_var, glob_var in gets.items():
            local[local_var] = _Code(f"conf[{_lit(glob_var)}]")
        concrete_conf = {**defaults, **self.vars, **concrete_sets}

        def pop(key: str) -> str | None:
            local.pop(key, None)
            return plain.pop(key, None)

        filter_with = pop("filter-with")
        pop("require")  # checked when exported, as the loader checks it
        threads = pop("wsgi_threads")
        protocol_override = pop(PROTOCOL_OVERRIDE_KEY)
        line = ini.line_of(header)
        s = f.var
        body: list[str] = []
        if sets:
            body.append(f"sets = {_dict(sets, '    ')}")
            body.append(f"conf = scope({f.defaults_var}, caller, sets)")
        else:
            body.append(f"conf = scope({f.defaults_var}, caller)")
        sets_code = _Code("sets" if sets else "{}")
        what = ""
        node: _Call
        filter_call: Any
        wrapper_dicts = ("conf", "local_conf")
        if prefix == "filter-app":
            next_name = pop("next") or ""
            use = pop("use")
            if use is not None:
                filter_call = self._use(f, header, FILTER, use, sets_code, concrete_conf, None, kind="filter")
                what = f": filter {use} over {next_name}"
                dicts = ("conf", "local_conf")
            else:
                filter_call, spec = self._explicit(f, header, FILTER, local, plain, kind="filter")
                what = f": filter {spec} over {next_name}"
                # As the loader builds it, the section shares its filter's configuration.
                dicts = ("filter_node.global_conf", "filter_node.local_conf")
            next_call = self._ref(f, APP, next_name, concrete_conf)
            body.append(f"local_conf = {_dict(local, '    ')}")
            if dicts[0] != "conf":
                body.append("filter_node = " + filter_call.format("    "))
                filter_call = _Code("filter_node")
            node = _Call(
                f"{s}.filter_app",
                [_lit(header)],
                [("line", line), ("conf", dicts[0]), ("local_conf", dicts[1]), ("next", next_call),
                 ("filter", filter_call)],
            )  # fmt: skip
        elif prefix == "pipeline":
            items = (pop("pipeline") or "").split()
            app_call = self._ref(f, APP, items[-1], concrete_conf)
            filters = _List([self._ref(f, FILTER, item, concrete_conf) for item in items[:-1]])
            keywords: list[tuple[str, Any]] = [("line", line), ("conf", "conf"), ("app", app_call)]
            keywords.append(("filters", filters))
            node = _Call(f"{s}.pipeline", [_lit(header)], keywords)
            what = ": pipeline = " + " ".join(items)
        elif "use" in local:
            use = pop("use") or ""
            body.append(f"local_conf = {_dict(local, '    ')}")
            node = self._use(f, header, object_type, use, sets_code, concrete_conf, line)
            what = f": use = {use}"
        else:
            node, spec = self._explicit(f, header, object_type, local, plain)
            body.append(f"local_conf = {_dict(local, '    ')}")
            what = f": {spec}"
            # As the loader builds it, a filter-with wrapper shares the section's configuration.
            wrapper_dicts = ("node.global_conf", "node.local_conf")
        extras: list[str] = []
        if threads is not None:
            extras.append(f"node.wsgi_threads = {int(threads)}")
        if protocol_override is not None:
            extras.append(f"node.protocol_override = {_lit(protocol_override.strip().lower())}")
        if filter_with is not None:
            if not any(part.startswith("local_conf = ") for part in body):
                body.append(f"local_conf = {_dict(local, '    ')}")
            wrapper = _Call(
                f"{s}.filter_with",
                ["node", _lit(header)],
                [("line", ini.line_of(header, "filter-with")), ("conf", wrapper_dicts[0]),
                 ("local_conf", wrapper_dicts[1]),
                 ("filter", self._ref(f, FILTER, filter_with, concrete_conf))],
            )  # fmt: skip
            what += f" (filter-with = {filter_with})"
            body += ["node = " + node.format("    "), *extras, "return " + wrapper.format("    ")]
        elif extras:
            body += ["node = " + node.format("    "), *extras, "return node"]
        else:
            body.append("return " + node.format("    "))
        comment = [f"# [{header}] {f.label}, line {line}{what}"]
        if len(comment[0]) > 110:
            comment = [f"# [{header}] {f.label}, line {line}", f"#   {what.removeprefix(': ')}"]
        code = [
            *comment,
            f"@{s}.section({_lit(header)})",
            f"def {name}(caller: Conf) -> Node:",
            *("    " + part for part in body),
        ]
        f.blocks[header] = "\n".join(code) + "\n"
        return name

    def _value(self, f: _File, header: str, option: str, value: str) -> Any:
        """A local value; written as GLOBAL_CONF lookups when it interpolates only [DEFAULT] values."""
        ini = f.loader.ini
        raw = ini.get_raw(header, option)
        if "%(" not in raw:
            return value
        own = set(ini.own_options(header))
        pieces: list[tuple[bool, str]] = []  # (is a GLOBAL_CONF lookup, code or literal text)
        produced = ""
        for match in _INTERPOLATION.finditer(raw):
            token, ref = match.group(0), match.group(1)
            if ref is not None:
                if ref in own or ref not in f.defaults:
                    return value
                produced += ini.defaults()[ref]
                pieces.append((True, str(f.defaults[ref])))
                continue
            literal = "%" if token == "%%" else token
            produced += literal
            if pieces and not pieces[-1][0]:
                pieces[-1] = (False, pieces[-1][1] + literal)
            else:
                pieces.append((False, literal))
        if produced != value:
            return value
        return _Code(" + ".join(text if is_code else _lit(text) for is_code, text in pieces))

    def _factory(self, spec: str) -> str:
        return self.imports.expression(CALL_ALIASES.get(spec, spec))

    def _explicit(
        self,
        f: _File,
        header: str,
        object_type: ObjectType,
        local: dict[str, Any],
        plain: dict[str, str],
        *,
        kind: str | None = None,
    ) -> tuple[_Call, str]:
        protocol = next(p for p in object_type.protocols() if p in plain)
        spec = plain.pop(protocol)
        local.pop(protocol)
        line = f.loader.ini.line_of(header, protocol)
        call = self._leaf(f, _lit(header), line, protocol, self._factory(spec), "local_conf", kind)
        return call, f"{protocol} = {spec}"

    def _leaf(
        self, f: _File, header: str, line: int | None, protocol: str | None, factory: str, local: str, kind: str | None
    ) -> _Call:
        keywords: list[tuple[str, Any]] = [
            ("line", line),
            ("protocol", _lit(protocol)),
            ("factory", factory),
            ("global_conf", "conf"),
            ("local_conf", local),
        ]
        if kind:
            keywords.append(("kind", _lit(kind)))
        return _Call(f"{f.var}.factory", [header], keywords)

    def _use(
        self,
        f: _File,
        header: str,
        object_type: ObjectType,
        use: str,
        sets_code: str,
        concrete_conf: dict[str, Any],
        line: int | None,
        *,
        kind: str | None = None,
    ) -> _Call:
        section_line = f.loader.ini.line_of(header)
        if is_uri(use):
            scheme = use.split(":", 1)[0].lower()
            if scheme in ("egg", "call"):
                protocol, factory = self._uri_factory(object_type, use)
                if protocol is None:
                    prefix = header.split(":", 1)[0]
                    protocol = PROTOCOL_BY_PREFIX.get(prefix, PROTOCOL_BY_TYPE[object_type.name])
                return self._leaf(f, _lit(header), line, protocol, factory, "local_conf", kind)
            target = self._ref(f, object_type, use, concrete_conf)
        else:
            target_header = f.loader.find_config_section(object_type, use)
            target = _Code(f"{self._emit(f, target_header)}(conf)")
        keywords: list[tuple[str, Any]] = [
            ("line", section_line),
            ("conf", "conf"),
            ("sets", sets_code),
            ("local_conf", "local_conf"),
        ]
        if kind:
            keywords.append(("kind", _lit(kind)))
        return _Call(f"{f.var}.use", [target, _lit(header)], keywords)

    def _uri_factory(self, object_type: ObjectType, uri: str) -> tuple[str | None, str]:
        scheme, spec, name = split_uri(uri, None)
        if scheme == "call":
            return None, self._factory(spec)
        protocol, ref, _ = find_entry_point(spec, object_type, name)
        ep = ref.entry_point
        if ep is None:  # one of asgipaste's aliases (egg:Paste#urlmap): a module:object reference
            return protocol, self._factory(ref.spec)
        # An entry point is loaded as it is named (no call: aliases).
        return protocol, self.imports.expression(f"{ep.module}:{ep.attr}" if ep.attr else ep.module)

    def _ref(self, f: _File, object_type: ObjectType, name: str, concrete_conf: dict[str, Any]) -> Any:
        """Code for the node ``name`` names where a pipeline, next or filter-with names it."""
        kind = "filter" if object_type is FILTER else "app"
        if not is_uri(name):
            header = f.loader.find_config_section(object_type, name)
            return _Code(f"{self._emit(f, header)}(conf)")
        scheme, rest, section = split_uri(name, None)
        if scheme in ("egg", "call"):
            protocol, factory = self._uri_factory(object_type, name)
            return self._leaf(f, "None", None, protocol, factory, "{}", kind)
        if scheme != "config":
            raise ConfigValueError(
                f"Cannot export a {scheme}: reference ({name!r})",
                file=f.loader.filename,
                hint="only config:, egg: and call: references can be written down as Python",
            )
        path = _config_path(rest, f.loader.ini.here)
        fresh = path not in self.files
        included = self._file(path, concrete_conf)
        if fresh:
            self._emit_all(included, concrete_conf)
        header = included.loader.find_config_section(object_type, section)
        return _Code(f"{self._emit(included, header)}(conf)")


def _config_path(path: str, relative_to: str) -> str:
    """Where ``config:path`` points, as the loader's ``config:`` scheme finds it."""
    path = path.replace("\\", "/")
    if not os.path.isabs(path):
        relative_to = relative_to.replace("\\", "/")
        path = relative_to + path if relative_to.endswith("/") else relative_to + "/" + path
    if path.startswith("///"):
        path = path[2:]
    return os.path.abspath(unquote(path))


def _section_type(header: str) -> ObjectType | None:
    prefix = header.split(":", 1)[0].strip()
    if ":" not in header:
        prefix = header.strip()
    if prefix in APP.prefixes():
        return APP
    if prefix in FILTER.prefixes():
        return FILTER
    return None


def export_source(path: str, name: str | None = None, global_conf: dict[str, Any] | None = None) -> str:
    """The exported module's source for app section ``name`` of ``path`` (see :mod:`asgipaste.export`)."""
    return Exporter(path, name, global_conf).source()
