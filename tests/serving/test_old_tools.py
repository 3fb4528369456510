"""Old tools keep working on migrated files: pserve and PasteDeploy's loadserver, and plaster.

Each runs in a separate process, as the tools do, from a temporary working
directory holding the INI.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests._proc import PYTHON, Proc, bin_path, child_env, free_port, wait_http

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

INI = """
[app:main]
use = call:tests.serving.apps:wsgi_text_app
text = pyramid-ish
greeting = hello %(who)s

[DEFAULT]
who = world

[server:main]
use = egg:asgipaste#{server}
host = 127.0.0.1
port = {port}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = INFO
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic

[formatter_generic]
format = LOGGED %(levelname)s %(message)s
"""


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
def test_pserve_serves_a_file_migrated_to_an_asgipaste_server(
    spawn: Callable[..., Proc], tmp_path: Path, server: str
) -> None:
    pytest.importorskip("pyramid.scripts.pserve", reason="pserve comes with pyramid (a test dependency)")
    port = free_port()
    (tmp_path / "development.ini").write_text(INI.format(server=server, port=port))
    proc = spawn([bin_path("pserve"), "development.ini"])
    response = wait_http(f"http://127.0.0.1:{port}/x", proc=proc)
    assert response.status_code == 200
    assert response.text == "pyramid-ish script_name= path_info=/x"


@pytest.mark.parametrize("section", ["asgipaste#uvicorn", "waitress#main"])
def test_pserve_and_get_appsettings_take_the_asgipaste_uri(
    spawn: Callable[..., Proc], tmp_path: Path, section: str
) -> None:
    """``pserve asgipaste+ini://FILE`` and ``pyramid.paster.get_appsettings`` (a cookiecutter's initialize_db)."""
    pytest.importorskip("pyramid.scripts.pserve", reason="pserve comes with pyramid (a test dependency)")
    port = free_port()
    text = INI.format(server="uvicorn", port=port).replace("egg:asgipaste#uvicorn", f"egg:{section}")
    (tmp_path / "development.ini").write_text(text)
    code = ("from pyramid.paster import get_appsettings\n"
            "print(dict(get_appsettings('asgipaste+ini://development.ini'))['greeting'])\n")
    done = subprocess.run([PYTHON, "-c", code], cwd=tmp_path, env=child_env(), capture_output=True, text=True,
                          timeout=30)
    assert (done.returncode, done.stdout.strip()) == (0, "hello world"), done.stderr
    proc = spawn([bin_path("pserve"), "asgipaste+ini://development.ini"])
    response = wait_http(f"http://127.0.0.1:{port}/x", proc=proc)
    assert response.text == "pyramid-ish script_name= path_info=/x"
    proc.wait_for(r"serving \[app:main\]")  # served as its section, as `asgipaste serve` serves it


def test_paste_deploy_loadserver_finds_the_runner(tmp_path: Path) -> None:
    (tmp_path / "development.ini").write_text(INI.format(server="uvicorn", port=free_port()))
    code = (
        "import paste.deploy\n"
        "server = paste.deploy.loadserver('config:development.ini', relative_to='.')\n"
        "print(callable(server))\n"
    )
    done = subprocess.run([PYTHON, "-c", code], cwd=tmp_path, env=child_env(), capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


PLASTER = """
import json, plaster
loader = plaster.get_loader("asgipaste+ini://development.ini", protocols=["asgi"])
loader.setup_logging()
import logging; logging.getLogger("x").warning("from the ini")
app = loader.get_asgi_app("main")
plain = [type(plaster.get_loader("development.ini", protocols=p)).__module__ for p in (None, ["wsgi"])]
print(json.dumps({
    "loader": type(loader).__module__,
    "app_settings": dict(loader.get_settings("app:main")),
    "server_settings": dict(loader.get_settings("server:main")),
    "sections": loader.get_sections(),
    "app_is_callable": callable(app),
    "plain": plain,
}))
"""


def test_plaster_loader_for_the_asgi_protocol(tmp_path: Path) -> None:
    (tmp_path / "development.ini").write_text(INI.format(server="uvicorn", port=6543))
    done = subprocess.run([PYTHON, "-c", PLASTER], cwd=tmp_path, env=child_env(), capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["loader"] == "asgipaste.plaster_loader"
    # as plaster_pastedeploy gives them (use included; compared directly below)
    assert seen["app_settings"] == {"use": "call:tests.serving.apps:wsgi_text_app", "text": "pyramid-ish",
                                    "greeting": "hello world"}
    assert seen["server_settings"] == {"use": "egg:asgipaste#uvicorn", "host": "127.0.0.1", "port": "6543"}
    assert "app:main" in seen["sections"] and seen["app_is_callable"] is True
    assert seen["plain"] == ["plaster_pastedeploy", "plaster_pastedeploy"], "file+ini stays plaster_pastedeploy's"
    assert "LOGGED WARNING from the ini" in done.stderr


def test_plaster_wsgi_protocol_gives_a_wsgi_app(tmp_path: Path) -> None:
    (tmp_path / "development.ini").write_text(INI.format(server="uvicorn", port=6543))
    code = (
        "import plaster, io\n"
        "app = plaster.get_loader('asgipaste+ini://development.ini', protocols=['wsgi']).get_wsgi_app()\n"
        "env = {'REQUEST_METHOD': 'GET', 'SCRIPT_NAME': '', 'PATH_INFO': '/y', 'wsgi.input': io.BytesIO()}\n"
        "print(b''.join(app(env, lambda s, h, e=None: None)).decode())\n"
    )
    done = subprocess.run([PYTHON, "-c", code], cwd=tmp_path, env=child_env(), capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "pyramid-ish script_name= path_info=/y"
    assert httpx is not None


SETTINGS_INI = """
[DEFAULT]
who = world
shared = from-default

[app:main]
use = call:tests.serving.apps:wsgi_text_app
greeting = hello %(who)s
shared = overridden
get who_copy = who
set planet = mars

[server:main]
use = egg:asgipaste#uvicorn
port = 6543
"""

COMPARE = """
import json, plaster, plaster_pastedeploy
from asgipaste.plaster_loader import Loader
out = {}
for uri in ("development.ini", "development.ini#main", "development.ini#app:main"):
    ours = Loader(plaster.parse_uri("asgipaste+ini://" + uri))
    theirs = plaster_pastedeploy.Loader(plaster.parse_uri("file+ini://" + uri))
    for section in (None, "app:main", "server:main", "nosuch"):
        for defaults in (None, {"who": "you"}):
            a, b = ours.get_settings(section, defaults), theirs.get_settings(section, defaults)
            key = f"{uri} {section} {defaults}"
            out[key] = [[dict(a), dict(b)], [dict(getattr(a, "global_conf", {})), dict(getattr(b, "global_conf", {}))]]
    if "app:" not in uri:  # a fragment is an app name there, and "app:main" no app's name
        out[uri + " app settings"] = [dict(ours.get_wsgi_app_settings()), dict(theirs.get_wsgi_app_settings())]
print(json.dumps(out))
"""


def test_plaster_settings_are_plaster_pastedeploys(tmp_path: Path) -> None:
    """get_settings and get_wsgi_app_settings beside plaster_pastedeploy on one file (pyramid's get_appsettings)."""
    (tmp_path / "development.ini").write_text(SETTINGS_INI)
    done = subprocess.run([PYTHON, "-c", COMPARE], cwd=tmp_path, env=child_env(), capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    for key, pairs in json.loads(done.stdout).items():
        if key.endswith("app settings"):
            ours, theirs = pairs
            assert ours == theirs, key
            continue
        (ours, theirs), (our_globals, their_globals) = pairs
        assert ours == theirs, key
        if their_globals:  # a found section: what its globals hold that a caller reads (else a plain {})
            for name in ("who", "shared", "planet"):
                assert our_globals.get(name) == their_globals.get(name), (key, name)
