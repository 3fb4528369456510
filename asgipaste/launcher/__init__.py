"""nova-api's launcher, first class: several apps of one INI, each on its own port and workers.

.. code-block:: ini

    [DEFAULT]
    enabled_apis = osapi_compute, metadata
    osapi_compute_listen = 127.0.0.1
    osapi_compute_listen_port = 8774
    osapi_compute_workers = 2
    metadata_listen_port = 8775
    metadata_workers = 1
    max_url_len = 16384

.. code-block:: console

    $ asgipaste launch api-paste.ini osapi_compute_workers=4

The options come from ``[asgipaste:launcher]`` when the file has that section,
else from ``[DEFAULT]``; command-line ``var=value`` pairs override both (and
reach every app's ``global_conf``). The supervisor binds each listening socket
once, spawns ``<api>_workers`` processes per app, each running its own
``uvicorn.Server`` (so each app's lifespan runs once per worker) on the shared
socket, and:

* replaces a worker that dies;
* on SIGTERM or SIGINT closes its listeners and lets every worker drain its
  in-flight requests (bounded by ``graceful_shutdown_timeout``, default 60 s);
* on SIGHUP re-reads the file, loads every app in a throwaway process first,
  and only then replaces the workers one by one (a new worker must be ready
  before an old one is told to drain); a configuration that fails to load is
  logged with its message and the running workers keep serving.

The supervisor never imports user code: loading happens in the workers and in
the throwaway validation process.

The package, in the order a launch flows through it:

* :mod:`~asgipaste.launcher.plan`: the options, read nova-style from the INI;
* :mod:`~asgipaste.launcher.supervisor`: :class:`Launcher`, the supervisor process;
* :mod:`~asgipaste.launcher.worker`: what runs in each worker (and the validation process).
"""

from __future__ import annotations

from asgipaste.launcher.plan import ApiSpec, LaunchPlan, read_launch_plan
from asgipaste.launcher.supervisor import Launcher, validate

__all__ = ["ApiSpec", "LaunchPlan", "Launcher", "read_launch_plan", "validate"]
