"""WSGIAdapter is anyio code: it also serves under trio (one to_thread call per hop)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from asgipaste.interop import WSGIAdapter

pytest.importorskip("trio")


def hello(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [environ["wsgi.input"].read() or b"hi"]


def stream(environ: Any, start_response: Any) -> Iterator[bytes]:
    start_response("200 OK", [])
    for i in range(3):
        yield b"x%d" % i


@pytest.mark.parametrize("threads", [None, 0])
@pytest.mark.parametrize(
    ("app", "body", "expected"),
    [(hello, b"", [b"hi"]), (hello, b"posted", [b"posted"]), (stream, b"", [b"x0", b"x1", b"x2", b""])],
)
def test_adapter_under_trio(app: Any, body: bytes, expected: list[bytes], threads: int | None) -> None:
    sent: list[Any] = []

    async def main() -> None:
        messages = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> Any:
            if messages:
                return messages.pop()
            await anyio.sleep_forever()

        async def send(message: Any) -> None:
            sent.append(message)

        headers = [(b"content-length", str(len(body)).encode())] if body else []
        scope = {"type": "http", "method": "POST", "path": "/", "query_string": b"", "headers": headers}
        with anyio.fail_after(5):
            await WSGIAdapter(app, threads=threads)(scope, receive, send)

    anyio.run(main, backend="trio")
    assert sent[0]["status"] == 200
    assert [m["body"] for m in sent[1:]] == expected
