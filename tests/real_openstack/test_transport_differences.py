"""Differences that come from the HTTP servers, not from the loader: pinned here so the docs stay true.

Served over real HTTP, the same PasteDeploy file answers the same through
asgipaste, except for the transport's own headers, and for proxy headers when
uvicorn is left at its defaults: uvicorn trusts ``X-Forwarded-For`` and
``X-Forwarded-Proto`` from 127.0.0.1 (``proxy_headers = true``,
``forwarded_allow_ips = 127.0.0.1``) and rewrites the client address and the
scheme before the app sees them; waitress does neither without ``trusted_proxy``
and, by default, even deletes those headers from the environ.
``proxy_headers = false`` in ``[server:]`` stops uvicorn's rewriting.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

import asgipaste
from tests.real_openstack._differential import TIMEOUT, TRANSPORT_HEADERS, Answer, uvicorn_serving, waitress_serving
from tests.real_openstack.echo_app import echo

pytestmark = pytest.mark.slow

INI = """\
[app:main]
paste.app_factory = tests.real_openstack.echo_app:app_factory
"""
FORWARDED = {"X-Forwarded-For": "203.0.113.50", "X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def ported(tmp_path_factory: pytest.TempPathFactory) -> object:
    path = tmp_path_factory.mktemp("transport") / "echo.ini"
    path.write_text(INI)
    return asgipaste.loadapp(f"config:{path}")


@pytest.fixture(scope="module")
def waitress_url() -> Iterator[str]:
    with waitress_serving(echo) as url:
        yield url


def _get(url: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{url}/servers", headers=headers, timeout=TIMEOUT)


@pytest.mark.parametrize("http", ["httptools", "h11"])
def test_uvicorn_default_proxy_headers_rewrite_the_client(ported: object, waitress_url: str, http: str) -> None:
    reference = _get(waitress_url, **FORWARDED).json()
    assert (reference["remote_addr"], reference["url_scheme"]) == ("127.0.0.1", "http")
    with uvicorn_serving(ported, http, proxy_headers=True) as url:
        trusted = _get(url, **FORWARDED).json()
    assert (trusted["remote_addr"], trusted["url_scheme"]) == ("203.0.113.50", "https")
    with uvicorn_serving(ported, http, proxy_headers=False) as url:
        plain = _get(url, **FORWARDED).json()
    assert {**plain, "host": None} == {**reference, "host": None}  # the Host differs by port only


def test_waitress_default_drops_untrusted_proxy_headers(ported: object) -> None:
    """waitress 3 without trusted_proxy removes X-Forwarded-*/Forwarded; asgipaste on uvicorn passes them on."""
    headers = {**FORWARDED, "Forwarded": "for=192.0.2.60;proto=https"}
    with waitress_serving(echo, clear_untrusted_proxy_headers=True) as url:
        assert _get(url, **headers).json()["forwarded"] == []
    with uvicorn_serving(ported, "httptools") as url:
        seen = _get(url, **headers).json()
    assert seen["forwarded"] == ["HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO"]


@pytest.mark.parametrize("http", ["httptools", "h11"])
def test_only_transport_headers_differ(ported: object, waitress_url: str, http: str) -> None:
    reference = _get(waitress_url)
    with uvicorn_serving(ported, http) as url:
        got = _get(url)
    assert Answer.of(got) == Answer.of(reference)
    differing = {
        name
        for name in {*reference.headers.keys(), *got.headers.keys()}
        if reference.headers.get_list(name) != got.headers.get_list(name)
    }
    assert differing <= TRANSPORT_HEADERS
    assert reference.headers["server"] == "waitress" and got.headers["server"] == "uvicorn"
