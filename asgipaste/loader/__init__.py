"""The loader: an INI file to a plan to one ASGI app, in the order data flows.

* :mod:`~asgipaste.loader.dialect`: PasteDeploy's INI dialect (``%(here)s``,
  ``set``/``get``, ``[DEFAULT]``), read once with every key's line; the one
  INI reader the CLI, the launcher and logging setup use too;
* :mod:`~asgipaste.loader.references`: ``use`` references: URIs, object
  types, entry points (nothing imported yet);
* :mod:`~asgipaste.loader.resolve`: sections and URIs into plan nodes, with
  PasteDeploy's global/local rules (no user code imported);
* :mod:`~asgipaste.loader.plan`: the nodes: what to build, with which
  configuration, from which file, section and line;
* :mod:`~asgipaste.loader.build`: the builder, handed a plan: calls each
  factory once and joins WSGI and ASGI only at their borders;
* :mod:`~asgipaste.loader.coerce`: typed options for middleware classes named in the INI;
* :mod:`~asgipaste.loader.api`: ``loadapp``, ``loadfilter``, ``loadserver``,
  ``appconfig``, ``load_stack``, ``check_config``.

>>> from asgipaste.loader import loadapp
>>> loadapp is __import__("asgipaste").loadapp
True
"""

from __future__ import annotations

from asgipaste.loader.api import appconfig, check_config, load_stack, loadapp, loadfilter, loadserver
from asgipaste.loader.resolve import register_scheme

__all__ = ["appconfig", "check_config", "load_stack", "loadapp", "loadfilter", "loadserver", "register_scheme"]
