"""Match time of asgipaste.routes.Mapper vs Routes 2.5.1 at 10, 100 and 1,000 resources.

Each resource is ``resource("serverN", "serversN", collection={"detail": "GET"},
member={"action": "POST"})`` (18 routes). The requests hit the last resource
(near the end of the table). Both mappers are built and timed in the same
process; the table reports medians over repeats.

Run: ``python benchmarks/bench_routes.py``; ``run()`` returns the markdown table.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import routes as upstream

from asgipaste.routes import Mapper

SIZES = (10, 100, 1000)
REPEATS = 7
CALLS = 300


def build(mapper_cls: Callable[[], Any], n: int) -> Any:
    mapper = mapper_cls()
    for i in range(n):
        mapper.resource(f"server{i}", f"servers{i}", collection={"detail": "GET"}, member={"action": "POST"})
    return mapper


def requests_for(n: int) -> list[tuple[str, dict[str, str]]]:
    last = n - 1
    return [
        (f"/servers{last}/123/action", {"REQUEST_METHOD": "POST"}),
        (f"/servers{last}/123", {"REQUEST_METHOD": "GET"}),
        (f"/servers{last}/detail.json", {"REQUEST_METHOD": "GET"}),
        (f"/servers{last}/123", {"REQUEST_METHOD": "DELETE"}),
    ]


def time_matching(mapper: Any, reqs: list[tuple[str, dict[str, str]]]) -> float:
    """Median seconds per match over REPEATS runs of CALLS matches."""
    for path, environ in reqs:  # warm up; also compiles the regexps
        if mapper.match(path, environ) is None:
            raise RuntimeError(f"benchmark request {path} did not match")
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(CALLS // len(reqs)):
            for path, environ in reqs:
                mapper.match(path, environ)
        samples.append((time.perf_counter() - start) / (CALLS // len(reqs) * len(reqs)))
    return statistics.median(samples)


def measure() -> list[dict[str, Any]]:
    # Warm up the interpreter and CPU first, or the first size measures slow.
    for mapper_cls in (Mapper, upstream.Mapper):
        time_matching(build(mapper_cls, SIZES[0]), requests_for(SIZES[0]))
    rows: list[dict[str, Any]] = []
    for n in SIZES:
        ours_map = build(Mapper, n)
        theirs_map = build(upstream.Mapper, n)
        reqs = requests_for(n)
        for path, environ in reqs:
            a, b = ours_map.match(path, environ), theirs_map.match(path, environ)
            if a != b:
                raise RuntimeError(f"results differ for {path}: {a} != {b}")
        rows.append(
            {
                "resources": n,
                "routes": len(ours_map.matchlist),
                "ours": time_matching(ours_map, reqs),
                "routes_pkg": time_matching(theirs_map, reqs),
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    base = rows[0]["ours"]
    lines = [
        "| resources | routes | asgipaste µs/match | Routes 2.5.1 µs/match "
        "| Routes / ours | ours / ours@10 |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['resources']} | {row['routes']} | {row['ours'] * 1e6:.1f} "
            f"| {row['routes_pkg'] * 1e6:.1f} "
            f"| {row['routes_pkg'] / row['ours']:.1f}x | {row['ours'] / base:.2f}x |"
        )
    return "\n".join(lines)


def run() -> str:
    """Measure and return the markdown table."""
    return table(measure())


if __name__ == "__main__":
    print(run())
