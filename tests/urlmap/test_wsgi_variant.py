"""The WSGI form of the urlmap (chosen when every mounted app is WSGI) against
Paste's own URLMap: same app chosen, same SCRIPT_NAME and PATH_INFO."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import paste.urlmap
import pytest

from asgipaste.urlmap_wsgi import WSGIURLMap, wsgi_urlmap_factory

KEYS = {
    "/": "root",
    "/v2": "v2",
    "/v2/admin": "admin",
    "/v2.1": "v21",
    "domain example.com /svc": "svc_domain",
    "domain example.com port 8080 /p": "svc_port",
}
PATHS = ["", "/", "/v2", "/v2/", "/v2/x", "/v2evil", "//v2", "/v2//admin/y", "/v2.1/s", "/svc/a", "/p/q", "/V2"]
HOSTS = [("example.com", "80", "http"), ("EXAMPLE.com:8080", "8080", "http"), ("other.org", "443", "https"),
         (None, "80", "http")]
SCRIPT_NAMES = ["", "/mount"]


def recording(name: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [])
        return [f"{name}|{environ['SCRIPT_NAME']}|{environ['PATH_INFO']}".encode()]

    return app


class FakeLoader:
    def get_app(self, name: str, global_conf: Any = None) -> Any:
        return recording(name)


def call(app: Any, path: str, host: str | None, port: str, scheme: str, script: str) -> tuple[str, str]:
    environ: dict[str, Any] = {"PATH_INFO": path, "SCRIPT_NAME": script, "SERVER_NAME": "server.local",
                               "SERVER_PORT": port, "wsgi.url_scheme": scheme, "REQUEST_METHOD": "GET"}
    if host is not None:
        environ["HTTP_HOST"] = host
    status: list[str] = []
    body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
    return status[0][:3], body.decode() if status[0].startswith("200") else ""


@pytest.fixture(scope="module")
def maps() -> tuple[Any, Any]:
    ours = wsgi_urlmap_factory(FakeLoader(), {}, **KEYS)
    theirs = paste.urlmap.URLMap()
    for key, name in KEYS.items():
        theirs[paste.urlmap.parse_path_expression(key)] = recording(name)
    return ours, theirs


CASES = list(itertools.product(PATHS, HOSTS, SCRIPT_NAMES))


def test_matrix_is_big_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize(("path", "host", "script"), CASES)
def test_same_choice_and_environ_as_paste(
    maps: tuple[Any, Any], path: str, host: tuple[str | None, str, str], script: str
) -> None:
    ours, theirs = maps
    hostname, port, scheme = host
    # Paste lower-cases the request host but not its keys; ours lower-cases both
    # (a deliberate difference, docs/urlmap.md) - the keys here are lower-case.
    assert call(ours, path, hostname, port, scheme, script) == call(theirs, path, hostname, port, scheme, script)


def test_not_found_app_is_wsgi_when_given() -> None:
    urlmap = WSGIURLMap(wsgi_urlmap_factory(FakeLoader(), {}, not_found_app="nf", **{"/a": "a"}).table)
    assert call(urlmap, "/zzz", "h", "80", "http", "") == ("200", "nf||/zzz")
    plain = wsgi_urlmap_factory(FakeLoader(), {}, **{"/a": "a"})
    assert call(plain, "/zzz", "h", "80", "http", "") == ("404", "")
