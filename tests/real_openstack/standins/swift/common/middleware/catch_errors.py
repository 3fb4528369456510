"""swift.common.middleware.catch_errors: gives each request a transaction id; an exception becomes a 500."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from swift.common.standin import StartResponse, mark


class CatchErrorsMiddleware:
    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        self.app = app
        self.trans_id_suffix = conf.get("trans_id_suffix", "")

    def __call__(self, env: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        mark(env, "catch_errors")
        trans_id = env.setdefault("swift.trans_id", f"tx{uuid.uuid4()}{self.trans_id_suffix}")

        def my_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            headers = [*headers, ("X-Trans-Id", trans_id), ("X-Openstack-Request-Id", trans_id)]
            return start_response(status, headers, exc_info)

        try:
            return list(self.app(env, my_start_response))
        except Exception:
            body = b"An error occurred"
            my_start_response("500 Internal Error", [("Content-Type", "text/plain"),
                                                     ("Content-Length", str(len(body)))])
            return [body]


def filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    conf = global_conf.copy()
    conf.update(local_conf)

    def except_filter(app: Any) -> Any:
        return CatchErrorsMiddleware(app, conf)

    return except_filter
