"""heat.api.aws.ec2token: authenticates EC2-signed requests against keystone."""

from __future__ import annotations

from typing import Any

from openstack_standin_kit import Middleware


class EC2Token(Middleware):
    name = "heat.ec2token"

    def __init__(self, app: Any, conf: dict[str, Any]) -> None:
        super().__init__(app)
        self.conf = conf


def EC2Token_filter_factory(global_conf: dict[str, Any], **local_conf: Any) -> Any:
    """Factory method for paste.deploy."""
    conf = global_conf.copy()
    conf.update(local_conf)

    def filter(app: Any) -> Any:
        return EC2Token(app, conf)

    return filter
