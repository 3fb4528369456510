"""Match time of asgipaste.routes.Mapper vs Routes 2.5.1 at 10, 100 and 1,000 resources.

Each resource is ``resource("serverN", "serversN", collection={"detail": "GET"},
member={"action": "POST"})`` (18 routes). The requests hit the last resource
(near the end of the table). Both mappers are built and timed in the same
process; the tables report medians over repeats. A second table puts every
resource under nova's ``path_prefix="/{project_id}"``, where all routes share
one static-prefix bucket in Routes.

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
REPEATS = 9
CALLS = 300


def build(mapper_cls: Callable[[], Any], n: int, prefix: str = "") -> Any:
    mapper = mapper_cls()
    for i in range(n):
        mapper.resource(
            f"server{i}",
            f"servers{i}",
            collection={"detail": "GET"},
            member={"action": "POST"},
            **({"path_prefix": prefix} if prefix else {}),
        )
    return mapper


def requests_for(n: int, prefix: str = "") -> list[tuple[str, dict[str, str]]]:
    base = f"{prefix}/servers{n - 1}"
    return [
        (f"{base}/123/action", {"REQUEST_METHOD": "POST"}),
        (f"{base}/123", {"REQUEST_METHOD": "GET"}),
        (f"{base}/detail.json", {"REQUEST_METHOD": "GET"}),
        (f"{base}/123", {"REQUEST_METHOD": "DELETE"}),
    ]


def _check(mapper: Any, reqs: list[tuple[str, dict[str, str]]]) -> None:
    for path, environ in reqs:  # also warms up: compiles the regexps on first use
        if mapper.match(path, environ) is None:
            raise RuntimeError(f"benchmark request {path} did not match")


def _sample(mapper: Any, reqs: list[tuple[str, dict[str, str]]], rounds: int) -> float:
    """Seconds per match over ``rounds`` passes through ``reqs``."""
    match = mapper.match
    start = time.perf_counter()
    for _ in range(rounds):
        for path, environ in reqs:
            match(path, environ)
    return (time.perf_counter() - start) / (rounds * len(reqs))


def time_matching(mapper: Any, reqs: list[tuple[str, dict[str, str]]], calls: int = CALLS) -> float:
    """Median seconds per match over REPEATS runs of about ``calls`` matches."""
    _check(mapper, reqs)
    rounds = max(1, calls // len(reqs))
    return statistics.median(_sample(mapper, reqs, rounds) for _ in range(REPEATS))


def _rounds_for(mapper: Any, reqs: list[tuple[str, dict[str, str]]]) -> int:
    """Rounds for ~30 ms per sample, at most CALLS matches (Routes on big tables is slow)."""
    per_call = _sample(mapper, reqs, 1)
    return max(1, min(CALLS, int(0.03 / max(per_call, 1e-9))) // len(reqs))


def measure(prefix: str = "", sizes: tuple[int, ...] = SIZES) -> list[dict[str, Any]]:
    """Ours vs Routes at each size.

    Every repeat samples every (size, mapper) pair in turn, so all cells see the
    same machine load and the ratios stay meaningful on a busy machine.
    ``prefix`` is a ``path_prefix`` such as nova's ``/{project_id}``.
    """
    path_prefix = "/p1" if prefix else ""
    cells = []
    for n in sizes:
        ours_map = build(Mapper, n, prefix)
        theirs_map = build(upstream.Mapper, n, prefix)
        reqs = requests_for(n, path_prefix)
        _check(ours_map, reqs)
        _check(theirs_map, reqs)
        for path, environ in reqs:
            a, b = ours_map.match(path, environ), theirs_map.match(path, environ)
            if a != b:
                raise RuntimeError(f"results differ for {path}: {a} != {b}")
        cells.append((n, ours_map, theirs_map, reqs))
    # Warm up the interpreter and CPU first, or the first cell measures slow.
    for _, ours_map, theirs_map, reqs in cells:
        _sample(ours_map, reqs, max(1, CALLS // len(reqs)))
        _sample(theirs_map, reqs, 1)
    rounds = {n: (max(1, CALLS // len(reqs)), _rounds_for(theirs_map, reqs)) for n, _, theirs_map, reqs in cells}
    samples: dict[int, tuple[list[float], list[float]]] = {n: ([], []) for n in sizes}
    for _ in range(REPEATS):
        for n, ours_map, theirs_map, reqs in cells:
            samples[n][0].append(_sample(ours_map, reqs, rounds[n][0]))
            samples[n][1].append(_sample(theirs_map, reqs, rounds[n][1]))
    return [
        {
            "resources": n,
            "routes": len(ours_map.matchlist),
            "ours": statistics.median(samples[n][0]),
            "routes_pkg": statistics.median(samples[n][1]),
        }
        for n, ours_map, _, _ in cells
    ]


def table(rows: list[dict[str, Any]]) -> str:
    base = rows[0]["ours"]
    lines = [
        "| resources | routes | asgipaste µs/match | Routes 2.5.1 µs/match | Routes / ours | ours / ours@10 |",
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
    """Measure and return the markdown tables (plain resources; nova's ``/{project_id}`` prefix)."""
    plain = table(measure())
    nova = table(measure("/{project_id}", (10, 100, 1000)))
    return (
        "Resources at the root (`/serversN/...`):\n\n"
        + plain
        + '\n\nnova v2 shape, every resource under `path_prefix="/{project_id}"`:\n\n'
        + nova
    )


if __name__ == "__main__":
    print(run())
