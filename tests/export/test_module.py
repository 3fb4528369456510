"""The exported module as a file: ruff-clean, secrets from the environment, the docs' example, errors, uvicorn."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import recorder

from asgipaste.cli import main
from asgipaste.errors import ConfigError
from asgipaste.export import export_source, write_module
from tests._proc import PYTHON, Proc, child_env, free_port, wait_http
from tests.export.conftest import delete, export, import_module, write_files
from tests.export.test_differential import MIXED
from tests.mixed.conftest import NOVA_INI

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "export.md"
RUFF_RULES = ["--select", "E,F,W,I,B,UP,SIM,RUF", "--line-length", "120"]


def _ruff(path: Path) -> subprocess.CompletedProcess[str]:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    return subprocess.run(
        [ruff, "check", "--isolated", *RUFF_RULES, "--no-cache", path.name],
        cwd=path.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _demo_ini() -> Path:
    import asgipaste.demo

    return Path(asgipaste.demo.__file__).parent / "api-paste.ini"


@pytest.mark.parametrize("which", ["nova", "demo", *sorted(MIXED)])
def test_module_is_ruff_clean(which: str, tmp_path: Path) -> None:
    if which == "nova":
        ini, name, global_conf = NOVA_INI, "osapi_compute", None
    elif which == "demo":
        ini, name, global_conf = _demo_ini(), "main", None
    else:
        files, file, name, global_conf = MIXED[which]
        write_files(tmp_path / "ini", files)
        ini = tmp_path / "ini" / file
    path = export(ini, tmp_path / "out", name, global_conf)
    result = _ruff(path)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("which", sorted(MIXED))
def test_module_is_ruff_clean_under_a_long_path(which: str, tmp_path: Path) -> None:
    # Long paths are written a piece a line; as a call's only argument they must not get a second pair of parens.
    deep = tmp_path / ("a-rather-long-directory-name-as-deployments-have-" * 2) / "etc"
    files, file, name, global_conf = MIXED[which]
    write_files(deep, files)
    path = export(deep / file, tmp_path / "out", name, global_conf)
    result = _ruff(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_block_names_its_section_and_line(tmp_path: Path) -> None:
    source = export_source(str(NOVA_INI), "osapi_compute")
    lines = NOVA_INI.read_text().splitlines()
    blocks = re.findall(r"^# \[([^\]]+)\] nova-api-paste\.ini, line (\d+)", source, re.M)
    assert len(blocks) == sum(1 for line in lines if line.startswith("[")) == 28
    for header, number in blocks:
        assert lines[int(number) - 1] == f"[{header}]"


SECRET_INI = """
    [DEFAULT]
    db_password = changeme
    [pipeline:main]
    pipeline = f app
    set tier = gold
    [filter:f]
    use = egg:FakeASGIApp#recorded
    get level = tier
    [app:app]
    use = egg:FakeASGIApp#recorded
    url = mysql://nova:%(db_password)s@db/nova
    plain = %(here)s
    """


def test_globals_are_lookups_in_one_mapping(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.ini": SECRET_INI})
    source = export_source(str(tmp_path / "a.ini"), global_conf={"who": "me"})
    head, _, body = source.partition("DEFAULTS = ")
    assert '"db_password": "changeme"' in head and '"tier": "gold"' in head and '"who": "me"' in head
    assert "changeme" not in body and '"gold"' not in body and '"me"' not in body
    assert '"url": "mysql://nova:" + GLOBAL_CONF["db_password"] + "@db/nova"' in body
    assert '"plain": GLOBAL_CONF["here"]' in body
    assert '"level": conf["tier"]' in body


def test_a_secret_moved_to_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"a.ini": SECRET_INI})
    path = export(tmp_path / "a.ini", tmp_path / "out")
    delete(tmp_path / "a.ini")
    source = path.read_text()
    assert source.count('"changeme"') == 1
    source = source.replace('"db_password": "changeme"', '"db_password": os.environ["DB_PASSWORD"]')
    path.write_text(source.replace('"""\n\nimport ', '"""\n\nimport os\n\nimport ', 1))
    assert _ruff(path).returncode == 0
    monkeypatch.setenv("DB_PASSWORD", "from-env")
    recorder.CALLS.clear()
    import_module(path)
    (kind, global_conf, local_conf) = recorder.CALLS[0]
    assert kind == "app" and local_conf["url"] == "mysql://nova:from-env@db/nova"
    assert global_conf["db_password"] == "from-env"
    assert recorder.CALLS[1][1]["db_password"] == "from-env" and recorder.CALLS[1][2] == {"level": "gold"}


def _docs_blocks() -> tuple[str, str]:
    text = DOCS.read_text(encoding="utf-8")
    example = text[text.index("## A worked example") :]
    ini = re.search(r"```ini\n(.*?)```", example, re.S)
    module = re.search(r"```python\n(.*?)```", example, re.S)
    assert ini and module
    return ini.group(1), module.group(1)


def test_docs_example(tmp_path: Path) -> None:
    """The module docs/export.md shows is what export writes for the INI it shows."""
    ini_text, shown = _docs_blocks()
    ini = tmp_path / "app.ini"
    ini.write_text(ini_text, encoding="utf-8")
    written = export_source(str(ini), "main").replace(str(tmp_path), "/srv/hello")
    assert written == shown
    path = export(ini, tmp_path / "out", "main")
    delete(ini)
    module = import_module(path)
    assert hasattr(module, "wsgi_app")  # as the docs say: all WSGI


def test_bad_input_is_a_located_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.ini"
    with pytest.raises(ConfigError) as info:
        write_module(str(missing), tmp_path / "out.py")
    assert info.value.file == str(missing)
    assert main(["export", str(missing), "-o", str(tmp_path / "out.py")]) == 1
    assert f"not found (in {missing})" in capsys.readouterr().err

    write_files(tmp_path, {"a.ini": SECRET_INI + "\n[app:broken]\nuse = egg:FakeASGIApp#nope\n"})
    assert main(["export", f"{tmp_path / 'a.ini'}#nope", "-o", str(tmp_path / "out.py")]) == 1
    err = capsys.readouterr().err
    assert "No app section named 'nope'" in err and str(tmp_path / "a.ini") in err
    assert "apps in the file: main, app, broken" in err
    assert main(["export", f"{tmp_path / 'a.ini'}#broken", "-o", str(tmp_path / "out.py")]) == 1
    err = capsys.readouterr().err
    assert "Entry point 'nope' not found" in err and "line 15" in err and "[app:broken]" in err
    assert not (tmp_path / "out.py").exists()


def test_cli_writes_the_module(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(tmp_path, {"a.ini": SECRET_INI + "\n[app:broken]\nuse = egg:FakeASGIApp#nope\n"})
    assert main(["export", str(tmp_path / "a.ini"), "who=me", "-o", str(tmp_path / "out.py")]) == 0
    assert main(["export", str(tmp_path / "a.ini"), "who=me"]) == 0
    assert capsys.readouterr().out == (tmp_path / "out.py").read_text()
    delete(tmp_path / "a.ini")
    recorder.CALLS.clear()
    module = import_module(tmp_path / "out.py")
    assert recorder.CALLS[0][1]["who"] == "me" and module.CALLER == {"who": "me"}
    # The broken section (not used by main) raises the loader's error when asked for.
    with pytest.raises(ConfigError, match="Entry point 'nope' not found") as info:
        module.sections.app_context("broken")
    assert info.value.section == "app:broken" and info.value.line == 15


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_uvicorn_serves_the_module(tmp_path: Path) -> None:
    ini = tmp_path / "api-paste.ini"
    shutil.copy(_demo_ini(), ini)
    write_module(str(ini), tmp_path / "demo_api.py", "main")
    delete(ini)
    port = free_port()
    args = [PYTHON, "-m", "uvicorn", "demo_api:app", "--host", "127.0.0.1", "--port", str(port)]
    proc = Proc(args, cwd=tmp_path, log=tmp_path / "log", env=child_env())
    try:
        response = wait_http(f"http://127.0.0.1:{port}/", proc=proc)
        assert response.status_code == 200 and "versions" in response.text
        assert wait_http(f"http://127.0.0.1:{port}/tutorial/secondapp", proc=proc).text == "I am second app"
    finally:
        proc.kill()


def test_a_module_named_like_the_modules_own_names_is_aliased(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "conf.py").write_text(
        "import recorder\n\n\ndef app_factory(global_conf, **local_conf):\n"
        "    return recorder.app_factory(global_conf, **local_conf)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path / "pkg"))
    monkeypatch.delitem(sys.modules, "conf", raising=False)
    write_files(tmp_path, {"a.ini": "[app:main]\nuse = call:conf:app_factory\nx = 1\n"})
    path = export(tmp_path / "a.ini", tmp_path / "out")
    source = path.read_text()
    assert "import conf as conf_module\n" in source and "factory=conf_module.app_factory," in source
    assert _ruff(path).returncode == 0
    recorder.CALLS.clear()
    import_module(path)
    assert recorder.CALLS == [("app", {"here": str(tmp_path), "__file__": str(tmp_path / "a.ini")}, {"x": "1"})]
