"""Every docstring example in the package runs (the API docs cannot drift from the code)."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import asgipaste

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(asgipaste.__path__, prefix="asgipaste.")
)


def test_every_module_is_walked() -> None:
    assert {"asgipaste.loader.build", "asgipaste.urlmap.asgi", "asgipaste.servers.policy"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
