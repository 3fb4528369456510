"""``asgipaste check``: load every section, on its own and from each entry point; report each problem once.

Every ``[app:]``, ``[composite:]``, ``[pipeline:]`` and ``[filter-app:]``
section is loaded as an app, every ``[filter:]`` section is built as a filter,
and every ``[server:]`` section is built (its options parsed; nothing starts).
Checking goes on after an error. A problem is reported once, however many
sections reach it (a cycle once, whichever end it was entered from).

A problem in a section that no entry point of the file reaches is a
**warning**: PasteDeploy never loads such sections, and real service files
carry them (an alternative pipeline, a filter with no factory key). An entry
point is an app section no other section names, or one asked for by name.
``strict=True`` makes every warning an error. Unknown keys in migrated
waitress sections are warnings too: waitress ignores nothing, but asgipaste
serves those sections with uvicorn and says what it ignores.

>>> report = CheckReport(errors=[], warnings=["x"])
>>> report.exit_code(strict=False), report.exit_code(strict=True)
(0, 1)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asgipaste._logging import logging_problems
from asgipaste.errors import ConfigError
from asgipaste.loader.build import build_app, build_node, build_server, finish, run_in_session
from asgipaste.loader.dialect import IniFile, read_ini
from asgipaste.loader.plan import Node
from asgipaste.loader.references import APP, FILTER, SERVER
from asgipaste.loader.resolve import loadcontext

__all__ = ["CheckReport", "check_file", "reachable_sections"]

_APP_PREFIXES = frozenset(APP.prefixes())
_TOKEN = re.compile(r"[\s,]+")


@dataclass
class CheckReport:
    """What ``check`` found: located errors, and warnings (problems no entry point reaches, ignored options)."""

    errors: list[ConfigError] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)  # ConfigError, or text

    def exit_code(self, *, strict: bool) -> int:
        """0: clean or warnings only; 1: problems (warnings count under ``strict``)."""
        return 1 if self.errors or (strict and self.warnings) else 0


def _kind(section: str) -> str:
    return section.partition(":")[0].strip()


def _name(section: str) -> str:
    return section.partition(":")[2].strip()


def reachable_sections(ini: IniFile, entry_names: list[str] | None = None) -> set[str]:
    """Sections reached from the entry points, following every name a section's values mention.

    Statically and generously: any word of any value naming another section
    counts (composites name their children in values; a pipeline lists its
    filters and app), so a section is called unreachable only when nothing
    could load it.
    """
    sections = ini.sections()
    by_name: dict[str, list[str]] = {}
    for section in sections:
        by_name.setdefault(_name(section), []).append(section)
    edges: dict[str, set[str]] = {}
    referenced: set[str] = set()
    paste_kinds = _APP_PREFIXES | set(FILTER.prefixes()) | set(SERVER.prefixes())
    for section in sections:
        targets: set[str] = set()
        if _kind(section) not in paste_kinds:
            # [loggers] keys = root names a logger, not [composite:root]
            edges[section] = targets
            continue
        for key in ini.own_options(section):
            for word in _TOKEN.split(ini.get_raw(section, key)):
                word = word.split("#")[-1] if word.startswith("config:") else word
                for target in by_name.get(word, ()):
                    if target != section:
                        targets.add(target)
        edges[section] = targets
        referenced |= targets
    if entry_names is not None:
        roots = {s for s in sections if _name(s) in entry_names and _kind(s) in _APP_PREFIXES}
    else:
        roots = {s for s in sections if _kind(s) in _APP_PREFIXES and s not in referenced}
        if not roots:  # everything is named by something (a cycle): treat every app section as an entry
            roots = {s for s in sections if _kind(s) in _APP_PREFIXES}
    roots |= {s for s in sections if _kind(s) in SERVER.prefixes()}  # a server section is its own entry point
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        section = todo.pop()
        if section in seen:
            continue
        seen.add(section)
        todo.extend(edges.get(section, ()))
    return seen


def _identity(exc: ConfigError) -> tuple[Any, ...]:
    """One problem, however it was reached: a cycle by its sections, anything else by its location and text."""
    if exc.message.startswith("Configuration cycle"):
        return ("cycle", frozenset(re.findall(r"\[([^\]]+)\]", exc.message)))
    return (exc.file, exc.section, exc.key, exc.line, exc.message)


def check_file(
    path: str,
    names: list[str] | None = None,
    global_conf: dict[str, Any] | None = None,
) -> CheckReport:
    """Load everything ``path`` defines (or only the apps ``names``); see the module doc."""
    path = os.path.abspath(path)
    report = CheckReport()
    try:
        ini = read_ini(path)
    except ConfigError as exc:
        report.errors.append(exc)
        return report
    uri = f"config:{path}"
    reached = reachable_sections(ini, names)
    # Logging, launcher and [DEFAULT] settings are read whenever the file is served.
    paste_kinds = _APP_PREFIXES | set(FILTER.prefixes()) | set(SERVER.prefixes())
    reached |= {s for s in ini.sections() if _kind(s) not in paste_kinds} | {"DEFAULT"}
    seen: set[tuple[Any, ...]] = set()

    def record(exc: ConfigError) -> None:
        key = _identity(exc)
        if key in seen:
            return
        seen.add(key)
        where_ok = exc.section is None or exc.file not in (None, path) or exc.section in reached
        (report.errors if where_ok else report.warnings).append(exc)

    sections = ini.sections()
    for name in names if names is not None else ini.names_with_prefixes(APP.prefixes()):
        try:
            _load_app(loadcontext(APP, uri, name=name, global_conf=global_conf))
        except ConfigError as exc:
            record(exc)
    if names is None:
        filter_prefixes = set(FILTER.prefixes())
        for section in sections:
            if _kind(section) in filter_prefixes:
                try:
                    build_node(loadcontext(FILTER, uri, name=_name(section), global_conf=global_conf))
                except ConfigError as exc:
                    record(exc)
    server_prefixes = set(SERVER.prefixes())
    for section in sections:
        if _kind(section) in server_prefixes:
            _check_server(uri, _name(section), global_conf, record, report)
    if names is None:
        _check_references(uri, ini, global_conf, record, report)
        for problem in logging_problems(ini):
            record(problem)
        _check_launcher(path, ini, global_conf, record)
    return report


def _check_references(
    uri: str, ini: IniFile, global_conf: dict[str, Any] | None, record: Any, report: CheckReport
) -> None:
    """Names a pipeline or a urlmap uses, resolved one by one: a broken neighbour hides none of them."""
    seen_text = {str(e) for e in report.errors} | {str(w) for w in report.warnings}
    for section in ini.sections():
        kind = _kind(section)
        wanted: list[tuple[Any, str, str]] = []
        if kind == "pipeline" and ini.has_option(section, "pipeline"):
            names = ini.get_raw(section, "pipeline").split()
            wanted = [(FILTER, n, "pipeline") for n in names[:-1]] + [(APP, n, "pipeline") for n in names[-1:]]
        elif (
            kind in ("composite", "composit")
            and ini.has_option(section, "use")
            and ini.get_raw(section, "use").strip().lower() in _URLMAPS
        ):
            wanted = [(APP, ini.get_raw(section, key).strip(), key) for key in ini.own_options(section)
                      if key.startswith("/") or key.startswith("domain") or key == "not_found_app"]
        for object_type, name, key in wanted:
            if ":" in name:
                continue  # a URI: resolved when the section is loaded
            try:
                loadcontext(object_type, uri, name=name, global_conf=global_conf)
            except ConfigError as exc:
                if any(name in text and exc.message in text for text in seen_text):
                    continue
                if exc.section is None:  # the name itself is missing: say where it is used
                    exc.section, exc.key, exc.line = section, key, ini.line_of(section, key)
                record(exc)


_URLMAPS = frozenset({"egg:paste#urlmap", "egg:asgipaste#urlmap", "call:asgipaste.urlmap:urlmap_factory"})


def _check_launcher(path: str, ini: IniFile, global_conf: dict[str, Any] | None, record: Any) -> None:
    """A file the launcher serves (``enabled_apis``): its options, read as ``asgipaste launch`` reads them."""
    from asgipaste.launcher.plan import LAUNCHER_SECTION, read_launch_plan

    section = LAUNCHER_SECTION if ini.has_section(LAUNCHER_SECTION) else "DEFAULT"
    if not ini.has_option(section, "enabled_apis"):
        return
    try:
        read_launch_plan(Path(path), dict(global_conf or {}))
    except ConfigError as exc:
        record(exc)


def _load_app(node: Node) -> None:
    run_in_session(lambda: finish(build_app(node), node.label, node.file))


def _check_server(
    uri: str, name: str, global_conf: dict[str, Any] | None, record: Any, report: CheckReport
) -> None:
    """Build a server section; on a bad option, try again without it, so every bad option is reported."""
    try:
        node = loadcontext(SERVER, uri, name=name, global_conf=global_conf)
    except ConfigError as exc:
        record(exc)
        return
    for _ in range(len(node.local_conf) + 1):
        try:
            server = build_server(node)
        except ConfigError as exc:
            record(exc)
            if exc.key is None or exc.key not in node.local_conf:
                return
            node.local_conf = {k: v for k, v in node.local_conf.items() if k != exc.key}
            continue
        ini = getattr(node.loader, "ini", None)
        for text, key in getattr(server, "warnings", ()):
            line = ini.line_of(node.section, key) if ini is not None and key else node.line
            where = f"line {line}, " if line is not None else ""
            report.warnings.append(f"{text} (in {node.file}, {where}section [{node.label}])")
        return
