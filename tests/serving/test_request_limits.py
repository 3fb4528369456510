"""RequestLimits: 414 and 431 before the app sees an oversize request head."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from asgipaste import ConfigError, loadserver
from asgipaste.servers import RequestLimits


async def hello(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def status(app: Any, path: str = "/", headers: dict[str, str] | None = None) -> int:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return (await client.get(path, headers=headers)).status_code


@pytest.mark.asyncio
async def test_limits() -> None:
    app = RequestLimits(hello, max_url_len=50, max_headers=10, max_header_bytes=1000)
    assert await status(app) == 200
    assert await status(app, "/" + "a" * 60) == 414
    assert await status(app, headers={f"x-{i}": "v" for i in range(20)}) == 431
    assert await status(app, headers={"x-big": "a" * 2000}) == 431
    unlimited = RequestLimits(hello, max_url_len=0, max_headers=0, max_header_bytes=0)
    assert await status(unlimited, "/" + "a" * 60, headers={"x-big": "a" * 2000}) == 200


def test_server_options_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "s.ini"
    path.write_text("[server:main]\nuse = egg:asgipaste#uvicorn\nmax_header_count = -1\n")
    with pytest.raises(ConfigError) as info:
        loadserver(f"config:{path}")
    assert (info.value.section, info.value.key, info.value.line) == ("server:main", "max_header_count", 3)
    path.write_text("[server:main]\nuse = egg:asgipaste#uvicorn\nmax_header_count = 20\nmax_header_bytes = 0\n")
    server = loadserver(f"config:{path}")
    assert (server.max_headers, server.max_header_bytes) == (20, 0)
