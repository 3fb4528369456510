"""Test-wide fixtures: the fake distributions the loader tests name with egg:, and `spawn` for subprocesses."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests._proc import Proc, child_env

_FAKE_DIRS = [
    Path(__file__).parent / "loader" / "fake_packages",
    Path(__file__).parent / "mixed" / "fake_nova",
]
for _path in _FAKE_DIRS:
    if str(_path) not in sys.path:
        sys.path.append(str(_path))
importlib.invalidate_caches()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    """Start commands in tmp_path (tests._proc's harness); every one is killed (with its workers) at teardown."""
    started: list[Proc] = []

    def start(args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Proc:
        log = tmp_path / f"proc{len(started)}.log"
        proc = Proc(args, cwd=cwd or tmp_path, log=log, env=env or child_env())
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()


#: Directories whose tests serve real third-party stacks side by side with their anchors:
#: integration, not the edit-test loop, so they run in the slow tier (still in CI).
_SLOW_DIRS = ("real_openstack", "real_apps")


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The fast tier does not even import the real-deployment modules (Kinto, oslo, Pyramid load slowly)."""
    if "not slow" in (config.option.markexpr or "") and any(part in _SLOW_DIRS for part in collection_path.parts):
        return True
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(part in _SLOW_DIRS for part in item.path.parts):
            item.add_marker(pytest.mark.slow)
