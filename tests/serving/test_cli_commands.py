"""`asgipaste serve|check|graph` as subprocesses on 127.0.0.1."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests._proc import Proc, bin_path, free_port, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

ASGIPASTE = bin_path("asgipaste")

SERVED_INI = """\
[server:main]
use = egg:asgipaste#uvicorn
host = 127.0.0.1
port = %(http_port)s
timeout_graceful_shutdown = 5

[app:main]
use = call:tests.serving.apps:text_app
text = hello %(who)s

[app:second]
use = call:tests.serving.apps:text_app
text = second app
"""

LOGGING = """
[loggers]
keys = root, tests

[handlers]
keys = console, file

[formatters]
keys = tagged

[logger_root]
level = INFO
handlers = console

[logger_tests]
level = INFO
handlers = file
qualname = tests.serving.apps

[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = tagged

[handler_file]
class = FileHandler
args = ('%(here)s/%(logname)s',)
formatter = tagged

[formatter_tagged]
format = TAGGED %(levelname)s [%(name)s] %(message)s
"""

MIXED_INI = """\
[composite:main]
use = egg:asgipaste#urlmap
/wsgi = legacy
/asgi = modern

[pipeline:legacy]
pipeline = hdr wsgi

[filter:hdr]
use = call:tests.serving.apps:wsgi_header_filter
name = legacy-filter

[app:wsgi]
use = call:tests.serving.apps:wsgi_app
text = legacy says hi

[app:modern]
use = call:tests.serving.apps:text_app
text = modern says hi
"""

BAD_INI = """\
[app:main]
use = call:tests.serving.apps:text_app

[server:main]
use = egg:asgipaste#uvicorn
port = eighty

[app:broken]
use = call:tests.serving.apps:not_there

[filter:bad]
use = egg:no_such_distribution#thing
"""


def test_serve_var_reaches_the_file_and_server_section(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "site.ini").write_text(SERVED_INI)
    port = free_port()
    proc = spawn([ASGIPASTE, "serve", "site.ini", f"http_port={port}", "who=world"])
    response = wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    assert response.text == "hello world"


def test_serve_applies_logging_sections(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "site.ini").write_text(SERVED_INI + LOGGING)
    port = free_port()
    proc = spawn([ASGIPASTE, "serve", "site.ini", f"http_port={port}", "who=x", "logname=apps.log"])
    wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    # the root logger's format applies to uvicorn's own lines, the var reached the handler's args
    proc.wait_for(r"TAGGED INFO \[uvicorn\.error\] Application startup complete")
    assert "TAGGED WARNING [tests.serving.apps] lifespan startup" in (tmp_path / "apps.log").read_text()


def test_serve_host_port_flags_and_app_option(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "site.ini").write_text(SERVED_INI)
    port = free_port()
    args = [ASGIPASTE, "serve", "site.ini", "http_port=1", "who=x", "--app", "second", "--port", str(port)]
    proc = spawn(args)
    assert wait_http(f"http://127.0.0.1:{port}/", proc=proc).text == "second app"


def test_serve_several_apps_each_on_its_port(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "site.ini").write_text(SERVED_INI)
    one, two = free_port(), free_port()
    args = [ASGIPASTE, "serve", "site.ini", "who=both", "--app", f"main=127.0.0.1:{one}"]
    proc = spawn([*args, "--app", f"second=127.0.0.1:{two}"])
    assert wait_http(f"http://127.0.0.1:{one}/", proc=proc).text == "hello both"
    assert wait_http(f"http://127.0.0.1:{two}/", proc=proc).text == "second app"


def test_legacy_waitress_section_is_served_by_uvicorn(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    ini = f"[server:main]\nuse = egg:waitress#main\nlisten = 127.0.0.1:{port}\nthreads = 4\n\n"
    (tmp_path / "dev.ini").write_text(ini + "[app:main]\nuse = call:tests.serving.apps:text_app\ntext = pyramid\n")
    proc = spawn([ASGIPASTE, "serve", "dev.ini"])
    assert wait_http(f"http://127.0.0.1:{port}/", proc=proc).text == "pyramid"
    proc.wait_for(r"\[server:main\] uses egg:waitress#main; serving it with uvicorn; ignored options: threads")


def test_bad_server_option_is_named(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    ini = "[server:main]\nuse = egg:asgipaste#uvicorn\nworkers = many\n\n"
    ini += "[app:main]\nuse = call:tests.serving.apps:text_app\n"
    (tmp_path / "bad.ini").write_text(ini)
    proc = spawn([ASGIPASTE, "serve", "bad.ini"])
    assert proc.wait_exit() == 1
    assert "workers" in proc.log() and "Traceback" not in proc.log()


def test_check_exit_codes(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "good.ini").write_text(MIXED_INI)
    (tmp_path / "bad.ini").write_text(BAD_INI)
    good = spawn([ASGIPASTE, "check", "good.ini"])
    assert good.wait_exit() == 0
    assert "OK" in good.log()
    bad = spawn([ASGIPASTE, "check", "bad.ini"])
    assert bad.wait_exit() == 1
    log = bad.log()
    assert "not_there" in log and "[app:broken]" in log and "line 9" in log and "'use'" in log
    assert "Bad value for port" in log and "'port'" in log
    assert "no_such_distribution" in log and "[filter:bad]" in log
    assert "Traceback" not in log
    # CONFIG#name checks that app alone (filter sections are always checked)
    (tmp_path / "apps.ini").write_text(BAD_INI.split("[server:main]")[0])
    only_main = spawn([ASGIPASTE, "check", "apps.ini#main"])
    assert only_main.wait_exit() == 0
    assert "[main]" in only_main.log()


def test_graph_marks_protocols_and_joins(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "mixed.ini").write_text(MIXED_INI)
    text = spawn([ASGIPASTE, "graph", "mixed.ini"])
    assert text.wait_exit() == 0
    out = text.log()
    assert "[ASGI] composite:main" in out and "[WSGI] pipeline:legacy" in out and "adapter" in out
    assert "[ASGI] mount /wsgi" in out and "[ASGI] mount /asgi" in out
    assert "granian's ASGI interface" in out
    wsgi_only = spawn([ASGIPASTE, "graph", "mixed.ini#legacy"])
    assert wsgi_only.wait_exit() == 0
    assert "granian's WSGI interface directly" in wsgi_only.log()
    mermaid = spawn([ASGIPASTE, "graph", "mixed.ini", "--format", "mermaid"])
    assert mermaid.wait_exit() == 0
    assert mermaid.log().startswith("flowchart TD")
    dot = spawn([ASGIPASTE, "graph", "mixed.ini", "--format", "dot"])
    assert dot.wait_exit() == 0
    assert dot.log().startswith("digraph asgipaste {")


def _granian_ini(port: int, app: str) -> str:
    server = f"[server:main]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = {port}\n"
    return (
        MIXED_INI.replace("[composite:main]", "[composite:mixed]") + server + f"\n[pipeline:main]\npipeline = {app}\n"
    )


def test_granian_serves_an_all_wsgi_tree_on_its_wsgi_interface(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "g.ini").write_text(_granian_ini(port, "hdr wsgi"))
    proc = spawn([ASGIPASTE, "serve", "g.ini"])
    response = wait_http(f"http://127.0.0.1:{port}/", proc=proc)
    assert response.text == "legacy says hi"
    assert response.headers["x-filter"] == "legacy-filter"
    assert response.headers["server"] == "granian"
    proc.wait_for(r"serving \[pipeline:main\] from .*g\.ini: WSGI all the way down, no crossing "
                  r"\(served on a WSGI interface\); granian's WSGI interface on http://127\.0\.0\.1:\d+ \(1 worker\)")


def test_granian_serves_a_mixed_tree_on_its_asgi_interface(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    ini = MIXED_INI + f"[server:main]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = {port}\n"
    (tmp_path / "g.ini").write_text(ini)
    proc = spawn([ASGIPASTE, "serve", "g.ini"])
    legacy = wait_http(f"http://127.0.0.1:{port}/wsgi", proc=proc)
    assert legacy.text == "legacy says hi" and legacy.headers["x-filter"] == "legacy-filter"
    assert wait_http(f"http://127.0.0.1:{port}/asgi", proc=proc).text == "modern says hi"
    proc.wait_for(r"serving \[composite:main\] from .*: ASGI at the root, \d+ crossings? .*; "
                  r"granian's ASGI interface on http://")
    assert "granian's WSGI interface" not in proc.log()
    proc.wait_for(r"lifespan startup app pid \d+")  # granian's ASGI interface runs the lifespan


def test_granian_interface_wsgi_serves_a_mixed_tree_in_its_wsgi_form(
    spawn: Callable[..., Proc], tmp_path: Path
) -> None:
    """``interface = wsgi``: the WSGI branch on granian's WSGI interface as is, the ASGI one bridged, lifespan once."""
    port = free_port()
    server = f"[server:main]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = {port}\ninterface = wsgi\n"
    (tmp_path / "g.ini").write_text(MIXED_INI + server)
    proc = spawn([ASGIPASTE, "serve", "g.ini"])
    legacy = wait_http(f"http://127.0.0.1:{port}/wsgi", proc=proc)
    assert legacy.text == "legacy says hi" and legacy.headers["x-filter"] == "legacy-filter"
    for _ in range(3):
        assert httpx.get(f"http://127.0.0.1:{port}/asgi", timeout=5).text == "modern says hi"
    proc.wait_for(r"serving \[composite:main\] from .*: mixed, in its WSGI form \(served on a WSGI interface\).*"
                  r"granian's WSGI interface on http://")
    proc.wait_for(r"lifespan startup app pid \d+")  # started by the process's own loop, once
    assert proc.log().count("lifespan startup app pid") == 1
    proc.signal(signal.SIGTERM)  # granian's worker leaves through os._exit: the shutdown still runs
    proc.wait_for(r"lifespan shutdown app pid \d+")
    assert proc.wait_exit() == 0


def test_granian_interface_wsgi_stops_when_the_lifespan_startup_fails(
    spawn: Callable[..., Proc], tmp_path: Path
) -> None:
    """As on granian's ASGI interface: the worker starts the lifespan as it boots, and a failure ends the server."""
    port = free_port()
    ini = (
        "[composite:main]\nuse = egg:Paste#urlmap\n/legacy = legacy\n/modern = modern\n"
        "[app:modern]\nuse = call:tests.serving.apps:starlette_state_app\nfail = startup\n"
        "[app:legacy]\nuse = call:tests.serving.apps:wsgi_text_app\n"
        f"[server:main]\nuse = egg:asgipaste#granian\nhost = 127.0.0.1\nport = {port}\ninterface = wsgi\n"
    )
    (tmp_path / "g.ini").write_text(ini)
    proc = spawn([ASGIPASTE, "serve", "g.ini"])
    assert proc.wait_exit() != 0
    log = proc.log()
    assert "lifespan startup of [composite:main] failed: ConnectionRefusedError: the database is down" in log
    assert "LifespanStartupFailed" not in log  # no traceback of asgipaste's own


def test_serve_vars_and_logging_survive_into_workers(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    (tmp_path / "site.ini").write_text(SERVED_INI + LOGGING)
    port = free_port()
    args = [ASGIPASTE, "serve", "site.ini", f"http_port={port}", "who=workers", "logname=w.log", "--workers", "2"]
    proc = spawn(args)
    assert wait_http(f"http://127.0.0.1:{port}/", proc=proc).text == "hello workers"
    # each worker applied the INI's logging (with the command-line var) before uvicorn's own lines
    proc.wait_for(r"TAGGED INFO \[uvicorn\.error\] Application startup complete", count=2)
    assert (tmp_path / "w.log").read_text().count("lifespan startup app pid") == 2


def test_serve_reload_watches_the_ini(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    ini = tmp_path / "site.ini"
    ini.write_text(SERVED_INI)
    port = free_port()
    proc = spawn([ASGIPASTE, "serve", "site.ini", f"http_port={port}", "who=before", "--reload"])
    assert wait_http(f"http://127.0.0.1:{port}/", proc=proc).text == "hello before"
    ini.write_text(SERVED_INI.replace("text = hello %(who)s", "text = edited %(who)s"))
    deadline = time.monotonic() + 20
    text = ""
    while time.monotonic() < deadline and text != "edited before":
        time.sleep(0.1)
        try:
            text = httpx.get(f"http://127.0.0.1:{port}/", timeout=5).text
        except httpx.TransportError:
            continue
    assert text == "edited before", proc.log()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_a_broken_app_exits_non_zero(spawn: Callable[..., Proc], tmp_path: Path, workers: str) -> None:
    (tmp_path / "bad.ini").write_text("[app:broken]\nuse = call:tests.serving.apps:not_there\n")
    proc = spawn([ASGIPASTE, "serve", "bad.ini#broken", "--port", str(free_port()), "--workers", workers])
    assert proc.wait_exit() != 0
    assert "not_there" in proc.log() and "[app:broken]" in proc.log()
    assert "Traceback" not in proc.log()


def test_third_party_server_gets_the_asgi_app(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    record = tmp_path / "record.txt"
    ini = f"[server:main]\nuse = call:tests.serving.apps:record_server\nrecord = {record}\n\n"
    (tmp_path / "x.ini").write_text(ini + "[app:main]\nuse = call:tests.serving.apps:text_app\n")
    proc = spawn([ASGIPASTE, "serve", "x.ini"])
    assert proc.wait_exit() == 0
    assert record.read_text() == "asgi-callable"
    flags = spawn([ASGIPASTE, "serve", "x.ini", "--port", "1"])
    assert flags.wait_exit() == 1 and "takes no --port" in flags.log()


def test_uvicorn_section_max_url_len_with_workers(spawn: Callable[..., Proc], tmp_path: Path) -> None:
    port = free_port()
    ini = f"[server:main]\nuse = egg:asgipaste#uvicorn\nport = {port}\nworkers = 2\nmax_url_len = 40\n\n"
    (tmp_path / "x.ini").write_text(ini + "[app:main]\nuse = call:tests.serving.apps:text_app\n")
    proc = spawn([ASGIPASTE, "serve", "x.ini"])
    assert wait_http(f"http://127.0.0.1:{port}/short", proc=proc).status_code == 200
    assert httpx.get(f"http://127.0.0.1:{port}/{'x' * 50}", timeout=5).status_code == 414
