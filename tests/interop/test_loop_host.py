"""The process's own loop under WSGI servers, and the bridge's hand-over between a thread and it."""

from __future__ import annotations

import asyncio
import sys
import threading

import pytest


def test_waiter_hands_one_answer_or_one_error_across_threads() -> None:
    from asgipaste.interop.bridge import Waiter

    answered = Waiter()
    assert not answered.done()
    threading.Timer(0.01, answered.set_result, args=(([b"chunk"], False),)).start()
    assert answered.result() == ([b"chunk"], False)  # blocks until the other thread answers
    assert answered.done()
    failed = Waiter()
    failed.set_exception(RuntimeError("the app failed"))
    with pytest.raises(RuntimeError, match="the app failed"):
        failed.result()


def test_the_process_loop_is_uvloop_when_installed_else_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    from asgipaste.interop.loop_host import LoopHost

    uvloop = pytest.importorskip("uvloop")
    host = LoopHost()
    try:
        assert isinstance(host.loop, uvloop.Loop)
    finally:
        host.close()
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as if it were not installed
    host = LoopHost()
    try:
        assert isinstance(host.loop, asyncio.BaseEventLoop) and not isinstance(host.loop, uvloop.Loop)
        assert host.run(asyncio.sleep(0, result=42)) == 42
    finally:
        host.close()
