"""``asgipaste export``: an INI file's app section written down as a Python module.

The module imports the section's factories, calls them with exactly the
``global_conf`` and ``local_conf`` loading would pass, in the same order, and
builds them with the loader's own builder (:mod:`asgipaste.export.runtime`),
so WSGI and ASGI meet at the same borders with the same thread settings.
Importing it reads no INI file. See ``docs/export.md``.

>>> from asgipaste.export import export_source, write_module
>>> callable(export_source) and callable(write_module)
True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from asgipaste.errors import ConfigError
from asgipaste.export.generate import export_source

__all__ = ["export_source", "write_module"]


def write_module(
    path: str, output: str | os.PathLike[str], name: str | None = None, global_conf: dict[str, Any] | None = None
) -> Path:
    """Export app section ``name`` of ``path`` to the Python file ``output``; returns its path."""
    source = export_source(path, name, global_conf)
    out = Path(output)
    try:
        out.write_text(source, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot write {out}: {exc.strerror}", file=str(out)) from None
    return out
