"""cinder.api.middleware.request_id: oslo.middleware's RequestId, also answering x-compute-request-id."""

from oslo_middleware import request_id as oslo_request_id


class RequestId(oslo_request_id.RequestId):
    compat_headers = ["x-compute-request-id"]
