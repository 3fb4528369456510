"""heat.api.cfn: the CloudFormation-compatible API's version negotiation filter."""

from __future__ import annotations

from typing import Any

from heat.api.openstack import versions
from heat.common.version_negotiation import VersionNegotiationFilter


def version_negotiation_filter(app: Any, conf: Any, **local_conf: Any) -> Any:
    return VersionNegotiationFilter(versions.Controller, app, conf, **local_conf)
