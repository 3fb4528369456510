"""Every paste.* factory oslo.middleware declares, in one api-paste.ini, served by asgipaste and by PasteDeploy.

oslo.middleware's entry_points.txt declares, under ``paste.filter_factory``:
basic_auth, catch_errors, correlation_id, cors, debug, http_proxy_to_wsgi,
request_id, sizelimit, tracing; and under ``paste.app_factory``: healthcheck.
``oslo-api-paste.ini`` wires all of them the way services do. Each request is
sent to PasteDeploy + waitress and to asgipaste on each server; status, the
app's headers and the body must match, then the behaviour itself is checked.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from pathlib import Path

import bcrypt
import httpx
import pytest

from tests.real_openstack._differential import (
    REQUEST_ID,
    SERVER_PARAMS,
    Pair,
    Req,
    serving_pair,
)

HERE = Path(__file__).parent
INI = HERE / "oslo-api-paste.ini"
ALLOWED = "https://dashboard.example.org"
LIMIT = 1024  # max_request_body_size in the ini

def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The htpasswd file basic_auth reads and where the healthcheck disable file goes."""
    import oslo_middleware.basic_auth  # noqa: F401 - registers http_basic_auth_user_file
    from oslo_config import cfg

    state = tmp_path_factory.mktemp("oslo-state")
    digest = bcrypt.hashpw(b"s3cret", bcrypt.gensalt(rounds=4)).decode()
    (state / "htpasswd").write_text(f"admin:{digest}\n")
    cfg.CONF.set_override("http_basic_auth_user_file", str(state / "htpasswd"), group="oslo_middleware")
    yield state


@pytest.fixture(scope="module", params=SERVER_PARAMS)
def pair(request: pytest.FixtureRequest, state_dir: Path) -> Iterator[Pair]:
    """PasteDeploy on waitress and asgipaste on ``request.param``, both loading oslo-api-paste.ini."""
    overrides = [("http_basic_auth_user_file", str(state_dir / "htpasswd"), "oslo_middleware")]
    conf = {"state_dir": str(state_dir)}
    with serving_pair(
        request.param,
        INI,
        "main",
        log_dir=state_dir,
        global_conf=conf,
        oslo_overrides=overrides,
        imports=["oslo_middleware.basic_auth"],
        probe="/healthcheck",
    ) as both:
        yield both


def test_request_id_is_generated_and_echoed(pair: Pair) -> None:
    answer = pair.same(Req("GET", "/servers?limit=2"))
    assert answer.status == 200
    assert answer.json()["request_id"] == "req-<id>"
    raw = pair.ported.get("/servers")
    request_id = raw.headers["x-openstack-request-id"]
    assert REQUEST_ID.fullmatch(request_id)
    assert raw.json()["request_id"] == request_id  # the id the app saw is the one returned
    assert pair.ported.get("/servers").headers["x-openstack-request-id"] != request_id


def test_inbound_global_request_id_reaches_the_app(pair: Pair) -> None:
    inbound = f"req-{uuid.uuid4()}"
    answer = pair.same(Req("GET", "/servers", {"X-Openstack-Request-Id": inbound}))
    assert answer.json()["global_request_id"] == "req-<id>"
    raw = pair.ported.get("/servers", headers={"X-Openstack-Request-Id": inbound})
    assert raw.json()["global_request_id"] == inbound
    bogus = pair.same(Req("GET", "/servers", {"X-Openstack-Request-Id": "not-a-request-id"}))
    assert bogus.json()["global_request_id"] is None


def test_correlation_id_is_kept_or_made(pair: Pair) -> None:
    made = pair.same(Req("GET", "/servers"))
    assert made.json()["correlation_id"] == "<uuid>"
    kept = pair.same(Req("GET", "/servers", {"X-Correlation-Id": "corr-42"}))
    assert kept.json()["correlation_id"] == "corr-42"


def test_cors_preflight_allowed_origin(pair: Pair) -> None:
    preflight = Req(
        "OPTIONS",
        "/servers",
        {"Origin": ALLOWED, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "X-Auth-Token"},
    )
    answer = pair.same(preflight)
    assert answer.status == 200
    assert answer.header("access-control-allow-origin") == [ALLOWED]
    assert "PUT" in answer.header("access-control-allow-methods")[0]
    assert answer.header("access-control-allow-headers") == ["X-Auth-Token"]
    assert answer.header("access-control-max-age") == ["3600"]
    simple = pair.same(Req("GET", "/servers", {"Origin": ALLOWED}))
    assert simple.header("access-control-allow-origin") == [ALLOWED]
    assert simple.header("access-control-expose-headers") == ["X-Openstack-Request-Id"]


def test_cors_refused_origin_and_method(pair: Pair) -> None:
    evil = {"Origin": "https://evil.example.org", "Access-Control-Request-Method": "GET"}
    refused = pair.same(Req("OPTIONS", "/servers", evil))
    assert refused.header("access-control-allow-origin") == []
    bad_method = pair.same(Req("OPTIONS", "/servers", {"Origin": ALLOWED, "Access-Control-Request-Method": "TRACE"}))
    assert bad_method.header("access-control-allow-origin") == []
    simple = pair.same(Req("GET", "/servers", {"Origin": "https://evil.example.org"}))
    assert simple.status == 200 and simple.header("access-control-allow-origin") == []


def test_sizelimit_at_and_over_the_limit(pair: Pair) -> None:
    at = pair.same(Req("POST", "/servers", {"Content-Type": "application/octet-stream"}, b"x" * LIMIT))
    assert at.status == 200 and at.json()["body_bytes"] == LIMIT
    over = pair.same(Req("POST", "/servers", {"Content-Type": "application/octet-stream"}, b"x" * (LIMIT + 1)))
    assert over.status == 413
    assert b"Request Entity Too Large" in over.body


def test_sizelimit_on_a_chunked_body(pair: Pair) -> None:
    """Both refuse with 413, by different paths, so the explanations differ (a documented difference).

    waitress de-chunks the body and sets CONTENT_LENGTH, so RequestBodySizeLimiter
    refuses up front (its message keeps a literal "%s": oslo.middleware formats it
    only for the log); asgipaste streams it with no CONTENT_LENGTH, so the
    LimitingReader refuses while the app reads, with the limit in the message.
    """

    def chunks(total: int) -> Iterator[bytes]:
        for _ in range(total // 256):
            yield b"y" * 256

    def post(client: httpx.Client, total: int) -> httpx.Response:
        return client.post("/servers", content=chunks(total), headers={"Content-Type": "application/octet-stream"})

    for client in (pair.reference, pair.ported):
        small = post(client, LIMIT)
        assert small.status_code == 200 and small.json()["body_bytes"] == LIMIT
    reference, ported = post(pair.reference, 4 * LIMIT), post(pair.ported, 4 * LIMIT)
    assert reference.status_code == ported.status_code == 413
    assert reference.headers["content-type"] == ported.headers["content-type"] == "text/html; charset=UTF-8"
    assert b"Request is too large. Larger than max_request_body_size (%s)." in reference.content
    assert f"Request is too large. Larger than {LIMIT}.".encode() in ported.content


def test_catch_errors_turns_an_exception_into_500(pair: Pair) -> None:
    answer = pair.same(Req("GET", "/boom"))
    assert answer.status == 500
    assert b"Internal Server Error" in answer.body
    assert b"the service failed" not in answer.body  # the exception text is hidden


def test_http_proxy_to_wsgi_x_forwarded_headers(pair: Pair) -> None:
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "compute.example.org",
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Prefix": "/compute",
    }
    seen = pair.same(Req("GET", "/servers", headers)).json()
    assert seen["url_scheme"] == "https"
    assert seen["host"] == "compute.example.org"
    assert seen["remote_addr"] == "203.0.113.7"
    assert seen["script_name"] == "/compute"
    plain = pair.same(Req("GET", "/servers")).json()
    assert (plain["url_scheme"], plain["remote_addr"], plain["script_name"]) == ("http", "127.0.0.1", "")


def test_http_proxy_to_wsgi_rfc7239_forwarded(pair: Pair) -> None:
    forwarded = "for=192.0.2.60;proto=https;host=api.example.org, for=198.51.100.17"
    seen = pair.same(Req("GET", "/servers", {"Forwarded": forwarded, "X-Forwarded-Proto": "ftp"})).json()
    assert (seen["url_scheme"], seen["host"], seen["remote_addr"]) == ("https", "api.example.org", "192.0.2.60")


def test_healthcheck_text_json_and_head(pair: Pair) -> None:
    text = pair.same(Req("GET", "/healthcheck"))
    assert (text.status, text.body) == (200, b"OK")
    assert text.header("content-type") == ["text/plain; charset=UTF-8"]
    as_json = pair.same(Req("GET", "/healthcheck", {"Accept": "application/json"}))
    assert as_json.status == 200 and as_json.json() == {"detailed": False, "reasons": ["OK"]}
    html = pair.same(Req("GET", "/healthcheck", {"Accept": "text/html"}))
    assert html.status == 200 and b"OK" in html.body
    head = pair.same(Req("HEAD", "/healthcheck"))
    assert head.status == 204 and head.body == b""


def test_healthcheck_disabled_by_file(pair: Pair, state_dir: Path) -> None:
    flag = state_dir / "healthcheck_disable"
    assert pair.same(Req("GET", "/healthcheck-off")).status == 200
    flag.write_text("maintenance\n")
    try:
        text = pair.same(Req("GET", "/healthcheck-off"))
        assert (text.status, text.body) == (503, b"DISABLED BY FILE")
        as_json = pair.same(Req("GET", "/healthcheck-off", {"Accept": "application/json"}))
        assert as_json.status == 503 and as_json.json() == {"detailed": False, "reasons": ["DISABLED BY FILE"]}
        head = pair.same(Req("HEAD", "/healthcheck-off"))
        assert head.status == 503 and head.body == b""
        assert pair.same(Req("GET", "/healthcheck")).status == 200  # the other healthcheck has no file
    finally:
        flag.unlink()
    assert pair.same(Req("GET", "/healthcheck-off")).status == 200


def test_basic_auth(pair: Pair) -> None:
    missing = pair.same(Req("GET", "/basic/servers"))
    assert missing.status == 401 and missing.json()["error"]["code"] == 401
    wrong = pair.same(Req("GET", "/basic/servers", {"Authorization": _basic("admin", "nope")}))
    assert wrong.status == 401
    good = pair.same(Req("GET", "/basic/servers", {"Authorization": _basic("admin", "s3cret")}))
    assert good.status == 200
    assert good.json()["identity"]["HTTP_X_USER_NAME"] == "admin" and good.json()["script_name"] == "/basic"


def test_debug_passes_requests_through(pair: Pair) -> None:
    answer = pair.same(Req("PUT", "/debug/servers/1", {"Content-Type": "text/plain"}, b"hello"))
    assert answer.status == 200
    assert answer.json()["body_bytes"] == 5 and answer.json()["path_info"] == "/servers/1"
