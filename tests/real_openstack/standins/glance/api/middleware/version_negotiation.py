"""glance.api.middleware.version_negotiation: picks the API version from the URL (or the Accept media type)."""

from __future__ import annotations

from typing import Any

import webob

from glance.api import versions
from glance.common import wsgi


class VersionNegotiationFilter(wsgi.Middleware):
    name = "glance.versionnegotiation"

    def __init__(self, app: Any) -> None:
        self.versions_app = versions.Controller()
        self.vnd_mime_type = "application/vnd.openstack.images-"
        super().__init__(app)

    def process_request(self, req: webob.Request) -> Any:
        if req.path_info_peek() == "versions":
            return self.versions_app.index(req, explicit=True)
        accept = str(req.accept)
        if accept.startswith(self.vnd_mime_type):
            req_version = accept[len(self.vnd_mime_type):]
        else:
            req_version = self._pop_path_info(req)
        try:
            version = self._match_version_string(req_version)
        except ValueError:
            return self.versions_app
        req.environ["api.version"] = version
        req.path_info = "".join(("/v", str(version), req.path_info))
        return None

    def _match_version_string(self, subject: str | None) -> int:
        if subject in {f"v{v[1:]}" for v in versions.VERSIONS} | {"v2"}:
            return 2
        raise ValueError(f"Invalid version string: {subject}")

    def _pop_path_info(self, req: webob.Request) -> str | None:
        """'Pops' off the next segment of PATH_INFO, returns the popped segment (not moving SCRIPT_NAME)."""
        path = req.path_info
        if not path:
            return None
        while path.startswith("/"):
            path = path[1:]
        idx = path.find("/")
        if idx == -1:
            idx = len(path)
        r = path[:idx]
        req.path_info = path[idx:]
        return r
