"""The exported sections resolve to the loader's own plan, section by section, whoever the caller.

Composites ask their loader for sections by name with a ``global_conf`` of
their choosing; the module's :class:`~asgipaste.export.runtime.Sections` must
then give the node the file's own loader gives: same kind, protocol,
configuration, location, thread and protocol settings, factory object, and
children.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from asgipaste.errors import ConfigError, ConfigKeyError
from asgipaste.loader.plan import Node
from asgipaste.loader.references import APP, FILTER
from asgipaste.loader.resolve import ConfigLoader
from tests.export.conftest import delete, export, import_module, write_files
from tests.export.test_differential import MIXED
from tests.loader.test_differential import CORPUS
from tests.mixed.conftest import NOVA_INI

CALLERS: list[dict[str, str] | None] = [None, {"extra": "from-composite", "tier": "silver"}]


def node_shape(node: Node | None) -> Any:
    if node is None:
        return None
    return (
        node.kind,
        node.object_type.name,
        node.protocol,
        node.global_conf,
        node.local_conf,
        node.section,
        node.line,
        node.file,
        node.wsgi_threads,
        node.protocol_override,
        node.object,
        [node_shape(child) for child in node.filter_nodes],
        node_shape(node.app_node),
        node_shape(node.next_node),
        node_shape(node.filter_node),
    )


def _resolve(get: Any, object_type: Any, name: str, caller: dict[str, str] | None) -> Any:
    try:
        return node_shape(get(object_type, name, caller))
    except ConfigKeyError as exc:  # a get naming a global the caller lacks (the wording differs)
        return ("missing global", exc.section, exc.message.split("no global value ")[-1])
    except ConfigError as exc:
        return ("error", type(exc).__name__, exc.message.split(" (")[0])


def _cases() -> list[tuple[str, str, str | None, dict[str, str] | None]]:
    out = []
    for case, (_, loads) in sorted(CORPUS.items()):
        for _, file, name, global_conf in loads[:1]:
            out.append((case, file, name, global_conf))
    out += [(case, file, name, global_conf) for case, (_, file, name, global_conf) in sorted(MIXED.items())]
    return out


def _files(case: str) -> dict[str, str]:
    if case == "nova":
        return {"api-paste.ini": NOVA_INI.read_text()}
    if case == "demo":
        import asgipaste.demo

        return {"api-paste.ini": (Path(asgipaste.demo.__file__).parent / "api-paste.ini").read_text()}
    return CORPUS[case][0] if case in CORPUS else MIXED[case][0]


@pytest.mark.parametrize(
    ("case", "file", "name", "global_conf"),
    [*_cases(), ("nova", "api-paste.ini", "osapi_compute", None), ("demo", "api-paste.ini", "main", None)],
)
def test_every_section_resolves_as_the_loader_resolves_it(
    case: str, file: str, name: str | None, global_conf: dict[str, str] | None, tmp_path: Path
) -> None:
    write_files(tmp_path / "ini", _files(case))
    ini = tmp_path / "ini" / file
    loader = ConfigLoader(str(ini))
    if global_conf:
        loader.update_defaults(global_conf, overwrite=False)
    wanted = []
    for header in loader.ini.sections():
        prefix, _, section = header.partition(":")
        object_type = FILTER if prefix == "filter" else APP if prefix in APP.prefixes() else None
        if object_type is None or not section:
            continue
        for caller in CALLERS:
            merged = {**(global_conf or {}), **(caller or {})} if caller is not None else None
            wanted.append((object_type, section.strip(), merged))
    theirs = [_resolve(loader.get_context, t, n, c) for t, n, c in wanted]
    try:
        path = export(ini, tmp_path / "out", name, global_conf)
    except ConfigError:
        pytest.skip("the load itself fails (a corpus case for filters or servers)")
    delete(tmp_path / "ini")
    module = import_module(path)
    ours = [_resolve(module.sections.get_context, t, n, c) for t, n, c in wanted]
    assert ours == theirs
