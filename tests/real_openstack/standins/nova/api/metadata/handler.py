"""nova.api.metadata.handler: the metadata service's request handler."""

from __future__ import annotations

from typing import Any

import webob
import webob.dec
from openstack_standin_kit import Application, Request


class MetadataRequestHandler(Application):
    """Serve metadata."""

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        if req.path_info in ("", "/"):
            return webob.Response(body=b"1.0\nlatest\n", content_type="text/plain", charset="UTF-8")
        if req.path_info.startswith("/latest/meta-data"):
            forwarded = req.headers.get("X-Forwarded-For", "")
            return webob.Response(
                body=f"instance-id\nlocal-ipv4\n# for {req.remote_addr} {forwarded}".encode(),
                content_type="text/plain",
                charset="UTF-8",
            )
        return webob.exc.HTTPNotFound()
