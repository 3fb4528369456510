"""A Pyramid app shaped like the Pyramid cookiecutter's, for ``egg:realapps_pyramid``.

``main`` is the ``paste.app_factory`` entry point of a tiny distribution the
tests write (``realapps_pyramid-0.1.dist-info`` in a temporary directory on
``sys.path``), so ``development.ini`` names it exactly as a real project does.
"""

from __future__ import annotations

from typing import Any

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.response import Response

HOME = "<!DOCTYPE html><html><head><title>realapps</title></head><body><h1>Pyramid says hi</h1></body></html>"


def home(request: Request) -> Response:
    return Response(HOME, content_type="text/html")


def info(request: Request) -> dict[str, Any]:
    environ = request.environ
    return {
        "project": request.registry.settings.get("realapps.project"),
        "url": request.route_url("info"),
        "script_name": request.script_name,
        "multiprocess": environ["wsgi.multiprocess"],
        "multithread": environ["wsgi.multithread"],
        "remote_addr": request.remote_addr,
    }


def echo(request: Request) -> Response:
    return Response(body=request.body, content_type="application/octet-stream")


def main(global_config: dict[str, Any], **settings: Any) -> Any:
    """The WSGI app (the cookiecutter's ``main``)."""
    with Configurator(settings=settings) as config:
        config.add_route("home", "/")
        config.add_route("info", "/info")
        config.add_route("echo", "/echo")
        config.add_view(home, route_name="home")
        config.add_view(info, route_name="info", renderer="json")
        config.add_view(echo, route_name="echo", request_method="POST")
        return config.make_wsgi_app()
