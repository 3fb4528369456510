"""Paste's own eggs, served from one INI by asgipaste and by PasteDeploy + waitress.

``paste_eggs.ini`` mounts ``egg:Paste#static``, ``#gzip``, ``#translogger``,
``#httpexceptions``, ``#errordocument``, ``#cascade`` under an
``egg:Paste#urlmap`` with ``domain`` entries. Every request goes to asgipaste
on uvicorn (httptools and h11) and to PasteDeploy's own load of the same file
on waitress; status, app-owned headers and bodies must match (the port in
redirect and 404 texts is normalised: each server has its own).
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import os
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.real_apps._harness import (
    Raw,
    Served,
    load_both,
    normalised_body,
    raw_request,
    uvicorn_thread,
    waitress_thread,
)

HERE = Path(__file__).parent
INDEX = b"<h1>home</h1>\n"
SUB_INDEX = b"<h1>sub</h1>\n"
NOT_FOUND_PAGE = b"<p>not here</p>\n"
BIG = bytes(range(256)) * 40  # 10240 bytes, every byte value


@dataclass
class Site:
    root: Path
    asgi: list[Served]
    waitress: Served


def make_site(root: Path) -> Path:
    """The document root, files outside it, and paste_eggs.ini, under ``root``; the INI's path."""
    public = root / "site" / "public"
    (public / "sub").mkdir(parents=True)
    (public / "errors").mkdir()
    (public / "index.html").write_bytes(INDEX)
    (public / "sub" / "index.html").write_bytes(SUB_INDEX)
    (public / "errors" / "404.html").write_bytes(NOT_FOUND_PAGE)
    (public / "big.bin").write_bytes(BIG)
    (public / "text.txt").write_text("hello paste\n" * 500)
    (root / "site" / "secret.txt").write_text("TOP SECRET: outside the document root\n")
    (root / "secret.txt").write_text("TOP SECRET: two levels up\n")
    return Path(shutil.copy(HERE / "paste_eggs.ini", root / "paste_eggs.ini"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("paste_eggs")
    make_site(root)
    asgi_app, wsgi_app = load_both(str(root / "paste_eggs.ini"))
    with (
        uvicorn_thread(asgi_app, http="httptools") as httptools,
        uvicorn_thread(asgi_app, http="h11") as h11,
        waitress_thread(wsgi_app) as waitress,
    ):
        yield Site(root, [httptools, h11], waitress)


def both(
    site: Site, method: str, target: str, headers: dict[str, str] | None = None
) -> tuple[list[tuple[Served, Raw]], Raw]:
    """Send one request to every asgipaste server and to waitress; assert they all agree."""
    reference = raw_request(site.waitress, method, target, headers=headers)
    answers = []
    for served in site.asgi:
        got = raw_request(served, method, target, headers=headers)
        answers.append((served, got))
        where = f"{served.name} vs waitress: {method} {target} {headers or ''}"
        assert got.status == reference.status, where
        assert got.app_headers(port=served.port) == reference.app_headers(port=site.waitress.port), where
        assert normalised_body(got, served) == normalised_body(reference, site.waitress), where
    return answers, reference


def test_static_index_and_files(site: Site) -> None:
    _, root = both(site, "GET", "/")
    assert root.status == 200 and root.body == INDEX
    assert root.header("Content-Type") == "text/html"
    assert root.header("Cache-Control") == "public, max-age=60"
    _, sub = both(site, "GET", "/sub/")
    assert sub.status == 200 and sub.body == SUB_INDEX
    _, big = both(site, "GET", "/big.bin")
    assert big.body == BIG and big.header("Content-Length") == str(len(BIG))
    # HEAD, 304 and 416 on files above Paste's 4 KiB cache leak the open file in
    # paste.fileapp (under any server): those run on a small, cached file.
    _, head = both(site, "HEAD", "/index.html")
    assert head.status == 200 and head.body == b"" and head.header("Content-Length") == str(len(INDEX))


def test_static_directory_redirects_to_slash(site: Site) -> None:
    answers, reference = both(site, "GET", "/sub?x=1")
    assert reference.status == 301
    assert reference.header("Location") == f"{site.waitress.url}/sub/?x=1"
    for served, got in answers:
        assert got.header("Location") == f"{served.url}/sub/?x=1"


def test_static_conditional_and_range(site: Site) -> None:
    _, full = both(site, "GET", "/index.html")
    etag = full.header("ETag")
    assert etag
    _, part = both(site, "GET", "/big.bin", {"Range": "bytes=100-355"})
    assert part.status == 206
    assert part.header("Content-Range") == f"bytes 100-355/{len(BIG)}"
    assert part.body == BIG[100:356]
    # Paste's own quirk, the same on every server: a suffix range "-10" is read as "0-10"
    # (RFC 9110 says the last 10 bytes)
    _, suffix = both(site, "GET", "/big.bin", {"Range": "bytes=-10"})
    assert suffix.status == 206 and suffix.body == BIG[:11]
    _, unsatisfiable = both(site, "GET", "/index.html", {"Range": "bytes=99999-"})
    assert unsatisfiable.status == 416
    _, unchanged = both(site, "GET", "/index.html", {"If-None-Match": etag})
    assert unchanged.status == 304 and unchanged.body == b""


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/sub/../../secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/sub/..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/../../secret.txt",
        "/gz/../secret.txt",
    ],
)
def test_static_refuses_traversal(site: Site, target: str) -> None:
    answers, reference = both(site, "GET", target)
    for _, got in [*answers, (site.waitress, reference)]:
        assert got.status in (400, 404), (target, got.status)
        assert b"TOP SECRET" not in got.body


def test_gzip_compresses_like_waitress(site: Site) -> None:
    plain = (site.root / "site" / "public" / "text.txt").read_bytes()
    reference = raw_request(site.waitress, "GET", "/gz/text.txt", headers={"Accept-Encoding": "gzip"})
    assert reference.status == 200 and reference.header("Content-Encoding") == "gzip"
    assert gzip.decompress(reference.body) == plain
    for served in site.asgi:
        got = raw_request(served, "GET", "/gz/text.txt", headers={"Accept-Encoding": "gzip"})
        assert got.status == 200
        # the gzip header carries a timestamp: compare everything but the bytes themselves
        assert got.app_headers().keys() == reference.app_headers().keys()
        assert got.header("Content-Encoding") == "gzip"
        assert gzip.decompress(got.body) == plain
        assert int(got.header("Content-Length") or 0) == len(got.body) < len(plain)
    _, identity = both(site, "GET", "/gz/text.txt")
    assert identity.header("Content-Encoding") is None and identity.body == plain


def test_translogger_logs_the_same_line(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    lines = {}
    for served in [*site.asgi, site.waitress]:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="real_apps.access"):
            got = raw_request(served, "GET", "/log/sub/?q=1", headers={"User-Agent": "real-apps", "Referer": "r"})
        assert got.status == 200 and got.body == SUB_INDEX
        records = [r.getMessage() for r in caplog.records if r.name == "real_apps.access"]
        assert len(records) == 1, records
        # drop the [timestamp]
        lines[served.name] = records[0].split(" [", 1)[0] + records[0].split("]", 1)[1]
    expected = '127.0.0.1 - - "GET /log/sub/?q=1 HTTP/1.1" 200 13 "r" "real-apps"'
    assert set(lines.values()) == {expected}, lines


def test_httpexceptions(site: Site) -> None:
    _, found = both(site, "GET", "/exc/found")
    assert found.status == 302 and found.header("Location") == "/elsewhere"
    _, forbidden = both(site, "GET", "/exc/forbidden")
    assert forbidden.status == 403 and b"no entry for you" in forbidden.body
    _, ok = both(site, "GET", "/exc/plain?a=b")
    assert ok.status == 200
    assert ok.body.startswith(b"raiser script_name='/exc' path_info='/plain'")
    assert ok.body.endswith(b"query='a=b'")


def test_errordocument_forwards_404(site: Site) -> None:
    _, missing = both(site, "GET", "/errdoc/nope.html")
    assert missing.status == 404
    assert missing.body == NOT_FOUND_PAGE
    _, present = both(site, "GET", "/errdoc/")
    assert present.status == 200 and present.body == INDEX


def test_cascade_falls_through_on_404(site: Site) -> None:
    _, first = both(site, "GET", "/cascade/sub/")
    assert first.status == 200 and first.body == SUB_INDEX
    _, second = both(site, "GET", "/cascade/zzz")
    assert second.status == 200 and second.body.startswith(b"raiser script_name='/cascade' path_info='/zzz'")
    _, last = both(site, "GET", "/cascade/gone")
    assert last.status == 410


@pytest.mark.parametrize(
    ("host", "target", "expected"),
    [
        ("api.example.test", "/x", b"api script_name='' path_info='/x'"),
        ("API.Example.Test", "/x", b"api script_name='' path_info='/x'"),
        ("api.example.test:80", "/x", b"api script_name='' path_info='/x'"),
        ("www.example.test:8080", "/x", b"api8080 script_name='' path_info='/x'"),
        ("www.example.test", "/docs/", INDEX),
        ("www.example.test", "/exc/x", b"raiser script_name='/exc' path_info='/x'"),
        ("other.example.test", "/exc/x", b"raiser script_name='/exc' path_info='/x'"),
    ],
)
def test_urlmap_domain_entries(site: Site, host: str, target: str, expected: bytes) -> None:
    _, reference = both(site, "GET", target, {"Host": host})
    assert reference.status == 200
    assert reference.body.startswith(expected)


def test_urlmap_domain_without_match_is_404(site: Site) -> None:
    _, reference = both(site, "GET", "/docs/", {"Host": "other.example.test"})
    # no domain-less /docs mount: falls to / = static, which has no docs/
    assert reference.status == 404


@pytest.mark.parametrize(
    ("method", "target", "status"),
    [
        # Paste's static cannot serve a non-ASCII name on Python 3 (PATH_INFO is latin-1): the same 404 everywhere
        ("GET", "/caf%C3%A9%20menu.txt", 404),
        ("GET", "/sub%2Findex.html", 200),
        ("GET", "//sub//", 200),
        ("GET", "/exc/a%20b?x=%C3%A9+1", 200),
        ("GET", "/exc/%E9", 200),
        ("HEAD", "/gz/sub/", 200),
        ("OPTIONS", "/", 405),
        ("DELETE", "/index.html", 405),
    ],
)
def test_odd_requests_match(site: Site, method: str, target: str, status: int) -> None:
    (site.root / "site" / "public" / "café menu.txt").write_text("café\n")
    _, reference = both(site, method, target, {"Accept-Encoding": "gzip"} if target.startswith("/gz") else None)
    assert reference.status == status


def test_asterisk_target_is_a_404_not_a_500(site: Site) -> None:
    # A documented difference: Paste's URLMap asserts the path starts with "/" and waitress
    # answers 500; asgipaste's urlmap answers the request-target "*" with its not-found app.
    reference = raw_request(site.waitress, "GET", "*")
    assert reference.status == 500
    for served in site.asgi:
        assert raw_request(served, "GET", "*").status == 404


def _http10(served: Served, target: str) -> tuple[bytes, bytes]:
    """An HTTP/1.0 request without keep-alive; the server must answer and close."""
    with socket.create_connection((served.host, served.port), timeout=5) as sock:
        sock.sendall(f"GET {target} HTTP/1.0\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):  # b"" once the server closes; a timeout fails the test
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0], body


def test_http10_requests_are_answered_and_closed(site: Site) -> None:
    status_line, body = _http10(site.waitress, "/sub/")
    assert (status_line, body) == (b"HTTP/1.0 200 OK", SUB_INDEX)
    for served in site.asgi:
        # uvicorn answers with its own protocol version (RFC 9110 allows it); the body is the same
        assert _http10(served, "/sub/") == (b"HTTP/1.1 200 OK", SUB_INDEX)
        assert _http10(served, "/big.bin")[1] == BIG


def _open_fds_to(path: Path) -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/self/fd/{fd}") == str(path):
                count += 1
    return count


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc")
def test_aborted_downloads_close_the_file(site: Site) -> None:
    huge = site.root / "site" / "public" / "huge.bin"
    huge.write_bytes(b"z" * (16 * 1024 * 1024))  # far more than the socket buffers hold
    for served in [site.waitress, *site.asgi]:
        for _ in range(3):
            with socket.create_connection((served.host, served.port), timeout=5) as sock:
                sock.sendall(b"GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n")
                assert sock.recv(65536).startswith(b"HTTP/1.1 200 OK")
                assert _wait_for(lambda: _open_fds_to(huge) >= 1), served.name  # mid-download: open
        # the server notices the disconnect and closes the app's iterable (paste.fileapp's _FileIter)
        assert _wait_for(lambda: _open_fds_to(huge) == 0), served.name
