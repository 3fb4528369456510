"""Serve one app section of an INI file with asgipaste on granian's ASGI interface (a test child process).

argv[1] is JSON: ``ini``, ``name``, ``port``, ``global_conf``, ``imports``
(modules imported first: they register oslo.config options) and
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
    for module in spec.get("imports", []):
        importlib.import_module(module)
    for name, value, group in spec.get("oslo_overrides", []):
        from oslo_config import cfg

        cfg.CONF.set_override(name, value, group=group)

    from asgipaste.servers import Listen, ServeTarget
    from asgipaste.servers.granian import GranianServer

    target = ServeTarget(path=Path(spec["ini"]), name=spec["name"], global_conf=spec.get("global_conf", {}))
    server = GranianServer(listen=Listen("127.0.0.1", int(spec["port"])), interface="asgi", log_level="info")
    print("granian child: starting", flush=True)
    server(target)


if __name__ == "__main__":
    main()
