"""``wsgi.multithread``, ``wsgi.multiprocess`` and ``wsgi.run_once`` tell the truth (issue 10).

pyramid_debugtoolbar (and other tools keeping state in memory) disable
themselves when ``wsgi.multiprocess`` is true, so it must not be true for a
single-process server. Read over a real uvicorn.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from asgipaste.interop import WSGIAdapter, set_process_model
from tests.interop._helpers import serve

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]


def flags(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    keys = ("wsgi.multithread", "wsgi.multiprocess", "wsgi.run_once")
    return [json.dumps({key: environ[key] for key in keys}).encode()]


@pytest.fixture(autouse=True)
def _unknown_process_model(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("ASGIPASTE_WORKERS", raising=False)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    set_process_model(None)
    yield
    set_process_model(None)


async def _flags(threads: int) -> dict[str, bool]:
    async with serve(WSGIAdapter(flags, threads=threads)) as (client, _):
        result: dict[str, bool] = (await client.get("/")).json()
        return result


async def test_single_process_by_default_so_debug_toolbars_stay_on() -> None:
    assert await _flags(2) == {"wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False}


async def test_threads_0_is_not_multithreaded() -> None:
    assert await _flags(0) == {"wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False}


async def test_set_process_model_makes_it_multiprocess() -> None:
    set_process_model(4)
    assert (await _flags(2))["wsgi.multiprocess"] is True
    set_process_model(1)  # control: one worker is one process
    assert (await _flags(2))["wsgi.multiprocess"] is False


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("ASGIPASTE_WORKERS", "2", True),
    ("ASGIPASTE_WORKERS", "1", False),
    ("WEB_CONCURRENCY", "3", True),
    ("ASGIPASTE_WORKERS", "nonsense", False),
])  # fmt: skip
async def test_worker_count_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: bool
) -> None:
    monkeypatch.setenv(name, value)
    assert (await _flags(2))["wsgi.multiprocess"] is expected


async def test_set_process_model_rejects_nonsense() -> None:
    for bad in (0, -1, True, "2"):
        with pytest.raises(ValueError, match="workers"):
            set_process_model(bad)  # type: ignore[arg-type]
