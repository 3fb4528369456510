"""A bounded load test of the served demo: mixed reads and writes, zero 5xx, zero lost writes.

The duration is ``ASGIPASTE_DEMO_LOAD_SECONDS`` (default 30); the figures for
``docs/benchmarks.md`` come from ``python benchmarks/bench_demo_load.py``, not
from here.
"""

from __future__ import annotations

import pytest

from benchmarks.bench_demo_load import load_clients, load_seconds, measure

SECONDS = load_seconds()

# The run itself, plus the server's start and the read-back, stays well inside this.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(SECONDS + 15)]


def test_mixed_workload_has_no_5xx_and_loses_no_write() -> None:
    report = measure(SECONDS, load_clients())
    assert report.server_errors == 0, report.summary()
    assert report.transport_errors == 0, report.unexpected[:5]
    assert report.unexpected == [], report.unexpected[:5]
    assert report.lost == [], report.summary()
    assert report.resurrected == [], report.summary()
    # it really was a mixed workload that wrote
    assert report.acknowledged_creates > 0 and report.deleted > 0
    assert {"create", "list", "show", "update", "delete"} <= set(report.by_operation)
    assert report.listed == report.acknowledged_creates - report.deleted
