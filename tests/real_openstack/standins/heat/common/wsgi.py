"""heat.common.wsgi: the generic paste factories that exist only while heat loads its paste file.

``paste.app_factory = heat.common.wsgi:app_factory`` with ``heat.app_factory =
module:Class`` in the same section: heat binds ``app_factory`` and
``filter_factory`` as module globals in ``setup_paste_factories(conf)`` right
before ``loadapp`` and deletes them right after, so the factories can hand
heat's ConfigOpts to every app and filter.
"""

from __future__ import annotations

from typing import Any

from oslo_utils import importutils


class BasePasteFactory:
    """A base class for paste app and filter factories."""

    KEY: str = ""

    def __init__(self, conf: Any) -> None:
        self.conf = conf

    def __call__(self, global_conf: dict[str, Any], **local_conf: Any) -> Any:
        raise NotImplementedError

    def _import_factory(self, local_conf: dict[str, Any]) -> Any:
        """Import an app/filter class named by KEY in the local conf (``module:Class`` works too)."""
        class_name = local_conf[self.KEY].replace(":", ".").strip()
        return importutils.import_class(class_name)


class AppFactory(BasePasteFactory):
    """A generic paste.deploy app factory: ``heat.app_factory`` names the WSGI app class."""

    KEY = "heat.app_factory"

    def __call__(self, global_conf: dict[str, Any], **local_conf: Any) -> Any:
        factory = self._import_factory(local_conf)
        return factory(self.conf, **local_conf)


class FilterFactory(AppFactory):
    """A generic paste.deploy filter factory: ``heat.filter_factory`` names the filter callable."""

    KEY = "heat.filter_factory"

    def __call__(self, global_conf: dict[str, Any], **local_conf: Any) -> Any:
        factory = self._import_factory(local_conf)

        def filter(app: Any) -> Any:
            return factory(app, self.conf, **local_conf)

        return filter


def setup_paste_factories(conf: Any) -> None:
    """Bind the module's ``app_factory`` and ``filter_factory`` to factories carrying ``conf``."""
    global app_factory, filter_factory
    app_factory = AppFactory(conf)
    filter_factory = FilterFactory(conf)


def teardown_paste_factories() -> None:
    """Reverse the effect of setup_paste_factories()."""
    global app_factory, filter_factory
    del app_factory
    del filter_factory
