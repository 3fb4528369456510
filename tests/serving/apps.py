"""Apps the serving tests name in their INI files with ``call:tests.serving.apps:...``."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from asgipaste.interop.detect import declare_asgi, declare_wsgi
from asgipaste.types import ASGIApp, Environ, Receive, Scope, Send, StartResponse, WSGIApp

log = logging.getLogger("tests.serving.apps")


@declare_asgi
def text_app(global_conf: dict[str, Any], **local_conf: str) -> ASGIApp:
    """Answers ``text``; ``/pid`` answers the worker's pid; ``/slow?seconds=N`` waits first."""
    text = local_conf.get("text", "hello")
    name = local_conf.get("name", "app")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    log.warning("lifespan startup %s pid %d", name, os.getpid())
                    await send({"type": "lifespan.startup.complete"})
                else:
                    log.warning("lifespan shutdown %s pid %d", name, os.getpid())
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert scope["type"] == "http"
        body = text
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):  # ASGI: path includes the mount prefix
            path = path[len(root) :]
        if path == "/pid":
            body = str(os.getpid())
        elif path == "/slow":
            seconds = float(parse_qs(scope["query_string"].decode())["seconds"][0])
            log.warning("slow request started pid %d", os.getpid())  # a readiness signal for tests
            await asyncio.sleep(seconds)
            body = f"slow {text}"
        data = body.encode()
        headers = [(b"content-type", b"text/plain"), (b"x-pid", str(os.getpid()).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": data})

    return app


@declare_wsgi
def wsgi_app(global_conf: dict[str, Any], **local_conf: str) -> WSGIApp:
    """A WSGI app answering ``text``."""
    text = local_conf.get("text", "hello wsgi").encode()

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(text)))])
        return [text]

    return app


@declare_wsgi
def wsgi_header_filter(global_conf: dict[str, Any], **local_conf: str) -> Any:
    """A WSGI filter adding ``X-Filter: <name>``."""
    value = local_conf.get("name", "wsgi-filter")

    def make(app: WSGIApp) -> WSGIApp:
        def filtered(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
            def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                return start_response(status, [*headers, ("X-Filter", value)], exc_info)

            return app(environ, start)

        return filtered

    return make


def record_server(global_conf: dict[str, Any], **local_conf: str) -> Any:
    """A third-party ``[server:]`` factory: writes what it was handed, then returns."""

    def serve(app: Any) -> None:
        kind = "asgi-callable" if callable(app) and not hasattr(app, "path") else type(app).__name__
        with open(local_conf["record"], "w") as file:
            file.write(kind)

    return serve


def environ_echo_app(global_conf: dict[str, Any], **local_conf: str) -> Any:
    """A WebOb app answering with what it was told about the request, as JSON (Kinto builds URLs so)."""
    import json

    import webob
    import webob.dec

    @webob.dec.wsgify
    def app(req: webob.Request) -> webob.Response:
        environ = req.environ
        seen = {
            "application_url": req.application_url,
            "url_scheme": environ["wsgi.url_scheme"],
            "remote_addr": environ.get("REMOTE_ADDR"),
            "x_forwarded_proto": environ.get("HTTP_X_FORWARDED_PROTO"),
            "multiprocess": environ["wsgi.multiprocess"],
            "multithread": environ["wsgi.multithread"],
            "run_once": environ["wsgi.run_once"],
            "script_name": environ["SCRIPT_NAME"],
            "path_info": environ["PATH_INFO"],
            "body_length": len(req.body),
        }
        return webob.Response(json.dumps(seen), content_type="application/json", charset="utf-8")

    return app


def lifespan_counter_app(global_conf: dict[str, Any], **local_conf: str) -> ASGIApp:
    """An ASGI app counting its lifespan startups per process: ``/`` answers ``pid startups``."""
    state = {"startups": 0}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    state["startups"] += 1
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = f"asgi pid={os.getpid()} startups={state['startups']}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})

    return app


def wsgi_text_app(global_conf: dict[str, Any], text: str = "legacy", **options: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = f"{text} script_name={environ['SCRIPT_NAME']} path_info={environ['PATH_INFO']}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return app


@declare_wsgi
def gc_state_app(global_conf: dict[str, Any], **local_conf: str) -> WSGIApp:
    """Answers ``frozen=N``: how many objects the serving process has ``gc.freeze()``-d."""
    import gc

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"frozen=%d" % gc.get_freeze_count()]

    return app


def asgi_paths_app(global_conf: dict[str, Any], text: str = "asgi", **options: str) -> ASGIApp:
    """Answers ``text``, its mount (``root_path``) and the path below it: what a differential compares."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        root = scope.get("root_path", "")
        body = f"{text} root_path={root} path={scope['path'][len(root):]}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})

    return app


def wsgi_crossing_app(global_conf: dict[str, Any], **options: str) -> Any:
    """Answers whether it was reached through an ASGI crossing, and from which thread."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = f"crossed={'asgi.scope' in environ} thread={threading.get_ident()}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def starlette_state_app(global_conf: dict[str, Any], **options: str) -> ASGIApp:
    """A Starlette app whose lifespan yields state (``{"db": ...}``) that each request reads."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    fail = options.get("fail") == "startup"

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        if fail:
            raise ConnectionRefusedError("the database is down")
        yield {"db": f"connected in {os.getpid()}"}

    async def home(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.state.db)

    return Starlette(routes=[Route("/", home)], lifespan=lifespan)


def identity_filter(global_conf: dict[str, Any], **options: str) -> Any:
    """A WSGI filter shaped like keystonemiddleware's auth_token: it sets non-header environ keys."""

    def make(app: Any) -> Any:
        def filtered(environ: dict[str, Any], start_response: Any) -> Any:
            environ["REMOTE_USER"] = "alice"
            environ["keystone.token_info"] = {"token": {"user": {"name": "alice"}}}
            return app(environ, start_response)

        return filtered

    return make


def environ_keys_app(global_conf: dict[str, Any], **options: str) -> Any:
    """Answers, as JSON, the environ keys a WSGI filter above may have set."""
    import json

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen = {key: environ.get(key) for key in ("REMOTE_USER", "keystone.token_info", "openstack.request_id")}
        body = json.dumps({**seen, "SCRIPT_NAME": environ["SCRIPT_NAME"], "PATH_INFO": environ["PATH_INFO"]}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


def form_reading_filter(global_conf: dict[str, Any], read: str = "params", **options: str) -> Any:
    """A WebOb filter that reads the request body first (``req.params`` or ``req.body``), as many do."""
    import webob

    def make(app: Any) -> Any:
        def filtered(environ: dict[str, Any], start_response: Any) -> Any:
            request = webob.Request(environ)
            request.request_body_tempfile_limit = 1 << 30  # in memory: WebOb never closes its temp files
            _ = request.params.mixed() if read == "params" else request.body
            return app(environ, start_response)

        return filtered

    return make


def webob_body_app(global_conf: dict[str, Any], **options: str) -> Any:
    """A WebOb app answering its body's length and form fields, as JSON."""
    import json

    import webob

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        request = webob.Request(environ)
        request.request_body_tempfile_limit = 1 << 30  # in memory: WebOb never closes its temp files
        body = request.body
        form = {k: v[:20] for k, v in request.POST.items()} if len(body) < 1000 else {}
        data = json.dumps({"length": len(body), "form": form, "query": dict(request.GET)}).encode()
        return webob.Response(data, content_type="application/json")(environ, start_response)

    return app
