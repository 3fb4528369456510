"""The seed's Paste Deployment tutorial, kept as the legacy WSGI code it is (WebOb).

Two Python 2 details are ported and nothing else: ``print 'first filter'``
became a ``logging`` call (a server's stdout is not a log), and ``res.body``
is given bytes, as WebOb on Python 3 requires. The seed's unused
``from wsgi import Router, Resource`` lines are dropped. asgipaste loads these
classes unchanged and serves them beside the async compute API: the two
filters and the app fuse into one WSGI run that crosses into ASGI once.

.. code-block:: ini

    [composite:tutorial]
    use = egg:asgipaste#urlmap
    /firstapp = firstpipe
    /secondapp = secondapp

    [pipeline:firstpipe]
    pipeline = firstfilter secondfilter firstapp
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from webob import Response

from asgipaste.types import Environ, StartResponse, WSGIApp

__all__ = ["FirstApp", "FirstFilter", "SecondApp", "SecondFilter"]

logger = logging.getLogger("asgipaste.demo.tutorial")


class FirstApp:
    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        res = Response()
        res.status = '200 OK'
        res.content_type = 'text/plain'
        content = []
        content.append('I am first app')
        res.body = '\n'.join(content).encode('utf-8')
        result: Iterable[bytes] = res(environ, start_response)
        return result

    @classmethod
    def factory(cls, global_conf: dict[str, Any], **kwargs: str) -> FirstApp:
        return cls()


class FirstFilter:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        logger.info('first filter')
        return self.app(environ, start_response)

    @classmethod
    def factory(cls, global_conf: dict[str, Any], **kwargs: str) -> type[FirstFilter]:
        return cls


class SecondFilter:
    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        logger.info('second filter')
        return self.app(environ, start_response)

    @classmethod
    def factory(cls, global_conf: dict[str, Any], **kwargs: str) -> type[SecondFilter]:
        return cls


class SecondApp:
    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        res = Response()
        res.status = '200 OK'
        res.content_type = 'text/plain'
        content = []
        content.append('I am second app')
        res.body = '\n'.join(content).encode('utf-8')
        result: Iterable[bytes] = res(environ, start_response)
        return result

    @classmethod
    def factory(cls, global_conf: dict[str, Any], **kwargs: str) -> SecondApp:
        return cls()
