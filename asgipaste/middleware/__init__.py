"""asgipaste's own ASGI middleware and composites, reached through entry points like any other.

* :mod:`asgipaste.middleware.prefix`: PasteDeploy's ``prefix`` filter (root_path and proxy headers).
* Paste's ``cascade`` composite moved to :mod:`asgipaste.urlmap.cascade` (the old path still imports).
"""

from __future__ import annotations
