"""The real paste files of OpenStack services, verbatim from their sdists, on asgipaste and on PasteDeploy.

Each file is downloaded once (see :mod:`tests.real_openstack._sdists`). Only the
services' own factories are stand-ins (``standins/``: nova, keystone, glance,
cinder, neutron, heat, barbican, manila, swift), written the way each service
writes them; oslo.middleware, keystonemiddleware, osprofiler and Paste's urlmap
are the real packages. Each file must pass ``asgipaste.check_config`` (and the
``asgipaste check`` command, run on three of them), load with
``asgipaste.loadapp``, and answer each request exactly as
``paste.deploy.loadapp`` on waitress does, on uvicorn (httptools, h11) and granian.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import asgipaste
from tests._proc import child_env
from tests.real_openstack._differential import SERVERS, Answer, GranianFleet, Pair, Req, serving_pair
from tests.real_openstack._sdists import SERVICE_FILES, paste_file, prefetch

STANDINS = Path(__file__).parent / "standins"
#: Top-level names of the stand-in packages (tests/mixed has its own older ``nova``).
STANDIN_TOPS = ("nova", "keystone", "glance", "cinder", "neutron", "heat", "barbican", "manila", "swift",
                "openstack_standin_kit")  # fmt: skip

# A cold cache downloads the sdists (side by side) in the first test's setup: more than the default timeout.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

Expect = Callable[[list[Answer]], None]


@dataclass(frozen=True)
class Case:
    """One service file: the app section served, what is asked, and what must come back."""

    service: str
    app: str
    requests: tuple[Req, ...]
    expect: Expect
    overrides: tuple[tuple[str, str, str | None], ...] = ()
    imports: tuple[str, ...] = ()
    probe: str = "/"
    global_conf: dict[str, str] = field(default_factory=dict)
    #: What ``asgipaste check`` prints when the file cannot load outside the service's own process
    #: (heat binds its factories only while heat itself loads the file); None: it must pass.
    cli_refusal: str | None = None


@pytest.fixture(scope="module", autouse=True)
def service_files() -> dict[str, Path]:
    """Every service's paste file, fetched once (see :mod:`tests.real_openstack._sdists`)."""
    return prefetch(SERVICE_FILES)


def _is_standin(module: str) -> bool:
    return module.split(".", 1)[0] in STANDIN_TOPS


@pytest.fixture(scope="module", autouse=True)
def standins_on_path() -> Iterator[None]:
    """Put the stand-ins first on sys.path; hide (and afterwards restore) other modules of the same names."""
    hidden = {name: sys.modules.pop(name) for name in list(sys.modules) if _is_standin(name)}
    sys.path.insert(0, str(STANDINS))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(STANDINS))
        for name in [name for name in sys.modules if _is_standin(name)]:
            del sys.modules[name]
        sys.modules.update(hidden)
        importlib.invalidate_caches()


def _json(answer: Answer) -> dict[str, Any]:
    loaded = answer.json()
    assert isinstance(loaded, dict)
    return loaded


# -- what each service file must answer ----------------------------------------


def _nova(answers: list[Answer]) -> None:
    root, v21, servers, legacy, created, no_route, no_prefix = answers
    assert root.status == 300 and [v["id"] for v in _json(root)["versions"]] == ["v2.0", "v2.1"]
    assert root.header("x-openstack-request-id") == []  # oscomputeversions has no request id filter
    assert v21.status == 200 and v21.header("x-compute-request-id") == ["req-<id>"]
    assert v21.header("x-openstack-request-id") == ["req-<id>"]
    body = _json(servers)
    assert servers.status == 200 and body["app"] == "nova.servers" and body["action"] == "index"
    assert body["script_name"] == "/v2.1" and body["context"] == {"user_id": "alice", "project_id": "p1",
                                                                 "noauth": True}
    assert body["trail"] == ["nova.faultwrap", "nova.requestlog", "nova.noauth2"]
    assert _json(legacy)["trail"] == ["nova.faultwrap", "nova.requestlog", "nova.noauth2", "nova.legacy_v2_compatible"]
    assert _json(legacy)["script_name"] == "/v2"
    assert created.status == 202 and _json(created)["body"] == {"server": {"name": "vm1"}}
    assert no_route.status == 404 and no_route.header("x-compute-request-id") == ["req-<id>"]
    assert _json(no_prefix)["answered_by"]["app"] == "nova.versions"  # "/" of the urlmap takes unknown prefixes


def _nova_metadata(answers: list[Answer]) -> None:
    index, meta, cors = answers
    assert (index.status, index.body) == (200, b"1.0\nlatest\n")
    # nova's meta pipeline has http_proxy_to_wsgi, off by default: REMOTE_ADDR stays the peer's
    assert meta.status == 200 and meta.body.endswith(b"# for 127.0.0.1 203.0.113.9")
    assert cors.status == 200 and cors.header("access-control-allow-origin") == []  # no allowed_origin configured


def _token(value: str = "alice:p1", **extra: str) -> dict[str, str]:
    return {"X-Auth-Token": value, **extra}


JSON = {"Content-Type": "application/json"}
BIG = b"x" * (114688 + 1)  # one byte over oslo.middleware's default max_request_body_size


def _noauth_service(prefix: str, app: str, trail: list[str], *, versions: int = 200) -> Expect:
    """What the cinder- and manila-shaped files answer with auth_strategy = noauth."""

    def expect(answers: list[Answer]) -> None:
        root, health, bare, index, created, big, no_route = answers
        assert root.status == versions and _json(root)["versions"]
        assert (health.status, health.body) == (200, b"OK")
        assert bare.status == 204 and bare.header("x-auth-token") == ["admin:admin"]
        assert bare.header("x-server-management-url")[0].startswith(f"http://127.0.0.1:<port>{prefix}")
        body = _json(index)
        assert index.status == 200 and body["app"] == app and body["action"] == "index"
        assert body["args"] == {"project_id": "p1"} and body["trail"] == trail
        assert body["context"] == {"user_id": "alice", "project_id": "p1", "noauth": True}
        assert created.status == 202 and _json(created)["body"] == {"x": 1}
        assert big.status == 413
        assert no_route.status == 404

    return expect


def _service_requests(prefix: str, collection: str) -> tuple[Req, ...]:
    return (
        Req("GET", "/"),
        Req("GET", "/healthcheck"),
        Req("GET", prefix),
        Req("GET", f"{prefix}/p1/{collection}", _token()),
        Req("POST", f"{prefix}/p1/{collection}", _token(**JSON), b'{"x": 1}'),
        Req("POST", f"{prefix}/p1/{collection}", _token(**JSON), BIG),
        Req("GET", f"{prefix}/p1/no-such-thing/1/2", _token()),
    )


def _cinder(answers: list[Answer]) -> None:
    _noauth_service("/v3", "cinder.volumes", ["cinder.faultwrap", "cinder.noauth"])(answers)
    for answer in answers[:3]:  # the request_id filter is cinder's own subclass, with nova's compat header
        assert answer.header("x-openstack-request-id") == answer.header("x-compute-request-id") == ["req-<id>"]


def _neutron(answers: list[Answer]) -> None:
    root, health, networks, extensions, created, missing = answers
    assert root.status == 200 and _json(root)["versions"][0]["id"] == "v2.0"
    assert root.header("x-openstack-request-id") == []  # the versions pipeline has no request_id
    assert (health.status, health.body) == (200, b"OK")
    body = _json(networks)
    assert networks.status == 200 and body["app"] == "neutron.networks"
    assert body["trail"] == ["neutron.fake_project_id", "neutron.extensions"]
    assert body["context"] == {"user_id": "noauth", "project_id": "proj-9"}
    assert networks.header("x-openstack-request-id") == ["req-<id>"]
    assert _json(extensions)["extensions"][0] == {"alias": "router"}
    assert created.status == 202
    assert missing.status == 404


def _glance(answers: list[Answer]) -> None:
    root, versions, images, image, created, deleted, unknown_version, health, schema, by_media_type = answers
    assert root.status == 300 and _json(root)["versions"][0]["id"] == "v2.17"
    assert versions.status == 200
    body = _json(images)
    assert images.status == 200 and body["app"] == "glance.images" and body["action"] == "index"
    assert body["trail"] == ["glance.versionnegotiation", "glance.unauthenticated-context"]
    assert body["context"] == {"user_id": None, "is_admin": True}
    assert (body["script_name"], body["path_info"]) == ("/v2", "/images")  # rootapp mounted /v2
    assert _json(image)["args"] == {"image_id": "abc"}
    assert created.status == 202 and _json(created)["body"] == {"name": "cirros"}
    assert deleted.status == 204 and deleted.body == b""
    assert unknown_version.status == 300  # the versions document, as glance answers unknown versions
    assert (health.status, health.body) == (200, b"OK")
    assert _json(schema)["app"] == "glance.schemas"
    assert _json(by_media_type)["app"] == "glance.images"  # version from the Accept media type


def _heat(answers: list[Answer]) -> None:
    root, stacks, stack, created, other, health = answers
    assert root.status == 200 and _json(root)["versions"] == [
        {"id": "v1.0", "status": "CURRENT", "links": [{"rel": "self", "href": "http://127.0.0.1:<port>/v1.0/"}]}
    ]
    body = _json(stacks)
    assert stacks.status == 200 and body["app"] == "heat.stacks" and body["args"] == {"tenant_id": "t1"}
    assert body["trail"] == ["heat.faultwrap", "heat.noauth", "heat.context", "heat.versionnegotiation"]
    assert body["script_name"] == "/v1" and body["identity_status"] == "Confirmed"
    assert body["context"] == {"user_id": "bob", "project_id": "admin", "roles": ["admin"]}
    assert stacks.header("x-openstack-request-id") == ["req-<id>"]
    assert _json(stack)["args"] == {"tenant_id": "t1", "stack_name": "web"}
    assert created.status == 202
    assert _json(other)["answered_by"]["app"] == "heat.versions"
    assert health.status == 200


def _barbican(answers: list[Answer]) -> None:
    root, secrets, health, preflight = answers
    assert root.status == 200 and _json(root)["answered_by"]["trail"] == ["barbican.microversion"]
    assert root.header("openstack-api-version") == ["key-manager 1.1"] and root.header("vary") == [
        "OpenStack-API-Version"
    ]
    assert secrets.status == 401  # keystonemiddleware's auth_token, not configured to delay the decision
    assert secrets.header("www-authenticate") == ['Keystone uri="http://127.0.0.1:<port>/identity"']
    assert _json(secrets)["error"]["code"] == 401
    assert (health.status, health.body) == (200, b"OK")
    assert preflight.status == 200 and preflight.header("access-control-allow-origin") == []


SWIFT_TOKEN = "AUTH_tk" + hashlib.sha256(b"test:tester").hexdigest()[:32]
#: The pipeline's filters by their entry point names (each stand-in records its own).
SWIFT_TRAIL = [
    *("catch_errors", "gatekeeper", "healthcheck", "proxy_logging", "memcache", "listing_formats", "container_sync"),
    *("bulk", "tempurl", "ratelimit", "tempauth", "copy", "container_quotas", "account_quotas", "slo", "dlo"),
    *("versioned_writes", "symlink", "proxy_logging"),
]


def _swift(answers: list[Answer]) -> None:
    health, info, auth, bad_auth, anonymous, put, get = answers
    assert (health.status, health.body) == (200, b"OK")
    assert health.header("x-trans-id") == ["tx<uuid>"] == health.header("x-openstack-request-id")
    assert info.status == 200 and _json(info)["swift"] == {"version": "2.35.0"}
    assert auth.status == 200 and auth.header("x-auth-token") == [SWIFT_TOKEN]
    assert auth.header("x-storage-url") == ["http://127.0.0.1:<port>/v1/AUTH_test"]
    assert bad_auth.status == 401
    assert anonymous.status == 401 and anonymous.header("www-authenticate") == ['Swift realm="AUTH_test"']
    assert put.status == 201 and _json(put)["body_bytes"] == 11
    body = _json(get)
    assert (body["account"], body["container"], body["object"], body["user"]) == ("AUTH_test", "c", "o", "test:tester")
    assert body["backend_headers"] == []  # the gatekeeper dropped the client's X-Backend-* header
    assert body["trail"] == SWIFT_TRAIL


CASES = {
    "nova": Case(
        "nova",
        "osapi_compute",
        (
            Req("GET", "/"),
            Req("GET", "/v2.1"),
            Req("GET", "/v2.1/servers", {"X-Auth-Token": "alice:p1"}),
            Req("GET", "/v2/servers", {"X-Auth-Token": "alice:p1"}),
            Req("POST", "/v2.1/servers", {"X-Auth-Token": "alice:p1", "Content-Type": "application/json"},
                json.dumps({"server": {"name": "vm1"}}).encode()),
            Req("GET", "/v2.1/servers/9/nothing-here", {"X-Auth-Token": "alice:p1"}),
            Req("GET", "/v3/servers"),
        ),
        _nova,
        overrides=(("auth_strategy", "noauth2", "api"),),
        imports=("nova.conf",),
    ),
    "nova-metadata": Case(
        "nova",
        "metadata",
        (
            Req("GET", "/"),
            Req("GET", "/latest/meta-data/", {"X-Forwarded-For": "203.0.113.9"}),
            Req("GET", "/", {"Origin": "https://horizon.example.org"}),
        ),
        _nova_metadata,
    ),
    "glance": Case(
        "glance",
        "glance-api",
        (
            Req("GET", "/"),
            Req("GET", "/versions"),
            Req("GET", "/v2/images"),
            Req("GET", "/v2.9/images/abc"),
            Req("POST", "/v2/images", JSON, b'{"name": "cirros"}'),
            Req("DELETE", "/v2/images/abc"),
            Req("GET", "/v7/images"),
            Req("GET", "/healthcheck"),
            Req("GET", "/v2/schemas/image"),
            Req("GET", "/images", {"Accept": "application/vnd.openstack.images-v2.1"}),
        ),
        _glance,
        imports=("glance.api",),
    ),
    "heat": Case(
        "heat",
        "heat-api-noauth",
        (
            Req("GET", "/"),
            Req("GET", "/v1/t1/stacks", {"X-Auth-User": "bob"}),
            Req("GET", "/v1/t1/stacks/web"),
            Req("POST", "/v1/t1/stacks", JSON, b'{"stack_name": "web"}'),
            Req("GET", "/v2/t1/stacks"),
            Req("GET", "/healthcheck"),
        ),
        _heat,
        overrides=(("flavor", "noauth", "paste_deploy"),),
        imports=("heat.api", "heat.common.wsgi:setup_paste_factories"),
        cli_refusal="Cannot import 'heat.common.wsgi:filter_factory': AttributeError",
    ),
    "barbican": Case(
        "barbican",
        "main",
        (
            Req("GET", "/"),
            Req("GET", "/v1/secrets", {"X-Project-Id": "p1", "X-Roles": "admin", "X-Identity-Status": "Confirmed"}),
            Req("GET", "/healthcheck"),
            Req("OPTIONS", "/v1/secrets", {"Origin": "https://ui.example.org", "Access-Control-Request-Method": "GET"}),
        ),
        _barbican,
        overrides=(("www_authenticate_uri", "http://127.0.0.1:9/identity", "keystone_authtoken"),),
        imports=("keystonemiddleware.auth_token",),
    ),
    "swift": Case(
        "swift",
        "main",
        (
            Req("GET", "/healthcheck"),
            Req("GET", "/info"),
            Req("GET", "/auth/v1.0", {"X-Auth-User": "test:tester", "X-Auth-Key": "testing"}),
            Req("GET", "/auth/v1.0", {"X-Auth-User": "test:tester", "X-Auth-Key": "wrong"}),
            Req("GET", "/v1/AUTH_test/c/o"),
            Req("PUT", "/v1/AUTH_test/c/o", {"X-Auth-Token": SWIFT_TOKEN}, b"hello swift"),
            Req("GET", "/v1/AUTH_test/c/o", {"X-Auth-Token": SWIFT_TOKEN, "X-Backend-Storage-Policy-Index": "1"}),
        ),
        _swift,
        probe="/healthcheck",
    ),
    "cinder": Case(
        "cinder",
        "osapi_volume",
        _service_requests("/v3", "volumes"),
        _cinder,
        overrides=(("auth_strategy", "noauth", None),),
        imports=("cinder.api.middleware.auth",),
    ),
    "manila": Case(
        "manila",
        "osapi_share",
        _service_requests("/v2", "shares"),
        _noauth_service("/v2", "manila.v2.shares", ["manila.faultwrap", "manila.noauth"], versions=300),
        overrides=(("auth_strategy", "noauth", None),),
        imports=("manila.api.middleware.auth",),
    ),
    "neutron": Case(
        "neutron",
        "neutron",
        (
            Req("GET", "/"),
            Req("GET", "/healthcheck"),
            Req("GET", "/v2.0/networks", {"X-Project-Id": "proj-9"}),
            Req("GET", "/v2.0/extensions"),
            Req("POST", "/v2.0/ports", JSON, b'{"port": {}}'),
            Req("GET", "/v2.0/nothing/here/at/all"),
        ),
        _neutron,
        overrides=(("auth_strategy", "noauth", None),),
        imports=("neutron.auth",),
    ),
}


def _apply_overrides(case: Case) -> None:
    """Import the service's config modules, set its options, run its setup hooks (as _granian_child does)."""
    from oslo_config import cfg

    cfg.CONF.reset()  # the previous case's overrides
    hooks = []
    for entry in case.imports:
        module, _, hook = entry.partition(":")
        imported = importlib.import_module(module)
        if hook:
            hooks.append(getattr(imported, hook))
    for name, value, group in case.overrides:
        cfg.CONF.set_override(name, value, group=group)
    for call in hooks:
        call(cfg.CONF)


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_check_config_passes(case_id: str) -> None:
    case = CASES[case_id]
    path = paste_file(case.service)
    _apply_overrides(case)
    assert asgipaste.check_config(str(path), names=[case.app]) == []


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_every_served_tree_is_wsgi_all_the_way_down(case_id: str) -> None:
    """Every layer is recognised as WSGI (wsgify ``__call__``, Paste's urlmap, the services' factories), so the
    tree fuses into one WSGI app: asgipaste crosses to ASGI once, at the root."""
    case = CASES[case_id]
    _apply_overrides(case)
    stack = asgipaste.load_stack(f"config:{paste_file(case.service)}", name=case.app)
    assert stack.wsgi is not None
    assert stack.graph.protocol == "wsgi"


#: The command line is checked on a few files (check_config, above, covers every case).
CLI_CASES = ("glance", "heat", "nova")


def test_cli_check() -> None:
    """``python -m asgipaste.cli check FILE#app`` (run side by side: each is a fresh interpreter)."""
    env = child_env()
    env["PYTHONPATH"] = f"{env['PYTHONPATH']}:{STANDINS}"
    running = {}
    for case_id in CLI_CASES:
        case = CASES[case_id]
        args = [sys.executable, "-m", "asgipaste.cli", "check", f"{paste_file(case.service)}#{case.app}"]
        running[case_id] = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    outputs = {case_id: proc.communicate(timeout=60) for case_id, proc in running.items()}
    for case_id, (output, _) in outputs.items():
        case, code = CASES[case_id], running[case_id].returncode
        assert "Traceback" not in output, output
        if case.cli_refusal is not None:
            assert code == 1 and case.cli_refusal in output, f"{case_id}: {output}"
        else:
            assert code == 0 and "OK:" in output, f"{case_id}: {output}"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory, service_files: dict[str, Path]) -> Iterator[GranianFleet]:
    """One granian child per case, all started at once; each test waits for its own."""
    files = service_files
    started = GranianFleet(tmp_path_factory.mktemp("granian"))
    try:
        for case_id, case in sorted(CASES.items()):
            started.start(
                case_id,
                files[case.service],
                case.app,
                global_conf=case.global_conf,
                python_path=[STANDINS],
                oslo_overrides=case.overrides,
                imports=case.imports,
            )
        yield started
    finally:
        started.close()


@pytest.fixture(scope="module", params=[(s, k) for s in sorted(CASES) for k in SERVERS], ids="-".join)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, fleet: GranianFleet
) -> Iterator[tuple[Case, Pair]]:
    case_id, kind = request.param
    case = CASES[case_id]
    path = paste_file(case.service)
    _apply_overrides(case)
    ported_url = fleet.url(case_id, case.probe) if kind == "granian" else None
    with serving_pair(
        kind,
        path,
        case.app,
        log_dir=tmp_path_factory.mktemp(case_id),
        global_conf=case.global_conf,
        python_path=[STANDINS],
        oslo_overrides=case.overrides,
        imports=case.imports,
        probe=case.probe,
        ported_url=ported_url,
    ) as pair:
        yield case, pair


def test_answers_like_pastedeploy(served: tuple[Case, Pair]) -> None:
    case, pair = served
    answers = [pair.same(req) for req in case.requests]
    case.expect(answers)


def test_whole_file_checks_report_what_one_load_never_touches() -> None:
    """Every section, not just the one served: barbican's two need what is not here (PasteDeploy fails on them
    too); heat's cfn composite has no pipeline for the noauth flavor."""
    from paste.deploy import loadapp as paste_loadapp

    path = paste_file("barbican")
    _apply_overrides(CASES["barbican"])
    problems = [str(problem) for problem in asgipaste.check_config(str(path))]
    assert len(problems) == 2, problems
    assert "repoze.profile" in problems[0] and "[filter:profile]" in problems[0]
    assert "api_audit_map.conf" in problems[1] and "[filter:audit]" in problems[1]
    with pytest.raises(ImportError, match=re.escape("repoze.profile")):
        paste_loadapp(f"config:{path}", name="barbican-profile")
    with pytest.raises(FileNotFoundError, match=re.escape("api_audit_map.conf")):
        paste_loadapp(f"config:{path}", name="barbican-api-keystone-audit")

    heat = paste_file("heat")
    _apply_overrides(CASES["heat"])
    problems = [str(problem) for problem in asgipaste.check_config(str(heat))]
    assert len(problems) == 1 and "[composite:api-cfn]" in problems[0] and "KeyError: 'noauth'" in problems[0]
    with pytest.raises(KeyError, match="noauth"):
        paste_loadapp(f"config:{heat}", name="heat-api-cfn")
    # [filter:cwversionnegotiation] names no heat.filter_factory: unreferenced, so the whole-file check
    # only resolves its factory; building it fails alike on both loaders.
    from paste.deploy import loadfilter as paste_loadfilter

    with pytest.raises(KeyError, match=re.escape("heat.filter_factory")):
        paste_loadfilter(f"config:{heat}", name="cwversionnegotiation")
    with pytest.raises(asgipaste.ConfigError, match=re.escape("KeyError: 'heat.filter_factory'")):
        asgipaste.loadfilter(f"config:{heat}", name="cwversionnegotiation")


HEALTHCHECK_MISSING = re.escape("Entry point 'healthcheck' not found in egg 'oslo.middleware'")


def test_keystone_file_fails_alike_with_current_oslo_middleware() -> None:
    """keystone 13.0.4's file uses egg:oslo.middleware#healthcheck as a filter; oslo.middleware 8 dropped it."""
    from paste.deploy import loadapp as paste_loadapp

    path = paste_file("keystone")
    with pytest.raises(LookupError, match=HEALTHCHECK_MISSING) as theirs:
        paste_loadapp(f"config:{path}", name="main")
    with pytest.raises(LookupError, match=HEALTHCHECK_MISSING) as ours:
        asgipaste.loadapp(f"config:{path}", name="main")
    assert isinstance(ours.value, asgipaste.ConfigError) and not isinstance(theirs.value, asgipaste.ConfigError)
    assert "[filter:healthcheck]" in str(ours.value) and "line 26" in str(ours.value)
    problems = [str(problem) for problem in asgipaste.check_config(str(path))]
    assert len(problems) == 1 and "[filter:healthcheck]" in problems[0]


def test_every_service_file_is_pinned() -> None:
    assert {case.service for case in CASES.values()} <= set(SERVICE_FILES)
    assert all(spec.version.count(".") == 2 for spec in SERVICE_FILES.values())


@pytest.mark.parametrize("service", sorted(SERVICE_FILES))
def test_the_one_pass_reader_reads_each_file_as_configparser_does(service_files: dict[str, Path], service: str) -> None:
    """asgipaste's own INI reader (loader/dialect.py) on each verbatim file: configparser's sections,
    keys, raw and interpolated values, and the line configparser read each key from."""
    from tests.loader.test_dialect_reader import check_same

    check_same(service_files[service].read_text(encoding="utf-8"))
