"""Option parsing and the in-process pieces of serving (no subprocesses)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from asgipaste.cli import main
from asgipaste.errors import ConfigError, ConfigLookupError, ConfigValueError
from asgipaste.launcher.plan import read_launch_plan
from asgipaste.serve import LazyApp, create_app
from asgipaste.servers import ENV_APP, ENV_CONFIG, ENV_VARS, Listen, MaxURLLength, ServeTarget, legacy, parse_listen
from asgipaste.servers import granian as granian_server
from asgipaste.servers import uvicorn as uvicorn_server
from asgipaste.servers.granian_limits import native_head_limits
from asgipaste.servers.policy import ServePolicy, serving_wsgi_app
from asgipaste.stack import LoadedStack, StackNode
from asgipaste.types import Message


class Recorder:
    """A receive/send pair for driving an ASGI app by hand."""

    def __init__(self, *incoming: Message) -> None:
        self.incoming = list(incoming)
        self.sent: list[Message] = []

    async def receive(self) -> Message:
        return self.incoming.pop(0)

    async def send(self, message: Message) -> None:
        self.sent.append(message)


async def hello(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        await receive()
        await send({"type": "lifespan.startup.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hi"})


# -- addresses and targets ---------------------------------------------------


def test_parse_listen_forms() -> None:
    assert parse_listen("localhost:6543 *:80 [::1]:8080 :9000") == [
        Listen("localhost", 6543),
        Listen("0.0.0.0", 80),
        Listen("::1", 8080),
        Listen("0.0.0.0", 9000),
    ]
    assert parse_listen("example.org", default_port=8080) == [Listen("example.org", 8080)]


@pytest.mark.parametrize("text", ["host:notaport", "host:70000", "[::1:80", "", "host"])
def test_parse_listen_rejects(text: str) -> None:
    with pytest.raises(ConfigValueError) as info:
        parse_listen(text)
    assert info.value.key == "listen"


def test_serve_target_parse_and_env_round_trip(tmp_path: Path) -> None:
    target = ServeTarget.parse("config:conf/app.ini#api", cwd=tmp_path, global_conf={"port": "1"})
    assert target.path == tmp_path / "conf" / "app.ini" and target.name == "api"
    assert target.uri == f"config:{tmp_path / 'conf' / 'app.ini'}"
    env = target.to_env()
    assert env[ENV_CONFIG] == str(target.path) and env[ENV_APP] == "api" and json.loads(env[ENV_VARS]) == {"port": "1"}
    assert ServeTarget.from_env(env, default=Path("/x.ini")) == target
    assert ServeTarget.from_env({}, default=Path("/x.ini")) == ServeTarget(Path("/x.ini"), "main")
    assert ServeTarget.parse("app.ini", name="other", cwd=tmp_path).name == "other"


def test_serve_target_rejects_other_schemes_and_bad_vars() -> None:
    with pytest.raises(ConfigValueError, match="only config: URIs"):
        ServeTarget.parse("egg:myapp#main")
    with pytest.raises(ConfigValueError, match="ASGIPASTE_VARS"):
        ServeTarget.from_env({ENV_VARS: "[1, 2]"}, default=Path("/x.ini"))


# -- server factories ---------------------------------------------------------


def test_uvicorn_factory_coerces_every_option() -> None:
    server = uvicorn_server.server_factory(
        {"__file__": "/srv/app.ini"},
        host="0.0.0.0",
        port="8080",
        workers="3",
        proxy_headers="false",
        timeout_graceful_shutdown="20",
        lifespan="auto",
        log_level="debug",
    )
    assert server.listens == [Listen("0.0.0.0", 8080)] and server.workers == 3 and server.log_level == "debug"
    assert server.config == {"lifespan": "auto", "proxy_headers": False, "timeout_graceful_shutdown": 20}
    server.configure(port=9000, workers=1)
    assert server.listens == [Listen("0.0.0.0", 9000)] and server.workers == 1


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"port": "eighty"}, "port"),
        ({"workers": "0"}, "workers"),
        ({"proxy_headers": "maybe"}, "proxy_headers"),
        ({"lifespan": "sometimes"}, "lifespan"),
        ({"limit_concurrency": "-1"}, "limit_concurrency"),
        ({"threads": "4"}, "threads"),
        ({"listen": "127.0.0.1:1", "port": "2"}, "listen"),
    ],
)
def test_uvicorn_factory_bad_values_name_the_key(options: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigValueError) as info:
        uvicorn_server.server_factory({"__file__": "/srv/app.ini"}, **options)
    assert info.value.key == key and info.value.file == "/srv/app.ini"


def test_uvicorn_workers_need_a_config_file() -> None:
    server = uvicorn_server.UvicornServer(workers=2)
    with pytest.raises(ConfigValueError, match="needs a config file"):
        server(hello)


def test_legacy_factories_honour_addresses() -> None:
    waitress = legacy.waitress_server_factory({}, listen="localhost:6543 [::1]:6543", threads="8")
    assert waitress.listens == [Listen("localhost", 6543), Listen("::1", 6543)]
    assert legacy.waitress_server_factory({}, host="127.0.0.1", port="7000").listens == [Listen("127.0.0.1", 7000)]
    assert legacy.paste_http_server_factory({}).listens == [Listen("127.0.0.1", 8080)]
    gunicorn = legacy.gunicorn_server_factory({}, bind="127.0.0.1:8001,127.0.0.1:8002", workers="2")
    assert gunicorn.listens == [Listen("127.0.0.1", 8001), Listen("127.0.0.1", 8002)] and gunicorn.workers == 2
    with pytest.raises(ConfigValueError) as info:
        legacy.gunicorn_server_factory({}, workers="lots")
    assert info.value.key == "workers"


def test_granian_factory_and_interface_choice() -> None:
    server = granian_server.server_factory({}, port="9001", blocking_threads="16", http="1")
    assert server.listen == Listen("127.0.0.1", 9001) and server.options == {"blocking_threads": 16, "http": "1"}
    tree = StackNode("app", "app:main", "wsgi")
    all_wsgi = LoadedStack(asgi=hello, wsgi=lambda environ, start: [b""], graph=tree, name="main")
    mixed = LoadedStack(asgi=hello, wsgi=None, graph=tree, name="main")
    assert server.choose(all_wsgi) == "wsgi" and server.choose(mixed) == "asgi"
    assert granian_server.server_factory({}, interface="asgi").choose(all_wsgi) == "asgi"
    assert granian_server.server_factory({}, interface="wsgi").choose(mixed) == "wsgi"  # its WSGI form
    with pytest.raises(ConfigValueError) as info:
        granian_server.server_factory({}, blocking_threads="0")
    assert info.value.key == "blocking_threads"



@pytest.mark.parametrize(
    ("policy", "buffer", "left"),
    [
        # defaults: granian's 100-line cap is the limit; its buffer becomes the bytes limit
        (ServePolicy(), 65536, (None, None, None)),
        (ServePolicy(max_url_len=2000), 65536, (None, None, 2000)),
        # granian cannot enforce less than 100 lines, nor a buffer under 8 KiB: Python keeps those
        (ServePolicy(max_headers=20, max_header_bytes=4096), None, (20, 4096, None)),
        (ServePolicy(max_headers=None, max_header_bytes=None), None, (None, None, None)),
        (ServePolicy(max_headers=500, max_header_bytes=8192), 8192, (None, None, None)),
        # granian's buffer grows by doubling, so only 8 KiB * 2**n is an exact limit
        (ServePolicy(max_header_bytes=20000), None, (None, 20000, None)),
        (ServePolicy(max_header_bytes=131072), 131072, (None, None, None)),
    ],
)
def test_granian_enforces_the_head_limits_it_can(
    policy: ServePolicy, buffer: int | None, left: tuple[int | None, ...]
) -> None:
    got_buffer, rest = native_head_limits(policy)
    assert got_buffer == buffer
    assert (rest.max_headers, rest.max_header_bytes, rest.max_url_len) == left
    # with nothing left for Python, granian's WSGI interface serves the app itself, unwrapped
    def app(environ: Any, start: Any) -> list[bytes]:
        return [b""]

    assert (serving_wsgi_app(app, rest) is app) == (left == (None, None, None))


# -- launcher options -----------------------------------------------------------


def test_launch_plan_reads_default_and_overrides(tmp_path: Path) -> None:
    ini = tmp_path / "api-paste.ini"
    ini.write_text(
        "[DEFAULT]\nenabled_apis = osapi_compute,metadata\nosapi_compute_workers = 3\n"
        "metadata_listen = 127.0.0.1\nmetadata_listen_port = %(meta_port)s\nmax_url_len = 16384\n"
    )
    plan = read_launch_plan(ini, {"meta_port": "9775", "osapi_compute_workers": "2"})
    assert [(a.name, a.listen, a.workers) for a in plan.apis] == [
        ("osapi_compute", Listen("0.0.0.0", 8774), 2),
        ("metadata", Listen("127.0.0.1", 9775), plan.apis[1].workers),
    ]
    assert plan.max_url_len == 16384 and plan.global_conf == {"meta_port": "9775", "osapi_compute_workers": "2"}


def test_launch_plan_prefers_its_own_section(tmp_path: Path) -> None:
    ini = tmp_path / "api-paste.ini"
    ini.write_text("[DEFAULT]\nenabled_apis = a\n\n[asgipaste:launcher]\nenabled_apis = b\nb_listen_port = 1234\n")
    assert [api.name for api in read_launch_plan(ini).apis] == ["b"]


def test_launch_plan_errors_name_the_option_and_line(tmp_path: Path) -> None:
    ini = tmp_path / "api-paste.ini"
    ini.write_text("[DEFAULT]\nenabled_apis = osapi_compute\nosapi_compute_workers = 0\n")
    with pytest.raises(ConfigValueError) as info:
        read_launch_plan(ini)
    assert info.value.key == "osapi_compute_workers" and info.value.line == 3 and "at least 1" in str(info.value)
    with pytest.raises(ConfigValueError) as info:
        read_launch_plan(ini, {"osapi_compute_workers": "-2"})
    assert info.value.key == "osapi_compute_workers" and info.value.line is None
    ini.write_text("[DEFAULT]\nenabled_apis = custom\n[app:custom]\nuse = egg:x\n")
    with pytest.raises(ConfigLookupError) as lookup:
        read_launch_plan(ini)
    assert lookup.value.key == "custom_listen_port"
    ini.write_text("[DEFAULT]\nx = 1\n")
    with pytest.raises(ConfigLookupError, match="enabled_apis is not set"):
        read_launch_plan(ini)


# -- ASGI pieces ----------------------------------------------------------------


@pytest.mark.asyncio
async def test_max_url_length_answers_414() -> None:
    app = MaxURLLength(hello, limit=10)
    short = Recorder()
    await app({"type": "http", "path": "/abc", "raw_path": b"/abc", "query_string": b"q=1"}, short.receive, short.send)
    assert short.sent[0]["status"] == 200
    long = Recorder()
    await app(
        {"type": "http", "path": "/abc", "raw_path": b"/abc", "query_string": b"q=123456"}, long.receive, long.send
    )
    assert long.sent[0]["status"] == 414


def test_lazy_app_is_not_a_zero_argument_factory() -> None:
    with pytest.raises(TypeError):
        LazyApp(lambda: ServeTarget(Path("/x.ini")))()  # type: ignore[call-arg]


def _broken_source(tmp_path: Path) -> ServeTarget:
    ini = tmp_path / "broken.ini"
    ini.write_text("[app:main]\nuse = call:tests.serving.apps:nope\n")
    return ServeTarget(ini)


@pytest.mark.asyncio
async def test_lazy_app_fails_the_lifespan_startup_with_the_message(tmp_path: Path) -> None:
    app = LazyApp(lambda: _broken_source(tmp_path))
    channel = Recorder({"type": "lifespan.startup"})
    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, channel.receive, channel.send)
    assert channel.sent[0]["type"] == "lifespan.startup.failed"
    assert "tests.serving.apps:nope" in channel.sent[0]["message"] and "broken.ini" in channel.sent[0]["message"]
    assert not app.loaded


@pytest.mark.asyncio
async def test_lazy_app_answers_500_without_lifespan(tmp_path: Path) -> None:
    app = LazyApp(lambda: _broken_source(tmp_path))
    channel = Recorder()
    await app({"type": "http", "path": "/"}, channel.receive, channel.send)
    assert channel.sent[0]["status"] == 500
    assert b"configuration error" in channel.sent[1]["body"]


@pytest.mark.asyncio
async def test_lazy_app_loads_once_and_forwards(tmp_path: Path) -> None:
    ini = tmp_path / "ok.ini"
    ini.write_text("[app:main]\nuse = call:tests.serving.apps:text_app\ntext = lazy\n")
    loads: list[int] = []

    def source() -> ServeTarget:
        loads.append(1)
        return ServeTarget(ini)

    app = LazyApp(source)
    for _ in range(2):
        channel = Recorder()
        await app({"type": "http", "path": "/", "root_path": "", "query_string": b""}, channel.receive, channel.send)
        assert channel.sent[1]["body"] == b"lazy"
    assert loads == [1] and app.loaded


@pytest.mark.asyncio
async def test_lazy_app_applies_the_request_limits_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # LazyApp runs RequestLimits' check inline rather than as a layer: the same
    # refusals, the same pass-through of lifespan and of heads within the limits.
    ini = tmp_path / "ok.ini"
    ini.write_text("[app:main]\nuse = call:tests.serving.apps:text_app\ntext = lazy\n")
    monkeypatch.setenv("ASGIPASTE_MAX_URL_LEN", "8")
    app = LazyApp(lambda: ServeTarget(ini))
    http = {"type": "http", "root_path": "", "query_string": b""}
    answers = []
    for scope in (
        {**http, "path": "/", "headers": [(b"x", b"1")] * 101},
        {**http, "path": "/", "headers": [(b"x", b"y" * 70_000)]},
        {**http, "path": "/a-long-path", "headers": []},
        {**http, "path": "/", "headers": [(b"x", b"1")] * 100},
    ):
        channel = Recorder()
        await app(scope, channel.receive, channel.send)
        answers.append((channel.sent[0]["status"], channel.sent[1]["body"]))
    assert answers == [
        (431, b"Request header fields too large: too many headers\n"),
        (431, b"Request header fields too large\n"),
        (414, b"Request URI too long\n"),
        (200, b"lazy"),
    ]
    assert "RequestLimits" not in repr(app._app)  # not a layer as well


def test_create_app_exits_3_with_a_clean_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(ENV_CONFIG, str(_broken_source(tmp_path).path))
    with pytest.raises(SystemExit) as info:
        create_app()
    assert info.value.code == 3
    err = capsys.readouterr().err
    assert "tests.serving.apps:nope" in err and "Traceback" not in err


# -- cli in-process -------------------------------------------------------------


def test_cli_reports_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ok.ini").write_text("[app:main]\nuse = call:tests.serving.apps:text_app\n")
    assert main(["check", str(tmp_path / "ok.ini"), "novalue"]) == 1
    assert "name=value" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "missing.ini")]) == 1
    assert "not found" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "ok.ini")]) == 0
    assert "OK" in capsys.readouterr().out


def test_config_error_is_the_base_of_every_raised_error() -> None:
    assert issubclass(ConfigValueError, ConfigError) and issubclass(ConfigLookupError, ConfigError)
