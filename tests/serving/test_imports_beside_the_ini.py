"""Modules beside the INI are importable, and a checkout directory never hides its installed package.

The cookiecutter layout run from the parent directory: ``myproject/`` (the
checkout, no ``__init__.py``) holds ``development.ini`` and the package
``myproject/myproject/``, installed editable (setuptools' editable finder
comes after the path finder). With the working directory first on
``sys.path``, ``myproject`` became the empty checkout directory and
``use = egg:myproject`` / ``call:myproject:main`` failed; pserve imports the
package.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from asgipaste import _imports
from asgipaste.cli import main


class EditableFinder(importlib.abc.MetaPathFinder):
    """What ``pip install -e`` leaves: a finder after the path finder, for one package."""

    def __init__(self, name: str, package_dir: Path) -> None:
        self.name, self.package_dir = name, package_dir

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        if fullname != self.name:
            return None
        return importlib.util.spec_from_file_location(fullname, self.package_dir / "__init__.py")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    package = tmp_path / "shadowproj" / "shadowproj"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "async def app(scope, receive, send): ...\n\ndef main(global_config, **settings):\n    return app\n"
    )
    (tmp_path / "beside_the_ini.py").write_text(
        "async def app(scope, receive, send): ...\n\ndef factory(global_config, **settings):\n    return app\n"
    )
    (tmp_path / "shadowproj" / "development.ini").write_text(
        "[composite:main]\nuse = egg:Paste#urlmap\n/ = proj\n/beside = beside\n"
        "[app:proj]\nuse = call:shadowproj:main\n[app:beside]\nuse = call:beside_the_ini:factory\n"
    )
    finder = EditableFinder("shadowproj", package)
    monkeypatch.setattr(sys, "meta_path", [*sys.meta_path, finder])
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(_imports.ENV_IMPORT_DIR, raising=False)
    yield tmp_path
    for name in ("shadowproj", "beside_the_ini"):
        sys.modules.pop(name, None)


def test_the_installed_package_wins_and_modules_beside_the_ini_are_found(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "shadowproj/development.ini"]) == 0, capsys.readouterr().out
    assert sys.modules["shadowproj"].__file__ == str(project / "shadowproj" / "shadowproj" / "__init__.py")
    assert sys.modules["beside_the_ini"].__file__ == str(project / "beside_the_ini.py")
    assert str(project) not in sys.path


def test_the_old_rule_shows_the_failure(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sys.path.insert(0, str(project))  # the working directory first, as uvicorn and gunicorn put it
    assert main(["check", "shadowproj/development.ini"]) == 1
    out = capsys.readouterr().out
    # (the path shown relative to the working directory, as the CLI shows paths)
    assert "'shadowproj' was imported as a bare directory (shadowproj), not as a package" in out
