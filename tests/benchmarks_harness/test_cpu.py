"""The harness's CPU per request: every process of a server's group is counted, and ratios run like req/s."""

from __future__ import annotations

import sys
import time

import pytest

from benchmarks import _http as h

# A parent that burns CPU in a child (a worker) and a thread of its own, then waits.
BURNS = """
import subprocess, sys, threading, time
def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
child = subprocess.Popen([sys.executable, "-c", "import time\\nend = time.process_time() + 0.4\\n"
                          "while time.process_time() < end: pass\\nprint('child done', flush=True)"])
thread = threading.Thread(target=burn, args=(0.3,))
thread.start(); thread.join(); child.wait()
print('up', flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc")
def test_cpu_seconds_add_up_the_group_while_it_lives() -> None:
    item = h.Running(h.Server("burner", [sys.executable, "-c", BURNS]))
    try:
        deadline = time.monotonic() + 20
        while "up" not in item.log_tail():
            assert item.proc.poll() is None and time.monotonic() < deadline, item.log_tail()
            time.sleep(0.02)
        # the parent's own thread (0.3 s) is counted; the child has exited (its time went to the
        # parent's cumulative fields, which /proc/PID/stat fields 14-15 do not hold): at least 0.3 s
        assert item.cpu_seconds() >= 0.25
    finally:
        item.stop()


def test_cpu_ratios_are_reference_over_row_round_by_round() -> None:
    reference = [h.Sample(100.0, 1.0, 2.0, 0, cpu_us=50.0), h.Sample(90.0, 1.0, 2.0, 0, cpu_us=60.0)]
    row = [h.Sample(80.0, 1.0, 2.0, 0, cpu_us=100.0), h.Sample(70.0, 1.0, 2.0, 0)]  # unmeasured: left out
    assert h.cpu_ratios(row, reference) == [0.5]
    results = {"ref": reference, "row": row}
    assert h.cpu_ratio(results, "row", "ref") == 0.5
    assert "by server CPU per request: 0.50" in h.goal("x", 0.8, 0.9, by_cpu=0.5)
    table = h.results_table(results, "ref")
    assert "server CPU µs/req" in table and "| 100.0 | 0.50 (0.50–0.50) |" in table
