"""nova.api.openstack: FaultWrapper and LegacyV2CompatibleWrapper."""

from __future__ import annotations

from typing import Any

import webob
from openstack_standin_kit import FaultWrapper as _FaultWrapper
from openstack_standin_kit import Middleware


class FaultWrapper(_FaultWrapper):
    """Calls down the middleware stack, making exceptions into faults."""

    name = "nova.faultwrap"


class LegacyV2CompatibleWrapper(Middleware):
    """Marks the request legacy-v2 and drops microversion headers from the answer."""

    name = "nova.legacy_v2_compatible"

    def process_request(self, req: webob.Request) -> Any:
        req.environ["standin.legacy_v2"] = True
        return None

    def process_response(self, response: webob.Response) -> webob.Response:
        for header in ("OpenStack-API-Version", "X-OpenStack-Nova-API-Version"):
            response.headers.pop(header, None)
        return response
