"""A plaster loader for asgipaste: ``plaster.get_loader("asgipaste+ini://development.ini", protocols=["asgi"])``.

Pyramid's tools (``pshell``, ``prequest``, ``proutes``) and anything else built
on plaster find their settings and apps through it. It is reached by naming
asgipaste in the URI's scheme (``asgipaste+ini://``); plain ``development.ini``
URIs keep resolving to ``plaster_pastedeploy`` alone, since a second loader
under the ``file+ini`` scheme would make plaster refuse them with
``MultipleLoadersFound``.

>>> import plaster
>>> plaster.get_loader("asgipaste+ini:///srv/app.ini", protocols=["asgi"])
asgipaste.plaster_loader.Loader(uri="asgipaste+ini:///srv/app.ini")
"""

from __future__ import annotations

import logging
import os
from typing import Any

from asgipaste._logging import configure_from_ini
from asgipaste.errors import ConfigError
from asgipaste.loader.api import appconfig, load_stack, loadfilter, loadserver
from asgipaste.loader.dialect import read_ini
from asgipaste.types import ASGIApp

__all__ = ["ConfigDict", "Loader"]


class ConfigDict(dict[str, Any]):
    """A section's settings (its local conf), with ``global_conf`` and the ``loader`` beside them."""

    def __init__(self, local_conf: dict[str, Any], global_conf: dict[str, Any], loader: Loader) -> None:
        super().__init__(local_conf)
        self.global_conf = global_conf
        self.loader = loader


class Loader:
    """plaster's ``ILoader`` plus the ``asgi`` protocol (``get_asgi_app``) and ``wsgi`` (``get_wsgi_app``)."""

    def __init__(self, uri: Any) -> None:
        self.uri = uri
        self.filepath = os.path.abspath(uri.path)
        self.relative_to = os.getcwd()
        #: apps get_wsgi_app built, by id: (app, name, defaults), for get_wsgi_server
        self._built: dict[int, tuple[Any, str, dict[str, Any]]] = {}

    def __repr__(self) -> str:
        return f'asgipaste.plaster_loader.Loader(uri="{self.uri.scheme}://{self.uri.path}")'

    # -- ILoader -----------------------------------------------------------------
    def get_sections(self) -> list[str]:
        return read_ini(self.filepath).sections()

    def get_settings(self, section: str | None = None, defaults: dict[str, Any] | None = None) -> ConfigDict:
        """The settings of ``section``, exactly as ``plaster_pastedeploy`` gives them.

        Every key of the section, ``use`` included and interpolated, except keys
        ``[DEFAULT]`` also has (PasteDeploy's rule: ``get key = ...`` brings one
        in); ``set key = ...`` sets a default. No section (or none named: the
        URI's fragment is a section name, ``main`` is not ``app:main``) gives ``{}``.
        """
        section = section or self.uri.fragment or None
        ini = read_ini(self.filepath)
        ini.add_defaults(self._defaults(defaults), overwrite=True)
        global_conf = dict(ini.defaults())
        if section is None or not ini.has_section(section):
            return ConfigDict({}, global_conf, self)
        local_conf: dict[str, Any] = {}
        wanted: dict[str, str] = {}
        for key in ini.own_options(section):
            if key.startswith("set "):
                global_conf[key[4:].strip()] = ini.get(section, key)
            elif key.startswith("get "):
                local_conf[key[4:].strip()] = None  # keeps the file's order
                wanted[key[4:].strip()] = ini.get(section, key)
            elif key not in global_conf:
                local_conf[key] = ini.get(section, key)
        for key, global_key in wanted.items():
            local_conf[key] = global_conf[global_key]
        return ConfigDict(local_conf, global_conf, self)

    def setup_logging(self, defaults: dict[str, Any] | None = None) -> None:
        """The file's ``[loggers]`` sections, as ``pserve`` applies them; ``basicConfig`` without them."""
        if not configure_from_ini(_path(self.filepath), self._defaults(defaults)):
            logging.basicConfig()

    # -- protocols ---------------------------------------------------------------
    def get_asgi_app(self, name: str | None = None, defaults: dict[str, Any] | None = None) -> ASGIApp:
        """The ASGI app of ``[app:name]`` (default: the URI's fragment, else ``main``)."""
        return load_stack(self._spec(), name=self._name(name), global_conf=self._defaults(defaults)).asgi

    def get_wsgi_app(self, name: str | None = None, defaults: dict[str, Any] | None = None) -> Any:
        """The same app for WSGI callers (``loadapp(..., protocol="wsgi")``)."""
        from asgipaste.loader.api import loadapp

        app = loadapp(self._spec(), name=self._name(name), global_conf=self._defaults(defaults), protocol="wsgi")
        self._built[id(app)] = (app, self._name(name), defaults or {})
        return app

    def get_wsgi_app_settings(self, name: str | None = None, defaults: dict[str, Any] | None = None) -> ConfigDict:
        """``pyramid.paster.get_appsettings``: the app's settings as ``appconfig`` gives them."""
        return self.get_asgi_app_settings(name, defaults)

    def get_wsgi_server(self, name: str | None = None, defaults: dict[str, Any] | None = None) -> Any:
        """What ``pserve asgipaste+ini://FILE`` calls with the app from :meth:`get_wsgi_app`.

        An app this loader built is served as its section, as ``asgipaste serve``
        serves it (workers, ``--reload`` and SIGHUP included); any other WSGI app
        through one adapter.
        """
        server = self.get_asgi_server(name, defaults)

        def serve(app: Any) -> Any:
            from pathlib import Path

            from asgipaste.interop.detect import is_asgi_app
            from asgipaste.interop.wsgi import WSGIAdapter
            from asgipaste.servers.target import ServeTarget

            built = self._built.get(id(app))
            if built is not None and built[0] is app:
                global_conf = {key: str(value) for key, value in built[2].items()}
                return server(ServeTarget(Path(self.filepath), built[1], global_conf))
            return server(app if is_asgi_app(app) else WSGIAdapter(app))

        return serve

    def get_asgi_filter(self, name: str | None = None, defaults: dict[str, Any] | None = None) -> Any:
        return loadfilter(self._spec(), name=self._name(name), global_conf=self._defaults(defaults))

    def get_asgi_server(self, name: str | None = None, defaults: dict[str, Any] | None = None) -> Any:
        return loadserver(self._spec(), name=self._name(name), global_conf=self._defaults(defaults))

    def get_asgi_app_settings(self, name: str | None = None, defaults: dict[str, Any] | None = None) -> ConfigDict:
        conf = appconfig(self._spec(), name=self._name(name), global_conf=self._defaults(defaults))
        return ConfigDict(dict(conf.local_conf), dict(conf.global_conf), self)

    # -- helpers -----------------------------------------------------------------
    def _spec(self) -> str:
        if not os.path.isfile(self.filepath):
            raise ConfigError(f"Config file {self.filepath} not found", file=self.filepath)
        return f"config:{self.filepath}"

    def _name(self, name: str | None) -> str:
        return name or self.uri.fragment or "main"

    def _defaults(self, defaults: dict[str, Any] | None) -> dict[str, Any]:
        result = {"__file__": self.filepath, "here": os.path.dirname(self.filepath)}
        result.update(getattr(self.uri, "options", {}) or {})
        result.update(defaults or {})
        return result


def _path(text: str) -> Any:
    from pathlib import Path

    return Path(text)
