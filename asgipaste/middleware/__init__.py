"""asgipaste's own ASGI middleware and composites, reached through entry points like any other.

* :mod:`asgipaste.middleware.prefix`: PasteDeploy's ``prefix`` filter (root_path and proxy headers).
* :mod:`asgipaste.middleware.cascade`: Paste's ``cascade`` composite (try apps until one is not a 404).
"""

from __future__ import annotations
