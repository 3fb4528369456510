"""The service app behind the oslo.middleware pipelines: a plain WSGI app that echoes what reached it.

It answers with JSON describing the environ the middleware left (scheme, host,
remote address, script name, request id, identity headers, body size), so a
test can see what each filter did; ``/boom`` raises, for ``catch_errors``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

StartResponse = Callable[..., Any]

#: Headers a client may spoof and an auth filter must strip or overwrite.
IDENTITY_KEYS = (
    "HTTP_X_IDENTITY_STATUS",
    "HTTP_X_SERVICE_IDENTITY_STATUS",
    "HTTP_X_USER_ID",
    "HTTP_X_USER_NAME",
    "HTTP_X_ROLES",
    "HTTP_X_PROJECT_ID",
    "HTTP_X_PROJECT_NAME",
    "HTTP_X_DOMAIN_ID",
    "HTTP_X_USER",
    "HTTP_X_TENANT_ID",
    "HTTP_X_SERVICE_ROLES",
    "HTTP_X_IS_ADMIN_PROJECT",
)


class Boom(RuntimeError):
    """What /boom raises."""


def echo(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    if path.endswith("/boom"):
        raise Boom("the service failed")
    length = environ.get("CONTENT_LENGTH") or ""
    body = environ["wsgi.input"].read(int(length)) if length else environ["wsgi.input"].read()
    seen = {
        "method": environ["REQUEST_METHOD"],
        "url_scheme": environ["wsgi.url_scheme"],
        "host": environ.get("HTTP_HOST"),
        "remote_addr": environ.get("REMOTE_ADDR"),
        "script_name": environ.get("SCRIPT_NAME"),
        "path_info": path,
        "query_string": environ.get("QUERY_STRING", ""),
        "request_id": environ.get("openstack.request_id"),
        "global_request_id": environ.get("openstack.global_request_id"),
        "correlation_id": environ.get("HTTP_X_CORRELATION_ID"),
        "identity": {key: environ[key] for key in IDENTITY_KEYS if key in environ},
        "forwarded": sorted(key for key in environ if key.startswith(("HTTP_X_FORWARDED_", "HTTP_FORWARDED"))),
        "body_bytes": len(body),
    }
    payload = json.dumps(seen, sort_keys=True).encode()
    start_response(
        "200 OK",
        [("Content-Type", "application/json"), ("X-Echo", "yes"), ("Content-Length", str(len(payload)))],
    )
    return [payload]


def app_factory(global_conf: Mapping[str, str], **local_conf: str) -> Callable[..., Iterable[bytes]]:
    """``paste.app_factory``: the echo app (it takes no options)."""
    return echo
