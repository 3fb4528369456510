"""Soak: mixed load on the bundled stack; the server's RSS and open files must not keep growing.

The bundled compute API (``asgipaste/demo/api-paste.ini``, keystone tokens in
SQLite, no rate limit) runs under ``uvicorn asgipaste.serve:app`` in its own
process. Eight clients mix creates, lists, shows, renames and deletes of
servers (each client deletes what it creates, so the data stays bounded),
version documents, the WSGI tutorial apps (through the WSGI adapter), 404s,
bad tokens, over-size bodies and requests abandoned mid-flight. RSS and open
file descriptors of the server are sampled every 0.5 s; after a warm-up
(the first quarter), the median of the last samples may exceed the median of
the first post-warm-up samples by less than 10%.

``ASGIPASTE_SOAK_SECONDS`` sets the length (default 20 in CI; 60 s is the
documented run: ``ASGIPASTE_SOAK_SECONDS=60 python -m pytest tests/reliability/test_soak.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import statistics
import time
from pathlib import Path

import httpx
import pytest

from asgipaste.demo import DEFAULT_CONFIG
from tests import _proc

SECONDS = float(os.environ.get("ASGIPASTE_SOAK_SECONDS", "20"))
CLIENTS = 8
TOKEN = {"X-Auth-Token": "admin:demo"}
SERVERS = "/v2/demo/servers"

pytestmark = [pytest.mark.slow, pytest.mark.asyncio, pytest.mark.timeout(SECONDS + 60)]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def _client(client: httpx.AsyncClient, base: str, number: int, deadline: float, statuses: dict[int, int]) -> None:
    rng = random.Random(number)
    mine: list[str] = []
    serial = 0
    while time.monotonic() < deadline:
        serial += 1
        roll = rng.random()
        try:
            if roll < 0.20 or not mine:
                body = {"server": {"name": f"soak-{number}-{serial}", "flavorRef": str(rng.randint(1, 5))}}
                response = await client.post(SERVERS, json=body, headers=TOKEN)
                if response.status_code == 202 or response.status_code == 200:
                    mine.append(response.json()["server"]["id"])
            elif roll < 0.40:
                response = await client.get(SERVERS, params={"limit": 20}, headers=TOKEN)
            elif roll < 0.50:
                response = await client.get(f"{SERVERS}/{rng.choice(mine)}", headers=TOKEN)
            elif roll < 0.55:
                body = {"server": {"name": f"renamed-{serial}"}}
                response = await client.put(f"{SERVERS}/{rng.choice(mine)}", json=body, headers=TOKEN)
            elif roll < 0.70 and mine:
                response = await client.delete(f"{SERVERS}/{mine.pop(0)}", headers=TOKEN)
            elif roll < 0.78:
                response = await client.get(rng.choice(["/", "/v2/", "/tutorial/firstapp", "/tutorial/secondapp"]))
            elif roll < 0.84:
                response = await client.get(rng.choice(["/nope", "/v2/demo/nope", "/tutorial/nope"]), headers=TOKEN)
            elif roll < 0.90:
                response = await client.get(SERVERS, headers={"X-Auth-Token": "forged:token"})
            elif roll < 0.95:
                response = await client.post(SERVERS, content=b"x" * 200_000, headers=TOKEN)  # over sizelimit
            else:  # abandon a request mid-flight: the server must clean up after it
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.002):
                        await client.get(SERVERS, headers=TOKEN)
                continue
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        except httpx.HTTPError:
            statuses[0] = statuses.get(0, 0) + 1
    for server_id in mine:  # leave the data as it was
        await client.delete(f"{SERVERS}/{server_id}", headers=TOKEN)


async def test_soak_rss_and_open_files_stay_flat(tmp_path: Path) -> None:
    config = tmp_path / "api-paste.ini"
    config.write_text(Path(DEFAULT_CONFIG).read_text())
    variables = {"auth_strategy": "keystone", "api_rate_limit": "false", "sqlite_db": str(tmp_path / "soak.sqlite")}
    port = _proc.free_port()
    env = _proc.env_for(config, ASGIPASTE_VARS=json.dumps(variables))
    served = _proc.Served(_proc.uvicorn_argv(port), env, port)
    samples: list[tuple[float, int, int]] = []
    statuses: dict[int, int] = {}
    try:
        served.wait_ready("/")
        pid = served.proc.pid
        started = time.monotonic()
        deadline = started + SECONDS
        limits = httpx.Limits(max_connections=CLIENTS * 2)
        async with httpx.AsyncClient(base_url=served.url, timeout=10, limits=limits) as client:
            load = [asyncio.create_task(_client(client, served.url, n, deadline, statuses)) for n in range(CLIENTS)]
            while time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                samples.append((time.monotonic() - started, _rss_kib(pid), _fds(pid)))
            await asyncio.gather(*load)
        assert served.proc.poll() is None, served.log()[-2000:]
    finally:
        served.stop()
    total = sum(statuses.values())
    assert total > 100, statuses
    assert statuses.get(500, 0) == 0 and statuses.get(0, 0) == 0, statuses
    assert {200, 202, 204, 404, 401, 413} & set(statuses), statuses
    after_warmup = [s for s in samples if s[0] >= SECONDS / 4]
    window = max(3, len(after_warmup) // 5)
    assert len(after_warmup) >= 2 * window, samples
    first, last = after_warmup[:window], after_warmup[-window:]
    for index, what in ((1, "RSS (KiB)"), (2, "open fds")):
        before = statistics.median(s[index] for s in first)
        after = statistics.median(s[index] for s in last)
        assert after < before * 1.10, f"{what} grew from {before} to {after} after warm-up: {samples}"
