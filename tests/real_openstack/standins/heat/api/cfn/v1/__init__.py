"""heat.api.cfn.v1: API, the CloudFormation query API router."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import Router, resource_router


class API(Router):
    def __init__(self, conf: Any, **local_conf: Any) -> None:
        self.conf = conf
        super().__init__(resource_router("heat.cfn", "stacks").map)
