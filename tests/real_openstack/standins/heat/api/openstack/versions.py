"""heat.api.openstack.versions: the native API's versions controller."""

from openstack_standin_kit import VersionsApp


class Controller(VersionsApp):
    name = "heat.versions"
    versions = ({"id": "v1.0", "status": "CURRENT"},)

    def __init__(self, conf: object) -> None:
        super().__init__()
        self.conf = conf
