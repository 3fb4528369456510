"""nova.api.openstack.auth: NoAuthMiddleware (the deprecated noauth2 pipeline)."""

from openstack_standin_kit import NoAuthMiddleware as _NoAuth


class NoAuthMiddleware(_NoAuth):
    name = "nova.noauth2"
