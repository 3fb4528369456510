"""nova.conf: nova keeps its options on oslo.config's global CONF; [api] auth_strategy picks the pipeline."""

from oslo_config import cfg

CONF = cfg.CONF
CONF.register_opts(
    [cfg.StrOpt("auth_strategy", default="keystone", choices=("keystone", "noauth2"))], group="api"
)
