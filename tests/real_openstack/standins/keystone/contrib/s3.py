"""keystone.contrib.s3: the S3 token extension router."""

from openstack_standin_kit import Middleware


class S3Extension(Middleware):
    name = "keystone.s3_extension"
