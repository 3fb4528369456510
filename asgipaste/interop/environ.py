"""The WSGI environ and the ASGI HTTP scope, written down, and the pure translations between them.

The two ``TypedDict`` models are executable documentation: each key carries the
rule PEP 3333 or the ASGI HTTP spec gives for it. The functions below build one
from the other and do no I/O, so they are unit-tested apart from the servers.

>>> import io
>>> scope = {"type": "http", "method": "GET", "path": "/api/x", "root_path": "/api",
...          "query_string": b"a=1", "headers": [(b"cookie", b"a=1"), (b"cookie", b"b=2")]}
>>> env = build_environ(scope, io.BytesIO(b""))
>>> env["SCRIPT_NAME"], env["PATH_INFO"], env["HTTP_COOKIE"], env["SERVER_PORT"]
('/api', '/x', 'a=1; b=2', '80')
"""

from __future__ import annotations

import http
import os
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any, Literal, NotRequired, Required, TypedDict
from urllib.parse import quote, unquote_to_bytes

from asgipaste.interop.streams import ErrorStream
from asgipaste.types import Environ, Scope

__all__ = [
    "BODY_BUFFER_LIMIT",
    "ASGIVersions",
    "HTTPScope",
    "InvalidResponseHeader",
    "WSGIEnviron",
    "asgi_headers_to_wsgi",
    "build_environ",
    "build_scope",
    "environ_headers",
    "headers_to_environ",
    "parse_status",
    "set_process_model",
    "split_path",
    "status_line",
    "wsgi_headers_to_asgi",
]

#: Request bodies up to this size (and response bodies produced in one go) are
#: handled whole; larger ones are streamed in pieces of this size.
BODY_BUFFER_LIMIT = 64 * 1024

#: Scope keys with these prefixes are copied into the environ and back, so
#: routing data (``wsgiorg.routing_args``, ``routes.route``) survives a border.
SHARED_KEY_PREFIXES = ("wsgiorg.", "routes.")


# The functional TypedDict form throughout: with ``from __future__ import
# annotations`` the class form would not see Required/NotRequired at runtime.
ASGIVersions = TypedDict(  # noqa: UP013 - see above
    "ASGIVersions",
    {
        "version": Literal["3.0"],
        "spec_version": NotRequired[str],  # "2.0" to "2.5"; absent means "2.0"
    },
)

#: An ASGI HTTP connection scope (ASGI spec, "HTTP & WebSocket", version 2.5).
HTTPScope = TypedDict(  # noqa: UP013 - see above
    "HTTPScope",
    {
        "type": Literal["http"],
        "asgi": ASGIVersions,
        "http_version": str,  # "1.0", "1.1" or "2"
        "method": str,  # upper-cased HTTP method
        "scheme": str,  # "http" or "https"; optional in the spec, default "http"
        "path": str,  # percent-decoded, UTF-8 decoded; INCLUDES root_path (spec 2.x)
        "raw_path": NotRequired[bytes],  # the original path bytes, not decoded
        "query_string": bytes,  # percent-encoded, after the "?"
        "root_path": str,  # where the app is mounted; a prefix of path; default ""
        "headers": Iterable[tuple[bytes, bytes]],  # lower-cased names, order and duplicates kept
        "client": NotRequired[tuple[str, int] | None],  # (host, port) of the remote end
        "server": NotRequired[tuple[str, int | None] | None],  # (host, port), or (unix path, None)
        "state": NotRequired[dict[str, Any]],  # copy of the lifespan state, per request
        "extensions": NotRequired[dict[str, dict[object, object]]],
    },
)


#: The PEP 3333 environ (key names like "wsgi.input" are not identifiers either).
WSGIEnviron = TypedDict(
    "WSGIEnviron",
    {
        # CGI variables; all native strings holding latin-1 "bytes as str".
        "REQUEST_METHOD": Required[str],
        "SCRIPT_NAME": Required[str],  # where the app is mounted; "" for the root; no trailing "/"
        "PATH_INFO": Required[str],  # the rest of the path, percent-DECODED (so %2F reads as "/")
        "QUERY_STRING": Required[str],  # may be empty, never absent here
        "CONTENT_TYPE": str,  # absent when the request has none
        "CONTENT_LENGTH": str,  # absent when the request has none (chunked bodies)
        "SERVER_NAME": Required[str],
        "SERVER_PORT": Required[str],  # a str, as CGI wants
        "SERVER_PROTOCOL": Required[str],  # "HTTP/1.1"
        "REMOTE_ADDR": str,
        "REMOTE_PORT": str,
        # HTTP_* variables are open-ended: one per request header.
        # WSGI variables.
        "wsgi.version": Required[tuple[int, int]],  # (1, 0)
        "wsgi.url_scheme": Required[str],  # "http" or "https"
        "wsgi.input": Required[IO[bytes]],  # read(size), readline(size), readlines(hint), __iter__
        "wsgi.errors": Required[Any],  # text stream: write(str), writelines, flush
        "wsgi.multithread": Required[bool],
        "wsgi.multiprocess": Required[bool],
        "wsgi.run_once": Required[bool],
        "wsgi.input_terminated": bool,  # mod_wsgi/gunicorn convention: input ends at EOF
        # The ASGI side, for code that wants what WSGI cannot say (raw_path, state).
        "asgi.scope": Scope,
    },
    total=False,
)

#: Keys the ASGI spec and common servers put in an HTTP scope (never copied).
_SPEC_SCOPE_KEYS = frozenset(
    {
        "type", "asgi", "http_version", "method", "scheme", "path", "raw_path", "query_string",
        "root_path", "headers", "client", "server", "state", "extensions", "app", "router",
        "app_root_path", "path_params", "endpoint", "route",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def _latin1(text: str) -> str:
    """A str as WSGI's "bytes as latin-1 str" (the UTF-8 bytes, one char per byte)."""
    return text if text.isascii() else text.encode("utf-8").decode("latin-1")


def split_path(scope: Mapping[str, Any]) -> tuple[str, str]:
    """``(SCRIPT_NAME, PATH_INFO)`` for an HTTP scope, as PEP 3333 native strings.

    SCRIPT_NAME is ``root_path`` without a trailing ``/``; PATH_INFO is ``path``
    minus ``root_path``, removed only at a ``/`` boundary. A server whose ``path``
    does not include ``root_path`` (hypercorn, old uvicorn) gets the whole path as
    PATH_INFO. ``raw_path`` is used when it decodes to ``path``: it keeps bytes
    that are not UTF-8 (``%E9``) exact, where the server's ``path`` replaced them.
    PATH_INFO stays percent-decoded, as every WSGI server makes it, so ``%2F``
    reads as ``/``; the undecoded path is in ``environ["asgi.scope"]["raw_path"]``.
    The process ``SCRIPT_NAME`` environment variable is never read.

    >>> split_path({"path": "/api/x", "root_path": "/api"})
    ('/api', '/x')
    >>> split_path({"path": "/apix", "root_path": "/api"})
    ('/api', '/apix')
    """
    path: str = scope["path"]
    root: str = scope.get("root_path") or ""
    raw = scope.get("raw_path")
    if path.isascii() and not (raw and b"%" in raw):
        # The common case, in fewer steps: nothing to decode, and a root that
        # is a prefix of an ASCII path is ASCII too.
        if not root:
            return "", path
        end = len(root)
        if root[-1] != "/" and path.startswith(root) and (len(path) == end or path[end] == "/"):
            return root, path[end:]
    return _split_path_general(path, root, raw)


def _split_path_general(path: str, root: str, raw: bytes | None) -> tuple[str, str]:
    """:func:`split_path` for any path: percent-escapes in ``raw_path``, non-ASCII, odd roots."""
    full = path if path.isascii() else path.encode("utf-8").decode("latin-1")
    if raw and b"%" in raw:
        decoded = unquote_to_bytes(raw)
        if decoded.decode("utf-8", "replace") == path:  # else: path was rewritten, raw_path left behind
            full = decoded.decode("latin-1")
    if not root:
        return "", full
    if root[-1] == "/":
        root = root.rstrip("/")
        if not root:
            return "", full
    script = _latin1(root)
    if full.startswith(script) and (len(full) == len(script) or full[len(script)] == "/"):
        return script, full[len(script) :]
    return script, full


_HEADER_KEYS: dict[bytes, str | None] = {}  # header name -> environ key (None: dropped)
_HEADER_KEYS_MAX = 1024  # bounded: clients choose header names


def _environ_key(raw_name: bytes) -> str | None:
    name = raw_name.decode("latin-1").lower()
    if "_" in name:
        return None
    if name == "content-type":
        return "CONTENT_TYPE"
    if name == "content-length":
        return "CONTENT_LENGTH"
    return "HTTP_" + name.upper().replace("-", "_")


def headers_to_environ(headers: Iterable[tuple[bytes, bytes]], environ: Environ) -> None:
    """Add ASGI request headers to ``environ`` as CGI variables.

    Duplicates are joined: ``Cookie`` with ``"; "`` (RFC 6265, one cookie-string),
    every other header with ``", "`` (RFC 9110 list syntax; what waitress gives). Names holding ``_``
    are dropped, as gunicorn, waitress and nginx drop them: ``X_User`` would
    otherwise impersonate ``X-User`` as ``HTTP_X_USER``.
    """
    keys = _HEADER_KEYS
    for raw_name, raw_value in headers:
        try:
            key = keys[raw_name]
        except KeyError:
            key = _environ_key(raw_name)
            if len(keys) < _HEADER_KEYS_MAX:
                keys[bytes(raw_name)] = key
        if key is None:
            continue
        value = raw_value.decode("latin-1")
        if not value and key == "HTTP_HOST":
            # granian passes an HTTP/1.0 request's missing Host as an empty one;
            # absent, apps build URLs from SERVER_NAME (PEP 3333), not "http:///"
            continue
        old = environ.get(key)
        if old is None:
            environ[key] = value
        elif key == "HTTP_COOKIE":
            environ[key] = old + "; " + value
        else:
            environ[key] = old + ", " + value


#: Environment variable naming how many worker processes serve the app; a
#: server that forks or spawns workers sets it before they load the app.
#: ``WEB_CONCURRENCY`` (read by uvicorn and gunicorn for their worker count) is
#: the fallback.
WORKERS_ENV = "ASGIPASTE_WORKERS"

_WORKERS: int | None = None  # set by set_process_model(); None: read the environment
_MODEL: tuple[bool, int] | None = None  # what _process_model() found, until set_process_model()


def set_process_model(workers: int | None) -> None:
    """Say how many worker processes serve this app (``None``: read the environment again).

    ``wsgi.multiprocess`` is true only when ``workers > 1``. Servers call this
    in each worker before the app is loaded, or set ``ASGIPASTE_WORKERS`` in
    the environment their workers inherit. When neither is known the
    default is one process (``wsgi.multiprocess = False``), as uvicorn runs
    by default; pyramid_debugtoolbar and other tools that keep state in
    memory disable themselves when it is true.

    >>> set_process_model(4); _process_model()
    (True, 4)
    >>> set_process_model(None)
    """
    global _WORKERS, _MODEL
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    _WORKERS = workers
    _MODEL = None


def _process_model() -> tuple[bool, int]:
    """``(wsgi.multiprocess, workers)``: from :func:`set_process_model`, else the environment (read once)."""
    global _MODEL
    if _MODEL is not None:
        return _MODEL
    workers = _WORKERS
    if workers is None:
        workers = 1
        for name in (WORKERS_ENV, "WEB_CONCURRENCY"):
            text = os.environ.get(name, "").strip()
            if text.isdigit() and int(text) >= 1:
                workers = int(text)
                break
    _MODEL = (workers > 1, workers)
    return _MODEL


def build_environ(
    scope: Mapping[str, Any],
    body: IO[bytes],
    *,
    errors: Any = None,
    multithread: bool = True,
) -> Environ:
    """The PEP 3333 environ for an ASGI HTTP ``scope`` whose request body is ``body``.

    ``errors`` becomes ``wsgi.errors`` (default: a stream logging to
    ``asgipaste.wsgi.errors``). ``environ["asgi.scope"]`` is the scope itself, and
    scope keys starting with ``wsgiorg.`` or ``routes.`` are copied in.
    """
    script_name, path_info = split_path(scope)
    if path_info[:2] == "//" and not script_name:
        # waitress's rule (PasteDeploy's usual server): leading slashes of the request
        # target collapse to one, so "//urls" routes as "/urls"; inner runs stay.
        path_info = "/" + path_info.lstrip("/")
    scheme = scope.get("scheme") or "http"
    server = scope.get("server")
    if server:
        server_name, port = server
        if port is None:
            port = _DEFAULT_PORTS.get(scheme, 80)
    else:
        server_name, port = "localhost", _DEFAULT_PORTS.get(scheme, 80)
    # One dict display: measurably cheaper per request than key-by-key stores.
    environ: Environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name,
        "PATH_INFO": path_info,
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": server_name,
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/" + scope.get("http_version", "1.1"),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": body,
        "wsgi.errors": ErrorStream() if errors is None else errors,
        "wsgi.multithread": multithread,
        "wsgi.multiprocess": _process_model()[0],
        "wsgi.run_once": False,
        "wsgi.input_terminated": True,
        "asgi.scope": scope,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])
    headers_to_environ(scope.get("headers", ()), environ)
    if not scope.keys() <= _SPEC_SCOPE_KEYS:  # usually all spec keys: skip the prefix checks
        for key in scope.keys() - _SPEC_SCOPE_KEYS:
            if key.startswith(SHARED_KEY_PREFIXES):
                environ[key] = scope[key]
        outer = scope.get("wsgi_environ")
        if isinstance(outer, Mapping):
            _inherit(environ, outer)
    return environ


#: Keys this layer computes from the scope itself: an outer environ's copy is not inherited.
_OWN_KEY_PREFIXES = ("HTTP_", "CONTENT_", "wsgi.", "asgi.")
#: What WebOb notes about the outer ``wsgi.input``: this layer's input is another stream
#: (not seekable when streamed), so those notes would make WebOb seek it or trust a cache.
_OUTER_BODY_KEYS = frozenset(
    {"webob.is_body_seekable", "webob.is_body_readable", "webob._body_file", "webob._parsed_post_vars"}
)


def _inherit(environ: Environ, outer: Mapping[str, Any]) -> None:
    """Give a WSGI app below an ASGI part what the WSGI filters above it put in their environ.

    Under PasteDeploy every WSGI layer shares one environ, so a filter's
    ``REMOTE_USER``, ``keystone.token_info`` or ``openstack.request_id`` reaches
    the app. Across an ASGI part (a mixed urlmap) the environ is rebuilt from
    the scope; the outer one rides along as ``scope["wsgi_environ"]`` and its
    keys fill in what the rebuilt one lacks. Headers, the request line and the
    ``wsgi.*`` streams stay this layer's own.
    """
    for key, value in outer.items():
        if key not in environ and not key.startswith(_OWN_KEY_PREFIXES) and key not in _OUTER_BODY_KEYS:
            environ[key] = value


def environ_headers(environ: Mapping[str, Any]) -> list[tuple[bytes, bytes]]:
    """The request headers of ``environ`` as an ASGI header list (lower-cased names)."""
    headers: list[tuple[bytes, bytes]] = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            if key in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                continue  # CGI spells these without the prefix; a stray copy is not a header
            name = key[5:].lower().replace("_", "-")
        elif key == "CONTENT_TYPE":
            name = "content-type"
        elif key == "CONTENT_LENGTH":
            name = "content-length"
        else:
            continue
        if not isinstance(value, str) or (not value and key.startswith("CONTENT_")):
            continue
        headers.append((name.encode("latin-1"), value.encode("latin-1")))
    return headers


def _from_latin1(text: str) -> str:
    return text if text.isascii() else text.encode("latin-1").decode("utf-8", "replace")


def _port(value: object) -> int | None:
    text = str(value)
    return int(text) if text.isdigit() else None


def build_scope(environ: Mapping[str, Any]) -> Scope:
    """The ASGI HTTP scope for a WSGI ``environ`` (the inverse of :func:`build_environ`).

    ``root_path`` is SCRIPT_NAME and ``path`` is SCRIPT_NAME + PATH_INFO (spec 2.x).
    When ``environ["asgi.scope"]`` exists (the request came in through ASGI), its
    ``state`` is carried over, so the inner app keeps its lifespan state, and its
    ``raw_path`` is reused when the path was not rewritten on the way. The
    environ itself is ``scope["wsgi_environ"]`` (a2wsgi's key), so values a WSGI
    filter put there (``REMOTE_USER``, ``keystone.token_info``) stay reachable.

    >>> s = build_scope({"REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api", "PATH_INFO": "/x"})
    >>> s["root_path"], s["path"], s["server"]
    ('/api', '/api/x', ('localhost', 80))
    """
    script_name = _from_latin1(environ.get("SCRIPT_NAME", ""))
    path = script_name + _from_latin1(environ.get("PATH_INFO", ""))
    protocol: str = environ.get("SERVER_PROTOCOL", "HTTP/1.1")
    scheme: str = environ.get("wsgi.url_scheme", "http")
    port = _port(environ.get("SERVER_PORT", ""))
    scope: dict[str, Any] = {
        "type": "http",
        # 2.4: send() raises OSError once the client (here: the WSGI side) is gone.
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": protocol[5:] if protocol.startswith("HTTP/") else "1.1",
        "method": environ.get("REQUEST_METHOD", "GET"),
        "scheme": scheme,
        "root_path": script_name,
        "path": path,
        "query_string": environ.get("QUERY_STRING", "").encode("latin-1"),
        "headers": environ_headers(environ),
        "server": (
            environ.get("SERVER_NAME", "localhost"),
            port if port is not None else _DEFAULT_PORTS.get(scheme, 80),
        ),
        "wsgi_environ": environ,
    }
    if "REMOTE_ADDR" in environ:
        scope["client"] = (environ["REMOTE_ADDR"], _port(environ.get("REMOTE_PORT", "")) or 0)
    outer = environ.get("asgi.scope")
    raw_path = None
    if isinstance(outer, Mapping):
        if "state" in outer:
            scope["state"] = outer["state"]
        if outer.get("path") == path and isinstance(outer.get("raw_path"), bytes):
            raw_path = outer["raw_path"]
    if raw_path is None:
        raw_path = _server_raw_path(environ, path)
    if raw_path is None:
        raw_path = quote(path.encode("utf-8"), safe="/:@!$&'()*+,;=-._~").encode("ascii")
    scope["raw_path"] = raw_path
    for key, value in environ.items():
        if key.startswith(SHARED_KEY_PREFIXES):
            scope[key] = value
    return scope


def _server_raw_path(environ: Mapping[str, Any], path: str) -> bytes | None:
    """The path as the client sent it, from a WSGI server that keeps it, when it still decodes to ``path``.

    gunicorn sets ``RAW_URI``; waitress, uwsgi and mod_wsgi set ``REQUEST_URI``.
    It keeps what PATH_INFO lost: ``%2F`` inside a segment.

    >>> _server_raw_path({"RAW_URI": "/files/a%2Fb?x=1"}, "/files/a/b")
    b'/files/a%2Fb'
    >>> _server_raw_path({"REQUEST_URI": "/files/a%2Fb"}, "/rewritten") is None
    True
    """
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if not isinstance(uri, str) or not uri:
        return None
    target = uri.split("?", 1)[0]
    if not target.startswith("/"):  # absolute-form (a proxy request): keep only the path
        scheme_end = target.find("://")
        slash = target.find("/", scheme_end + 3) if scheme_end >= 0 else -1
        if slash < 0:
            return None
        target = target[slash:]
    try:
        raw = target.encode("latin-1")
    except UnicodeEncodeError:
        return None
    if unquote_to_bytes(raw).decode("utf-8", "replace") != path:  # rewritten on the way (//, a prefix)
        return None
    return raw


def parse_status(status: object) -> int:
    """The code of a WSGI status line (``"404 Not Found"`` -> 404); a clear error otherwise."""
    if type(status) is str:
        known = _STATUS_CODES.get(status)
        if known is not None:
            return known
    if not isinstance(status, str):
        raise TypeError(f"WSGI status must be a str like '200 OK', got {type(status).__name__}: {status!r}")
    code = status[:3]
    if len(status) < 3 or not code.isdigit() or (len(status) > 3 and status[3] != " "):
        raise ValueError(f"WSGI status must start with a 3-digit code and a space, like '200 OK': {status!r}")
    if type(status) is str and len(_STATUS_CODES) < _STATUS_CODES_MAX:
        _STATUS_CODES[status] = int(code)
    return int(code)


_STATUS_CODES: dict[str, int] = {}  # status lines already parsed -> code
_STATUS_CODES_MAX = 256  # bounded: the reason phrase is the app's choice


def status_line(code: int) -> str:
    """The WSGI status line for an ASGI status code (``404`` -> ``"404 Not Found"``)."""
    try:
        return f"{code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"


#: RFC 9110 ``token``: the characters a header field name may hold.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: Characters a field value may not hold (RFC 9110 5.5): controls other than
#: HTAB, and DEL. CR, LF and NUL would split or end the response head; h11
#: (uvicorn's ``http = h11``) also refuses the other controls.
_BAD_VALUE_CHARS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class InvalidResponseHeader(ValueError):
    """A WSGI app gave a response header that cannot be sent (raised by ``start_response``).

    PEP 3333 asks servers to check headers when ``start_response`` is called, so
    the error is raised in the app, before anything is sent: the client gets a
    logged ``500``, never a dropped connection.
    """


def wsgi_headers_to_asgi(headers: object) -> list[tuple[bytes, bytes]]:
    """WSGI response headers (a list of ``(str, str)``) as ASGI ones: lower-cased latin-1 bytes.

    Values lose surrounding spaces and tabs (``"a; "`` is sent as ``"a;"``:
    h11 refuses the trailing space and uvicorn would drop the connection). A
    name that is not an RFC 9110 token, or a value holding CR, LF, NUL or
    another control character, raises :class:`InvalidResponseHeader`.

    >>> wsgi_headers_to_asgi([("Content-Security-Policy", "default-src 'self'; ")])
    [(b'content-security-policy', b"default-src 'self';")]
    """
    if not isinstance(headers, list):
        raise TypeError(f"WSGI response headers must be a list of (name, value) tuples, got {headers!r}")
    out: list[tuple[bytes, bytes]] = []
    names = _CHECKED_NAMES
    pairs = _CHECKED_PAIRS
    for item in headers:
        # Fast paths, exact, for a (str, str) tuple: this very pair passed before;
        # or a name already checked and a value of printable ASCII (no control
        # character can hide in it). Everything else takes the full check below.
        if type(item) is tuple and len(item) == 2 and type(item[0]) is str and type(item[1]) is str:
            known = pairs.get(item)
            if known is not None:
                out.append(known)
                continue
            name, value = item
            raw_name = names.get(name)
            if raw_name is not None and value.isascii() and value.isprintable():
                pair = (raw_name, value.strip(" ").encode("ascii"))
                if len(value) <= _CHECKED_PAIR_VALUE_MAX:
                    if len(pairs) >= _CHECKED_PAIRS_MAX:
                        pairs.clear()  # values that change per request (cookies, lengths) filled it
                    pairs[item] = pair
                out.append(pair)
                continue
        try:
            name, value = item
            raw_name = name.lower().encode("latin-1")
            raw_value = value.strip(" \t").encode("latin-1")
        except (TypeError, ValueError, AttributeError, UnicodeEncodeError) as exc:
            raise TypeError(f"bad WSGI response header {item!r}: must be a (str, str) tuple of latin-1 text") from exc
        if not _TOKEN.fullmatch(name):
            raise InvalidResponseHeader(f"invalid WSGI response header name {name!r}: must be an RFC 9110 token")
        if _BAD_VALUE_CHARS.search(value):
            raise InvalidResponseHeader(
                f"invalid WSGI response header value for {name!r}: {value!r} holds CR, LF, NUL or a control character"
            )
        if len(names) < _CHECKED_NAMES_MAX:
            names[name] = raw_name
        out.append((raw_name, raw_value))
    return out


_CHECKED_NAMES: dict[str, bytes] = {}  # response header names that passed the token check -> bytes
_CHECKED_NAMES_MAX = 1024  # bounded: an app may make names up per request
#: (name, value) pairs that took the fast path -> their ASGI form: static headers
#: (Content-Type, Cache-Control) repeat on every response; short values only.
_CHECKED_PAIRS: dict[tuple[str, str], tuple[bytes, bytes]] = {}
_CHECKED_PAIRS_MAX = 1024
_CHECKED_PAIR_VALUE_MAX = 128


def asgi_headers_to_wsgi(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """ASGI response headers as WSGI ones (latin-1 native strings)."""
    return [(bytes(name).decode("latin-1"), bytes(value).decode("latin-1")) for name, value in headers]
