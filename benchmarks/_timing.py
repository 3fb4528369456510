"""Small helpers: medians over interleaved rounds, and markdown tables."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def per_call_seconds(func: Callable[[], object], min_seconds: float = 0.05) -> float:
    """Seconds per call of ``func``, calling it for at least ``min_seconds``."""
    calls = 0
    start = time.perf_counter()
    deadline = start + min_seconds
    while True:
        func()
        calls += 1
        now = time.perf_counter()
        if now >= deadline:
            return (now - start) / calls


def rounds(funcs: dict[str, Callable[[], float]], count: int) -> dict[str, list[float]]:
    """Run each measurement ``count`` times, interleaved so drift hits all alike."""
    results: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(count):
        for name, func in funcs.items():
            results[name].append(func())
    return results


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float], scale: float = 1.0, fmt: str = "{:.1f}") -> str:
    return f"{fmt.format(min(values) * scale)}–{fmt.format(max(values) * scale)}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
