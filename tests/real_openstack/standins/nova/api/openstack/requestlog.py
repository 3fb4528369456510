"""nova.api.openstack.requestlog: RequestLog logs each request with its status."""

from __future__ import annotations

import logging
from typing import Any

import webob
import webob.dec
from openstack_standin_kit import Middleware, Request, mark

LOG = logging.getLogger("nova.api.openstack.requestlog")


class RequestLog(Middleware):
    name = "nova.requestlog"

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req: webob.Request) -> Any:
        mark(req, self.name)
        response = req.get_response(self.application)
        LOG.info('%s "%s %s" status: %s', req.remote_addr, req.method, req.path_qs, response.status_int)
        return response
