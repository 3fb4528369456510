"""Old import path of :mod:`asgipaste.urlmap.cascade` (a composite, so it lives with the urlmap)."""

from asgipaste.urlmap.cascade import *  # noqa: F403
from asgipaste.urlmap.cascade import __all__ as __all__
