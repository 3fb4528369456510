from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests._proc import Proc, child_env


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., Proc]]:
    """Start commands in tmp_path; every one is killed (with its workers) at teardown."""
    started: list[Proc] = []

    def start(args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Proc:
        log = tmp_path / f"proc{len(started)}.log"
        proc = Proc(args, cwd=cwd or tmp_path, log=log, env=env or child_env())
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()
