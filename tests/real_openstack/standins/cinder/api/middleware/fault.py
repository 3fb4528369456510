"""cinder.api.middleware.fault: FaultWrapper."""

from openstack_standin_kit import FaultWrapper as _FaultWrapper


class FaultWrapper(_FaultWrapper):
    name = "cinder.faultwrap"
