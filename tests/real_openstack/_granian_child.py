"""Serve one app section of an INI file with asgipaste on granian's ASGI interface (a test child process).

argv[1] is JSON: ``ini``, ``name``, ``port``, ``global_conf``, ``imports``
(modules imported first: they register oslo.config options; ``module:func``
also calls ``func(cfg.CONF)``, heat's ``setup_paste_factories``) and
``oslo_overrides`` (``[name, value, group]`` triples set on oslo.config's
global CONF before loading; granian forks its worker, which inherits them).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path


def main() -> None:
    spec = json.loads(sys.argv[1])
    from oslo_config import cfg

    hooks = []
    for entry in spec.get("imports", []):
        module, _, hook = entry.partition(":")
        imported = importlib.import_module(module)
        if hook:  # a setup hook that takes the service's ConfigOpts (heat's setup_paste_factories)
            hooks.append(getattr(imported, hook))
    for name, value, group in spec.get("oslo_overrides", []):
        cfg.CONF.set_override(name, value, group=group)
    for hook in hooks:
        hook(cfg.CONF)

    from asgipaste.servers import Listen, ServeTarget
    from asgipaste.servers.granian import GranianServer

    target = ServeTarget(path=Path(spec["ini"]), name=spec["name"], global_conf=spec.get("global_conf", {}))
    server = GranianServer(listen=Listen("127.0.0.1", int(spec["port"])), interface="asgi", log_level="info")
    print("granian child: starting", flush=True)
    # The loaded stack, not the target: granian's forked worker reuses it instead of loading the file again.
    server(target.load())


if __name__ == "__main__":
    main()
