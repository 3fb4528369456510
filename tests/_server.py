"""A real uvicorn on 127.0.0.1:0 for tests of streaming, lifespan and disconnects.

httpx's ASGI transport buffers responses and never sends lifespan, so anything
about those goes through a real server, bound to loopback, bounded in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import uvicorn

from asgipaste.types import ASGIApp


class _Server(uvicorn.Server):
    """uvicorn's Server whose main loop wakes as soon as the test asks it to stop.

    uvicorn polls ``should_exit`` every 0.1 s; with a hundred servers started
    in the fast tier that polling alone cost seconds. Setting ``should_exit``
    directly still works (at uvicorn's own pace).
    """

    stop_now: asyncio.Event

    async def main_loop(self) -> None:
        self.stop_now = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_now.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    def stop(self) -> None:
        self.should_exit = True
        if hasattr(self, "stop_now"):
            self.stop_now.set()


@contextlib.asynccontextmanager
async def running_server(app: ASGIApp, **config: Any) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """Serve ``app`` on an ephemeral loopback port; yield ``(base_url, server)``."""
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on such sockets (else ~40 ms per response)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config.setdefault("lifespan", "on")
    config.setdefault("log_level", "warning")
    server = _Server(uvicorn.Config(app, **config))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        async with asyncio.timeout(10):
            while not server.started:
                if task.done():
                    task.result()  # startup failed: raise its error here
                    raise RuntimeError("uvicorn exited during startup")
                await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}", server
    finally:
        server.stop()
        with contextlib.suppress(BaseException):
            async with asyncio.timeout(10):
                await task
        sock.close()
