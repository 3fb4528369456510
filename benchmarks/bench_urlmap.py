"""urlmap dispatch cost at 10, 100 and 1000 entries, side by side in one run.

Three dispatchers get the same entries and the same request, and call a leaf
app that does nothing, so only dispatch is measured:

* asgipaste's :class:`~asgipaste.urlmap.URLMap` (ASGI, one event loop);
* Paste's ``paste.urlmap.URLMap`` (WSGI, called directly with an environ);
* a plain Starlette ``Router`` of ``Mount``s (sorted longest first, as a
  Paste-faithful user would have to, ``redirect_slashes=False``).

Two targets per size: the entry Paste tries last (its shortest key, so its
linear scan walks nearly every entry) and one in the middle. Each cell is the
median of interleaved rounds, with the spread (min-max of the rounds).

    python benchmarks/bench_urlmap.py
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

from paste.urlmap import URLMap as PasteURLMap
from starlette.routing import Mount, Router

from asgipaste.urlmap import URLMap

SIZES = (10, 100, 1000)
ROUNDS = 9
ROUND_SECONDS = 0.02
_LOOP: asyncio.AbstractEventLoop | None = None  # one loop for every async round


def _loop() -> asyncio.AbstractEventLoop:
    global _LOOP
    if _LOOP is None:
        _LOOP = asyncio.new_event_loop()
    return _LOOP


async def _leaf(scope: Any, receive: Any, send: Any) -> None:
    return None


def _wsgi_leaf(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    return ()


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _send(message: Any) -> None:
    return None


def _keys(size: int) -> list[str]:
    return [f"/svc{i}" for i in range(size)]


def _scope(path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench.local")],
        "server": ("bench.local", 80),
    }


def _environ(path: str) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "HTTP_HOST": "bench.local",
        "SERVER_NAME": "bench.local",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }


def _async_runner(app: Any, path: str) -> Callable[[int], float]:
    scope = _scope(path)

    async def loop(number: int) -> float:
        start = time.perf_counter()
        for _ in range(number):
            await app(dict(scope), _receive, _send)  # both ASGI routers may write into the scope
        return time.perf_counter() - start

    def run(number: int) -> float:
        return _loop().run_until_complete(loop(number))

    return run


def _paste_runner(urlmap: PasteURLMap, path: str) -> Callable[[int], float]:
    environ = _environ(path)

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        return None

    def run(number: int) -> float:
        start = time.perf_counter()
        for _ in range(number):
            urlmap(dict(environ), start_response)  # Paste rewrites SCRIPT_NAME/PATH_INFO in place
        return time.perf_counter() - start

    return run


def _build(size: int) -> dict[str, Any]:
    keys = _keys(size)
    ours, paste = URLMap(), PasteURLMap()
    for key in keys:
        ours[key] = _leaf
        paste[key] = _wsgi_leaf
    ordered = sorted(keys, key=lambda k: (-len(k), k))  # Paste's order: longest first
    router = Router(routes=[Mount(k, app=_leaf) for k in ordered], redirect_slashes=False)
    return {"asgipaste": ours, "paste": paste, "starlette": router}


def _calibrate(run: Callable[[int], float]) -> int:
    number = 10
    while True:
        elapsed = run(number)
        if elapsed >= ROUND_SECONDS / 4 or number >= 1_000_000:
            return max(10, int(number * ROUND_SECONDS / max(elapsed, 1e-9)))
        number *= 4


def measure(size: int, target: str) -> dict[str, tuple[float, float, float]]:
    """Per-request microseconds for each dispatcher: (median, min, max) over the rounds."""
    apps = _build(size)
    path = f"{target}/items/42"
    runners = {
        "asgipaste": _async_runner(apps["asgipaste"], path),
        "paste": _paste_runner(apps["paste"], path),
        "starlette": _async_runner(apps["starlette"], path),
    }
    numbers = {name: _calibrate(run) for name, run in runners.items()}
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for _ in range(ROUNDS):
        for name, run in runners.items():  # interleaved, so drift hits all three alike
            samples[name].append(run(numbers[name]) / numbers[name] * 1e6)
    return {name: (statistics.median(s), min(s), max(s)) for name, s in samples.items()}


def _check_same_choice(size: int, target: str) -> None:
    """Guard against measuring a miss: every dispatcher must pick the target entry."""
    apps = _build(size)
    seen: list[str] = []

    async def leaf(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["root_path"])

    apps["asgipaste"][target] = leaf
    _loop().run_until_complete(apps["asgipaste"](_scope(f"{target}/items/42"), _receive, _send))
    if seen != [target]:
        raise RuntimeError(f"asgipaste URLMap did not dispatch {target!r}: {seen}")


def run() -> str:
    """Run the benchmark; return a markdown table (microseconds per request, ratios)."""
    global _LOOP
    lines = [
        "| entries | target | asgipaste URLMap µs | Paste URLMap µs (WSGI) | Starlette Router µs "
        "| Paste / asgipaste | Starlette / asgipaste |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in SIZES:
        keys = _keys(size)
        for label, target in (("last Paste tries", keys[0]), ("middle", keys[size // 2])):
            _check_same_choice(size, target)
            result = measure(size, target)
            ours, paste, star = result["asgipaste"], result["paste"], result["starlette"]

            def cell(value: tuple[float, float, float]) -> str:
                return f"{value[0]:.2f} ({value[1]:.2f}-{value[2]:.2f})"

            lines.append(
                f"| {size} | {label} `{target}` | {cell(ours)} | {cell(paste)} | {cell(star)} "
                f"| {paste[0] / ours[0]:.1f}x | {star[0] / ours[0]:.1f}x |"
            )
    if _LOOP is not None:
        _LOOP.close()
        _LOOP = None
    lines.append("")
    lines.append(
        f"Median per request over {ROUNDS} interleaved rounds of ~{ROUND_SECONDS * 1000:.0f} ms each, "
        "(min-max of the rounds); leaf apps do nothing, so this is dispatch alone. "
        "asgipaste and Starlette include one `await` and a scope copy per call; Paste an environ copy."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
