"""Shared helpers for the interop tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn

from asgipaste.types import ASGIApp
from tests._server import running_server


@contextlib.asynccontextmanager
async def serve(
    app: ASGIApp, *, timeout: float = 10, **config: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, uvicorn.Server]]:
    """A real uvicorn serving ``app`` and an httpx client pointed at it."""
    async with (
        running_server(app, **config) as (url, server),
        httpx.AsyncClient(base_url=url, timeout=timeout) as client,
    ):
        yield client, server
