"""Modules beside the INI: importable from the working directory, without shadowing installed packages.

uvicorn and gunicorn put the working directory first on ``sys.path``. Run
from a project's parent directory, that turns the checkout ``myproject/``
(no ``__init__.py`` at its top) into an empty namespace package that hides
the installed ``myproject`` (an editable install's finder comes after the
path finder): ``myproject:main`` is then missing, where pserve, which adds
nothing to ``sys.path``, imports the package. Here the working directory is
searched last, by a finder after every other, for regular modules and
packages only. ``asgipaste`` commands install it and name the directory in
``ASGIPASTE_IMPORT_DIR``, so their worker processes (fresh interpreters that
import asgipaste) install it too.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Sequence
from types import ModuleType

__all__ = ["ENV_IMPORT_DIR", "BesideTheINI", "install", "install_from_env", "searched"]

ENV_IMPORT_DIR = "ASGIPASTE_IMPORT_DIR"


class BesideTheINI(importlib.abc.MetaPathFinder):
    """Top-level modules and regular packages of ``directory``, when no other finder has them."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.directory!r})"

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if path is not None:  # submodules are found through their package's __path__
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, [self.directory])
        if spec is None or spec.origin is None:  # nothing, or a bare directory (namespace package)
            return None
        return spec


def searched(directory: str) -> bool:
    """Whether top-level imports look in ``directory`` (on ``sys.path``, or by this finder)."""
    directory = os.path.abspath(directory)
    on_path = {os.path.abspath(entry or os.curdir) for entry in sys.path}
    return directory in on_path or any(
        isinstance(finder, BesideTheINI) and finder.directory == directory for finder in sys.meta_path
    )


def install(directory: str) -> None:
    """Search ``directory`` last for top-level imports (once per directory)."""
    if not searched(directory):
        sys.meta_path.append(BesideTheINI(os.path.abspath(directory)))


def install_from_env() -> None:
    """In a worker process: the finder its ``asgipaste`` command installed."""
    directory = os.environ.get(ENV_IMPORT_DIR, "").strip()
    if directory:
        install(directory)
