"""glance.api.versions: the versions controller and its paste app factory ``create_resource``."""

from __future__ import annotations

from typing import Any

import webob
import webob.dec
from openstack_standin_kit import Request, describe, json_response

VERSIONS = ("v2.17", "v2.16", "v2.15", "v2.9", "v2.7", "v2.6", "v2.5", "v2.4", "v2.3", "v2.2", "v2.1", "v2.0")


class Controller:
    """A wsgi controller that reports which API versions are supported."""

    def index(self, req: webob.Request, explicit: bool = False) -> webob.Response:
        body = {
            "versions": [
                {"id": v, "status": "CURRENT" if i == 0 else "SUPPORTED",
                 "links": [{"rel": "self", "href": f"{req.host_url}/v2/"}]}
                for i, v in enumerate(VERSIONS)
            ],
            "answered_by": describe(req, "glance.versions"),
        }
        return json_response(body, status=200 if explicit else 300)

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        return self.index(req)


def create_resource(conf: Any) -> Any:
    return Controller()
