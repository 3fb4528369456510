"""barbican.api.middleware.microversion: answers the negotiated key-manager microversion."""

from __future__ import annotations

import webob

from barbican.api import middleware

LATEST = "1.1"


class MicroversionMiddleware(middleware.Middleware):
    name = "barbican.microversion"

    def process_response(self, response: webob.Response) -> webob.Response:
        response.headers["OpenStack-API-Version"] = f"key-manager {LATEST}"
        response.headers.add("Vary", "OpenStack-API-Version")
        return response
