"""The benchmark harness stops every server it starts, and names any that ignores SIGTERM."""

from __future__ import annotations

import os
import sys
import time

import pytest

from benchmarks import _http as h

IGNORES_TERM = (
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(600)"
)
LEAVES_ON_TERM = "import time; print('up', flush=True); time.sleep(600)"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is gone for our purpose
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and /proc")
def test_a_server_ignoring_sigterm_is_killed_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(h, "STOP_GRACE", 0.5)
    monkeypatch.setattr(h, "NOT_STOPPED", [])
    stubborn = h.Running(h.Server("stubborn row", [sys.executable, "-c", IGNORES_TERM]))
    polite = h.Running(h.Server("polite row", [sys.executable, "-c", LEAVES_ON_TERM]))
    for item in (stubborn, polite):
        while "up" not in item.log_tail():  # its SIGTERM handler is in place (bounded by the test timeout)
            assert item.proc.poll() is None, item.log_tail()
            time.sleep(0.02)
    for item in (stubborn, polite):
        item.stop()
        assert not _alive(item.proc.pid)
    assert len(h.NOT_STOPPED) == 1 and h.NOT_STOPPED[0].startswith("stubborn row:")
    assert "stubborn row" in h.stop_report()
