"""swift.proxy.server: the proxy Application (answers /info and the account/container/object paths)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from swift.common.standin import TRAIL, StartResponse, json_answer


class Application:
    def __init__(self, conf: dict[str, Any]) -> None:
        self.conf = conf

    def check_config(self) -> None:
        """Check the configuration for possible errors (the real one warns about settings)."""

    def __call__(self, env: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = env.get("PATH_INFO", "")
        if path == "/info":
            return json_answer(start_response, "200 OK", {"swift": {"version": "2.35.0"}, "tempauth": {}})
        parts = path.split("/", 4)[1:]
        if len(parts) < 2 or parts[0] != "v1" or not parts[1]:
            start_response("412 Precondition Failed", [("Content-Type", "text/plain"), ("Content-Length", "13")])
            return [b"Invalid path."]
        account, container, obj = [*parts[1:], None, None][:3]
        body = env["wsgi.input"].read(int(env.get("CONTENT_LENGTH") or 0)) if env.get("CONTENT_LENGTH") else b""
        answer = {
            "method": env["REQUEST_METHOD"], "account": account, "container": container, "object": obj,
            "user": env.get("REMOTE_USER"), "trail": env.get(TRAIL, []), "body_bytes": len(body),
            "backend_headers": sorted(k for k in env if k.startswith("HTTP_X_BACKEND_")),
        }
        status = "201 Created" if env["REQUEST_METHOD"] == "PUT" else "200 OK"
        return json_answer(start_response, status, answer, ("X-Account-Container-Count", "1"))


def app_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    """paste.deploy app factory for creating WSGI proxy apps."""
    conf = global_conf.copy()
    conf.update(local_conf)
    app = Application(conf)
    app.check_config()
    return app
