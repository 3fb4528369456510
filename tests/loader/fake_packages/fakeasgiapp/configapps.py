from __future__ import annotations

from typing import Any


class SimpleApp:
    def __init__(self, global_conf: dict[str, str], local_conf: dict[str, str], name: str) -> None:
        self.global_conf = global_conf
        self.local_conf = local_conf
        self.name = name

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": f"I am: {self.name}".encode()})

    @classmethod
    def make_app(cls, global_conf: dict[str, str], **conf: str) -> SimpleApp:
        return cls(global_conf, conf, "basic")
