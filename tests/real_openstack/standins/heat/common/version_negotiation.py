"""heat.common.version_negotiation: pops /v1 into SCRIPT_NAME, else answers the versions document."""

from __future__ import annotations

import re
from typing import Any

import webob
import webob.dec
from openstack_standin_kit import Request, mark

VERSION_RE = re.compile(r"^v(\d+)(?:\.(\d+))?$")


class VersionNegotiationFilter:
    def __init__(self, version_controller: Any, app: Any, conf: Any, **local_conf: Any) -> None:
        self.versions_app = version_controller(conf)
        self.app = app
        self.conf = conf

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        mark(req, "heat.versionnegotiation")
        match = VERSION_RE.match(req.path_info_peek() or "")
        if match and int(match.group(1)) == 1:
            req.environ["api.version"] = match.group(0)
            req.path_info_pop()
            return req.get_response(self.app)
        return self.versions_app
