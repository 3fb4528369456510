"""nova.api.compute_req_id: oslo.middleware's RequestId that also answers x-compute-request-id (as in nova)."""

from oslo_middleware import request_id

HTTP_RESP_HEADER_REQUEST_ID = "x-compute-request-id"


class ComputeReqIdMiddleware(request_id.RequestId):
    compat_headers = [HTTP_RESP_HEADER_REQUEST_ID]
