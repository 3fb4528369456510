"""keystonemiddleware's auth_token with delay_auth_decision and no identity service, on both loaders.

The identity URL is a closed loopback port, so nothing is ever validated:
with ``delay_auth_decision = true`` every request reaches the service marked
``X-Identity-Status: Invalid``, and identity headers a client sends
(``X-User-Id``, ``X-Roles``, ...) are removed before the service sees them.
Without delay_auth_decision (``/strict``) the request is refused with 401 and
the ``WWW-Authenticate: Keystone uri=...`` challenge.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._proc import free_port
from tests.real_openstack._differential import SERVER_PARAMS, Pair, Req, serving_pair

INI = Path(__file__).parent / "keystone-auth-paste.ini"

#: What a malicious client sends to pose as an admin.
SPOOFED = {
    "X-Identity-Status": "Confirmed",
    "X-Service-Identity-Status": "Confirmed",
    "X-User-Id": "evil-user",
    "X-User-Name": "admin",
    "X-Roles": "admin,member",
    "X-Project-Id": "evil-project",
    "X-Project-Name": "admin",
    "X-Domain-Id": "default",
    "X-User": "admin",
    "X-Tenant-Id": "evil-project",
    "X-Service-Roles": "service",
    "X-Is-Admin-Project": "True",
}

@pytest.fixture(scope="module")
def identity_port() -> int:
    """A loopback port nothing listens on: every call to the identity service is refused at once."""
    return free_port()


@pytest.fixture(scope="module", params=SERVER_PARAMS)
def pair(
    request: pytest.FixtureRequest, identity_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    conf = {"identity_port": str(identity_port)}
    log_dir = tmp_path_factory.mktemp("keystone")
    with serving_pair(request.param, INI, "main", log_dir=log_dir, global_conf=conf) as both:
        yield both


def test_anonymous_request_passes_as_invalid(pair: Pair) -> None:
    answer = pair.same(Req("GET", "/servers"))
    assert answer.status == 200
    assert answer.json()["identity"] == {"HTTP_X_IDENTITY_STATUS": "Invalid"}
    assert answer.header("x-openstack-request-id") == ["req-<id>"]


def test_spoofed_identity_headers_never_reach_the_service(pair: Pair) -> None:
    answer = pair.same(Req("GET", "/servers", SPOOFED))
    assert answer.status == 200
    assert answer.json()["identity"] == {"HTTP_X_IDENTITY_STATUS": "Invalid"}
    with_token = pair.same(Req("POST", "/servers", {**SPOOFED, "X-Auth-Token": "gAAAAABfake"}, b"{}"))
    assert with_token.status == 200
    assert with_token.json()["identity"] == {"HTTP_X_IDENTITY_STATUS": "Invalid"}
    assert with_token.json()["body_bytes"] == 2


def test_without_delay_auth_decision_the_request_is_refused(pair: Pair, identity_port: int) -> None:
    answer = pair.same(Req("GET", "/strict/servers", SPOOFED))
    assert answer.status == 401
    assert answer.header("www-authenticate") == ['Keystone uri="http://127.0.0.1:<port>/identity"']
    raw = pair.ported.get("/strict/servers")
    assert raw.headers["www-authenticate"] == f'Keystone uri="http://127.0.0.1:{identity_port}/identity"'
    assert answer.header("x-echo") == []  # the service was never called
