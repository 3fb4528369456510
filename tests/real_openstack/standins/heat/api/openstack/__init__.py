"""heat.api.openstack: the filters heat.filter_factory names for the native API."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import FaultWrapper

from heat.api.openstack import versions
from heat.common.version_negotiation import VersionNegotiationFilter


class _HeatFault(FaultWrapper):
    name = "heat.faultwrap"


def version_negotiation_filter(app: Any, conf: Any, **local_conf: Any) -> Any:
    return VersionNegotiationFilter(versions.Controller, app, conf, **local_conf)


def faultwrap_filter(app: Any, conf: Any, **local_conf: Any) -> Any:
    return _HeatFault(app)
