"""Export helpers: write a module, delete the INI files, import the module from its own path.

The stand-in nova and keystoneclient packages of ``tests/mixed`` are put on
``sys.path`` by the same fixture those tests use.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import re
import shutil
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from asgipaste.export import write_module
from asgipaste.interop.wsgi import WSGIAdapter
from asgipaste.loader import build
from asgipaste.stack import StackNode
from tests.mixed.conftest import _stand_in_keystoneclient

__all__ = ["_stand_in_keystoneclient"]

_counter = itertools.count()
_ADDRESS = re.compile(r"0x[0-9a-f]+")
_OURS = ("asgipaste", "recorder", "fakeasgiapp", "nova", "keystoneclient", "webob.dec")


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def export(ini: Path, out_dir: Path, name: str | None = None, global_conf: dict[str, Any] | None = None) -> Path:
    """Export ``ini#name`` to a fresh module file in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_module(str(ini), out_dir / f"exported_{next(_counter)}.py", name, global_conf)


def delete(*paths: Path) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def import_module(path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[path.stem]
    return module


async def answers(app: Any, requests: list[tuple[str, str, dict[str, str]]]) -> list[Any]:
    """Status, headers and body of each request (method, path, headers), or the error it raised."""
    out: list[Any] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        for method, path, headers in requests:
            try:
                response = await client.request(method, path, headers=headers)
            except Exception as exc:  # the corpus's stand-ins are not all servable; fail alike
                out.append((type(exc).__name__, _ADDRESS.sub("0x?", str(exc))))
                continue
            out.append((response.status_code, sorted(response.headers.items()), response.content))
    return out


@contextlib.contextmanager
def factory_calls() -> Iterator[list[tuple[Any, ...]]]:
    """Every factory call the builder makes: section, factory, global_conf and local_conf, in order."""
    calls: list[tuple[Any, ...]] = []
    real = build.call_factory

    def recording(node: Any, factory: Any, *args: Any, **kwargs: Any) -> Any:
        conf = next(a for a in args if isinstance(a, dict))  # after the loader (composites) or app (filter-apps)
        calls.append((node.label, node.protocol, factory, dict(conf), dict(kwargs)))
        return real(node, factory, *args, **kwargs)

    build.call_factory = recording  # type: ignore[assignment]
    try:
        yield calls
    finally:
        build.call_factory = real  # type: ignore[assignment]


def graph_shape(node: StackNode) -> tuple[Any, ...]:
    """The graph without factory labels (the module names factories by object, the INI by string)."""
    return (
        node.kind,
        node.name,
        node.protocol,
        node.join,
        node.file,
        node.line,
        node.options,
        tuple(graph_shape(child) for child in node.children),
    )


def object_shape(obj: Any) -> list[tuple[str, Any]]:
    """Every app-like object reachable from the app, by type, with each WSGI adapter's thread setting."""
    seen: set[int] = set()
    out: list[tuple[str, Any]] = []

    def visit(value: Any, depth: int) -> None:
        if depth > 40 or id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, dict):
            for item in list(value.values()):
                visit(item, depth + 1)
            return
        if isinstance(value, (list, tuple)):
            for item in value:
                visit(item, depth + 1)
            return
        if isinstance(value, types.MethodType):
            visit(value.__self__, depth + 1)
            return
        if not type(value).__module__.startswith(_OURS):
            return
        out.append((type(value).__qualname__, value.threads if isinstance(value, WSGIAdapter) else None))
        attrs = dict(getattr(value, "__dict__", {}))
        for slot in getattr(type(value), "__slots__", ()):
            if hasattr(value, slot):
                attrs[slot] = getattr(value, slot)
        for name in sorted(attrs):
            visit(attrs[name], depth + 1)

    visit(obj, 0)
    return out
