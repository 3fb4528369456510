"""keystone.contrib.ec2: the EC2 credentials extension routers."""

from openstack_standin_kit import Middleware


class Ec2Extension(Middleware):
    name = "keystone.ec2_extension"


class Ec2ExtensionV3(Middleware):
    name = "keystone.ec2_extension_v3"
