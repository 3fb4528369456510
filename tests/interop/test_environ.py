"""The pure translations: scope -> environ, environ -> scope, headers, and the two streams."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asgipaste.interop import environ as environ_module
from asgipaste.interop.environ import (
    HTTPScope,
    InvalidResponseHeader,
    WSGIEnviron,
    _split_path_general,
    asgi_headers_to_wsgi,
    build_environ,
    build_scope,
    environ_headers,
    headers_to_environ,
    parse_status,
    split_path,
    status_line,
    wsgi_headers_to_asgi,
)
from asgipaste.interop.streams import ClientDisconnected, ErrorStream, StreamingInput


def http_scope(**overrides: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    scope.update(overrides)
    return scope


def test_environ_has_every_required_pep3333_key() -> None:
    environ = build_environ(http_scope(), io.BytesIO())
    assert WSGIEnviron.__required_keys__ <= environ.keys()  # type: ignore[attr-defined]
    assert environ["wsgi.version"] == (1, 0)
    assert environ["SERVER_PORT"] == "8000"
    assert isinstance(environ["SERVER_PORT"], str)
    assert environ["REMOTE_ADDR"] == "127.0.0.1" and environ["REMOTE_PORT"] == "50000"
    assert "CONTENT_LENGTH" not in environ and "CONTENT_TYPE" not in environ


def test_scope_model_names_the_spec_keys() -> None:
    assert {"type", "path", "root_path", "headers", "query_string"} <= HTTPScope.__required_keys__
    assert {"raw_path", "state", "client", "server"} <= HTTPScope.__optional_keys__


@pytest.mark.parametrize(
    ("path", "root_path", "raw_path", "expected"),
    [
        ("/api/x", "/api", b"/api/x", ("/api", "/x")),
        ("/api", "/api", b"/api", ("/api", "")),
        ("/api/", "/api", b"/api/", ("/api", "/")),
        ("/apix", "/api", b"/apix", ("/api", "/apix")),  # not at a "/" boundary
        ("/legacy/x", "/pre/legacy", b"/legacy/x", ("/pre/legacy", "/legacy/x")),  # path lacks root_path
        ("/api/x", "/api/", b"/api/x", ("/api", "/x")),  # trailing "/" on root_path
        ("/x", "/", b"/x", ("", "/x")),
        ("/a/b", "", b"/a%2Fb", ("", "/a/b")),  # %2F decoded, like every WSGI server
        ("/caf\u00e9", "", b"/caf%C3%A9", ("", "/caf\u00c3\u00a9")),  # UTF-8 bytes as latin-1
        ("/caf\ufffd", "", b"/caf%E9", ("", "/caf\u00e9")),  # raw_path keeps the non-UTF-8 byte exact
        ("/rewritten", "", b"/orig%41", ("", "/rewritten")),  # raw_path disagrees: path wins
        ("/\u00e9t\u00e9/x", "/\u00e9t\u00e9", None, ("/\u00c3\u00a9t\u00c3\u00a9", "/x")),
    ],
)
def test_split_path(path: str, root_path: str, raw_path: bytes | None, expected: tuple[str, str]) -> None:
    scope = {"path": path, "root_path": root_path}
    if raw_path is not None:
        scope["raw_path"] = raw_path
    assert split_path(scope) == expected


def test_script_name_env_var_is_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIPT_NAME", "/from-the-environment")
    environ = build_environ(http_scope(path="/api/x", root_path="/api"), io.BytesIO())
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == ("/api", "/x")


def test_headers_cookie_join_and_duplicates() -> None:
    environ: dict[str, Any] = {}
    headers_to_environ(
        [
            (b"cookie", b"a=1"),
            (b"cookie", b"b=2"),
            (b"accept", b"text/html"),
            (b"accept", b"application/json"),
            (b"content-type", b"text/plain"),
            (b"content-length", b"5"),
            (b"x-user", b"alice"),
            (b"x_user", b"mallory"),  # would impersonate X-User: dropped
            (b"x-latin", "caf\u00e9".encode("latin-1")),
        ],
        environ,
    )
    assert environ == {
        "HTTP_COOKIE": "a=1; b=2",
        "HTTP_ACCEPT": "text/html, application/json",  # waitress joins with ", "
        "CONTENT_TYPE": "text/plain",
        "CONTENT_LENGTH": "5",
        "HTTP_X_USER": "alice",
        "HTTP_X_LATIN": "caf\u00e9",
    }


def test_query_scheme_server_defaults_and_shared_keys() -> None:
    scope = http_scope(
        query_string=b"a=1&b=%20",
        scheme="https",
        server=None,
        client=None,
        http_version="2",
        method="POST",
    )
    scope["wsgiorg.routing_args"] = ((), {"id": "7"})
    scope["routes.route"] = "r"
    scope["starlette.other"] = "not copied"
    environ = build_environ(scope, io.BytesIO())
    assert environ["QUERY_STRING"] == "a=1&b=%20"
    assert environ["wsgi.url_scheme"] == "https"
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("localhost", "443")
    assert environ["SERVER_PROTOCOL"] == "HTTP/2"
    assert environ["REQUEST_METHOD"] == "POST"
    assert "REMOTE_ADDR" not in environ
    assert environ["wsgiorg.routing_args"] == ((), {"id": "7"})
    assert environ["routes.route"] == "r"
    assert "starlette.other" not in environ
    assert environ["asgi.scope"] is scope


def test_unix_socket_server_gets_a_default_port() -> None:
    environ = build_environ(http_scope(server=("/run/app.sock", None)), io.BytesIO())
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("/run/app.sock", "80")


def test_build_scope_from_a_plain_wsgi_environ() -> None:
    environ = {
        "REQUEST_METHOD": "PUT",
        "SCRIPT_NAME": "/api",
        "PATH_INFO": "/caf\u00c3\u00a9",
        "QUERY_STRING": "q=1",
        "SERVER_NAME": "example.org",
        "SERVER_PORT": "8080",
        "SERVER_PROTOCOL": "HTTP/1.0",
        "REMOTE_ADDR": "10.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "",
        "HTTP_X_TOKEN": "t",
        "HTTP_CONTENT_TYPE": "stray",
        "wsgi.url_scheme": "https",
        "wsgiorg.routing_args": ((), {}),
        "REMOTE_USER": "alice",
    }
    scope = build_scope(environ)
    assert scope["root_path"] == "/api"
    assert scope["path"] == "/api/caf\u00e9"
    assert scope["raw_path"] == b"/api/caf%C3%A9"
    assert scope["query_string"] == b"q=1"
    assert scope["method"] == "PUT"
    assert scope["http_version"] == "1.0"
    assert scope["scheme"] == "https"
    assert scope["server"] == ("example.org", 8080)
    assert scope["client"] == ("10.0.0.1", 0)
    assert sorted(scope["headers"]) == [(b"content-type", b"application/json"), (b"x-token", b"t")]
    assert scope["wsgi_environ"] is environ
    assert scope["wsgiorg.routing_args"] == ((), {})
    assert "state" not in scope


def test_build_scope_carries_state_and_raw_path_from_the_outer_scope() -> None:
    outer = http_scope(path="/api/a%2Fb", raw_path=b"/api/a%252Fb", root_path="/api", state={"db": "pool"})
    environ = build_environ(outer, io.BytesIO())
    scope = build_scope(environ)
    assert scope["state"] is outer["state"]
    assert scope["raw_path"] == b"/api/a%252Fb"  # unchanged path: the original bytes survive
    environ["PATH_INFO"] = "/rewritten"
    assert build_scope(environ)["raw_path"] == b"/api/rewritten"


@given(
    segments=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8), max_size=4),
    mount=st.lists(st.sampled_from(["api", "v2", "\u00e9t\u00e9", "x y"]), max_size=2),
)
def test_round_trip_scope_environ_scope(segments: list[str], mount: list[str]) -> None:
    root = "".join("/" + m for m in mount)
    path = root + "".join("/" + s.replace("/", "_") for s in segments)
    scope = http_scope(path=path or "/", root_path=root)
    scope.pop("raw_path")
    back = build_scope(build_environ(scope, io.BytesIO()))
    assert back["path"] == scope["path"]
    assert back["root_path"] == root


def test_status_and_headers() -> None:
    assert parse_status("404 Not Found") == 404
    assert parse_status("200") == 200
    for bad in ("OK", "20 OK", "2000 X", 200):
        with pytest.raises((ValueError, TypeError), match="WSGI status"):
            parse_status(bad)
    assert status_line(418) == "418 I'm a Teapot" or status_line(418).startswith("418 ")
    assert status_line(599) == "599 Unknown"
    assert wsgi_headers_to_asgi([("Content-Type", "text/plain")]) == [(b"content-type", b"text/plain")]
    with pytest.raises(TypeError, match="bad WSGI response header"):
        wsgi_headers_to_asgi([("X-Snow", "\u2603")])
    with pytest.raises(TypeError, match="must be a list"):
        wsgi_headers_to_asgi((("a", "b"),))
    assert asgi_headers_to_wsgi([(b"x-a", b"caf\xe9")]) == [("x-a", "caf\u00e9")]
    assert environ_headers({"HTTP_COOKIE": "a=1; b=2", "CONTENT_LENGTH": "3"}) == [
        (b"cookie", b"a=1; b=2"),
        (b"content-length", b"3"),
    ]


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        ("text/plain", b"text/plain"),
        ("  padded  ", b"padded"),
        ("\ttabbed\t", b"tabbed"),  # not printable ASCII: the full check, which strips tabs too
        ("caf\u00e9", b"caf\xe9"),  # latin-1
    ],
)
def test_response_header_fast_path_gives_what_the_full_check_gives(value: str, sent: bytes) -> None:
    """A name seen before takes the fast path; the result is the same as the first time."""
    for _ in range(3):  # the full check, the known-name path, then the known-pair path
        assert wsgi_headers_to_asgi([("X-Seen", value)]) == [(b"x-seen", sent)]


@pytest.mark.parametrize("value", ["a\r\nSet-Cookie: x=1", "nul\x00", "bell\x07", "del\x7f", "\u2603"])
def test_response_header_fast_path_never_lets_a_bad_value_through(value: str) -> None:
    wsgi_headers_to_asgi([("X-Known", "fine")])  # the name is now known
    with pytest.raises((TypeError, ValueError)):
        wsgi_headers_to_asgi([("X-Known", value)])


def test_error_stream_logs_each_line(caplog: pytest.LogCaptureFixture) -> None:
    stream = ErrorStream()
    with caplog.at_level(logging.ERROR, logger="asgipaste.wsgi.errors"):
        stream.write("first line\nsecond ")
        stream.writelines(["line\n", "partial"])
        assert [r.getMessage() for r in caplog.records] == ["first line", "second line"]
        stream.flush()
    assert [r.getMessage() for r in caplog.records] == ["first line", "second line", "partial"]
    assert {r.name for r in caplog.records} == {"asgipaste.wsgi.errors"}
    with pytest.raises(TypeError, match="takes str"):
        stream.write(b"bytes")  # type: ignore[arg-type]


def fake_receive(messages: list[dict[str, Any]]) -> tuple[Callable[[], Awaitable[Any]], Any]:
    """A receive callable and a synchronous ``run`` that pops the next message."""
    queue = list(messages)

    async def receive() -> Any:
        raise AssertionError("driven through run")

    def run(_receive: Any) -> Any:
        return queue.pop(0)

    return receive, run


def body_messages(*parts: bytes) -> list[dict[str, Any]]:
    return [{"type": "http.request", "body": part, "more_body": i < len(parts) - 1} for i, part in enumerate(parts)]


def test_streaming_input_read_and_readline() -> None:
    receive, run = fake_receive(body_messages(b"line one\nline", b" two\nthree", b""))
    stream = StreamingInput(receive, run=run)
    assert stream.readline() == b"line one\n"
    assert stream.read(4) == b"line"
    assert stream.readline(3) == b" tw"
    assert stream.readline() == b"o\n"
    assert not stream.complete
    assert stream.read() == b"three"
    assert stream.complete
    assert stream.read() == b"" and stream.readline() == b""


def test_streaming_input_iteration_and_readlines() -> None:
    receive, run = fake_receive(body_messages(b"a\nb", b"\nc"))
    assert list(StreamingInput(receive, run=run)) == [b"a\n", b"b\n", b"c"]
    receive, run = fake_receive(body_messages(b"a\nb\nc\n"))
    assert StreamingInput(receive, run=run).readlines(3) == [b"a\n", b"b\n"]


def test_streaming_input_disconnect_is_an_error_not_eof() -> None:
    receive, run = fake_receive(
        [{"type": "http.request", "body": b"half", "more_body": True}, {"type": "http.disconnect"}]
    )
    stream = StreamingInput(receive, run=run)
    with pytest.raises(ClientDisconnected):
        stream.read()
    assert isinstance(ClientDisconnected(), OSError)


_PATH_TEXT = st.text(alphabet=st.sampled_from("/ab%2F\u00e9"), max_size=12)


@given(path=_PATH_TEXT, root=_PATH_TEXT, raw=st.one_of(st.none(), st.binary(max_size=8), _PATH_TEXT.map(str.encode)))
def test_split_path_fast_path_agrees_with_the_general_one(path: str, root: str, raw: bytes | None) -> None:
    scope: dict[str, Any] = {"path": path, "root_path": root}
    if raw is not None:
        scope["raw_path"] = raw
    assert split_path(scope) == _split_path_general(path, root, raw)


def test_known_header_pairs_stay_bounded_and_are_only_the_ones_that_passed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(environ_module, "_CHECKED_PAIRS", {})
    monkeypatch.setattr(environ_module, "_CHECKED_PAIRS_MAX", 4)
    for n in range(10):  # a value that changes per response: the table refills, never grows past its bound
        for _ in range(2):
            assert wsgi_headers_to_asgi([("Content-Length", str(n))]) == [(b"content-length", str(n).encode())]
        assert len(environ_module._CHECKED_PAIRS) <= 4
    long_value = "x" * (environ_module._CHECKED_PAIR_VALUE_MAX + 1)
    for _ in range(2):
        wsgi_headers_to_asgi([("X-Long", long_value)])
    assert ("X-Long", long_value) not in environ_module._CHECKED_PAIRS  # long values are not kept
    with pytest.raises(InvalidResponseHeader):
        wsgi_headers_to_asgi([("X-Bad", "a\r\nb")])
    assert all("\r" not in value for _, value in environ_module._CHECKED_PAIRS)


class _LooksLikeStr(str):
    pass


def test_a_known_pair_is_only_matched_by_plain_strs() -> None:
    for _ in range(3):
        wsgi_headers_to_asgi([("X-Plain", "v")])
    assert ("X-Plain", "v") in environ_module._CHECKED_PAIRS
    # an equal pair of str subclasses still goes through the checks (and passes them)
    assert wsgi_headers_to_asgi([(_LooksLikeStr("X-Plain"), _LooksLikeStr("v"))]) == [(b"x-plain", b"v")]


def test_parse_status_remembers_good_lines_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(environ_module, "_STATUS_CODES", {})
    monkeypatch.setattr(environ_module, "_STATUS_CODES_MAX", 2)
    for line in ("200 OK", "200 OK", "404 Not Found", "500 Oops", "418 Teapot"):
        assert parse_status(line) == int(line[:3])
    assert environ_module._STATUS_CODES == {"200 OK": 200, "404 Not Found": 404}  # bounded
    for bad in ("OK", b"200 OK", "2000 X"):
        with pytest.raises((ValueError, TypeError), match="WSGI status"):
            parse_status(bad)
    assert len(environ_module._STATUS_CODES) == 2


def test_scope_extras_are_copied_only_when_the_scope_has_any() -> None:
    plain = build_environ(http_scope(), io.BytesIO())
    assert not any(key.startswith(("wsgiorg.", "routes.")) for key in plain)
    scope = {**http_scope(), "wsgiorg.routing_args": ((), {"id": "1"}), "other.key": 1}
    environ = build_environ(scope, io.BytesIO())
    assert environ["wsgiorg.routing_args"] == ((), {"id": "1"})
    assert "other.key" not in environ


@pytest.mark.parametrize(
    ("extra", "raw_path"),
    [
        ({"RAW_URI": "/files/a%2Fb?x=1"}, b"/files/a%2Fb"),  # gunicorn
        ({"REQUEST_URI": "/files/a%2Fb"}, b"/files/a%2Fb"),  # waitress, uwsgi, mod_wsgi
        ({"REQUEST_URI": "http://proxy.example/files/a%2Fb"}, b"/files/a%2Fb"),  # absolute-form
        ({"REQUEST_URI": "/files//a/b"}, b"/files/a/b"),  # rewritten on the way: quoted from the path
        ({}, b"/files/a/b"),
    ],
)
def test_build_scope_keeps_the_raw_path_a_wsgi_server_kept(extra: dict[str, str], raw_path: bytes) -> None:
    environ = {"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/files", "PATH_INFO": "/a/b", **extra}
    assert build_scope(environ)["raw_path"] == raw_path


def test_an_empty_host_header_is_no_host() -> None:
    """WebOb builds application_url from HTTP_HOST when present: an empty one gave "http:///"."""
    webob = pytest.importorskip("webob")
    environ = build_environ(http_scope(headers=[(b"host", b"")], server=("api.local", 8774)), io.BytesIO())
    assert "HTTP_HOST" not in environ
    assert webob.Request(environ).application_url == "http://api.local:8774"


@pytest.mark.parametrize(
    ("path", "root_path", "expected"),
    [
        ("//urls", "", ("", "/urls")),  # waitress: PATH_INFO '/urls' for the request target //urls
        ("///x", "", ("", "/x")),
        ("//", "", ("", "/")),
        ("/a//b", "", ("", "/a//b")),  # inner runs stay, as under waitress
        ("/api//x", "/api", ("/api", "//x")),  # below a mount, the mount's business
    ],
)
def test_leading_slashes_of_the_request_collapse_as_waitress_collapses_them(
    path: str, root_path: str, expected: tuple[str, str]
) -> None:
    scope = {"type": "http", "method": "GET", "path": path, "root_path": root_path, "headers": []}
    environ = build_environ(scope, None)
    assert (environ["SCRIPT_NAME"], environ["PATH_INFO"]) == expected
