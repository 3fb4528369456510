"""The structure ``graph`` draws when the stack cannot load: read from the file, nothing imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from asgipaste.cli import main
from asgipaste.graph import render_text
from asgipaste.loader.dialect import IniFile
from asgipaste.loader.outline import outline

# cinder's shape: a root composite of its own, a pipeline_factory composite keyed by auth strategy
CINDER_LIKE = """\
[composite:osapi_volume]
use = call:not_installed_service.api:root_app_factory
/ = apiversions
/v3 = openstack_volume_api_v3

[composite:openstack_volume_api_v3]
use = call:not_installed_service.auth:pipeline_factory
noauth = request_id faultwrap noauth apiv3
keystone = request_id faultwrap authtoken apiv3
keystone_nolimit = request_id faultwrap authtoken apiv3

[filter:request_id]
paste.filter_factory = oslo_middleware:RequestId.factory

[filter:faultwrap]
paste.filter_factory = not_installed_service.fault:FaultWrapper.factory

[filter:noauth]
paste.filter_factory = not_installed_service.auth:NoAuth.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[pipeline:apiversions]
pipeline = request_id versionsapp

[app:versionsapp]
paste.app_factory = not_installed_service.versions:Versions.factory

[app:apiv3]
paste.app_factory = not_installed_service.router:APIRouter.factory
"""


def test_a_service_that_is_not_installed_is_still_drawn(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "api-paste.ini").write_text(CINDER_LIKE)
    assert main(["graph", f"{tmp_path / 'api-paste.ini'}#osapi_volume"]) == 1
    out, err = capsys.readouterr()
    assert "Cannot import 'not_installed_service.api:root_app_factory'" in err
    lines = out.splitlines()
    assert lines[0] == "[?] composite:osapi_volume  call:not_installed_service.api:root_app_factory"
    assert "│       └── [?] filter:request_id  oslo_middleware:RequestId.factory" in lines
    assert sum(line.endswith("[?] app:apiv3  not_installed_service.router:APIRouter.factory") for line in lines) == 3
    assert {line.strip("│├└─ ") for line in lines if "key " in line} == {
        "[?] key /", "[?] key /v3", "[?] key noauth", "[?] key keystone", "[?] key keystone_nolimit"}
    assert lines[-1] == "not loaded: the structure read from the file, nothing imported; [?]: protocol unknown"
    assert main(["graph", f"{tmp_path / 'api-paste.ini'}#osapi_volume", "--format", "mermaid"]) == 1
    mermaid = capsys.readouterr().out
    assert mermaid.startswith("flowchart TD") and ":::?" not in mermaid


def test_filter_with_filter_app_cycles_and_missing_sections() -> None:
    ini = IniFile.from_string(
        "[app:main]\nuse = egg:svc#main\nfilter-with = gzip\n"
        "[filter:gzip]\nuse = egg:Paste#gzip\n"
        "[filter-app:wrapped]\nuse = egg:svc#auth\nnext = loop\n"
        "[composite:loop]\nuse = egg:Paste#urlmap\n/ = wrapped\n/x = nowhere\n",
        "/srv/a.ini",
    )
    assert render_text(outline(ini)) == "[?] filter:gzip  egg:Paste#gzip\n└── [?] app:main  egg:svc#main"
    assert render_text(outline(ini, "wrapped")).splitlines() == [
        "[?] filter-app:wrapped  egg:svc#auth",
        "└── [?] composite:loop  egg:Paste#urlmap",
        "    ├── [?] mount /",
        "    │   └── [?] app wrapped  cycle",
        "    └── [?] mount /x",
        "        └── [?] app nowhere  no such app section",
    ]


def test_a_file_that_does_not_parse_gets_the_load_error_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.ini").write_text("[app:main\nuse = egg:x\n")
    assert main(["graph", str(tmp_path / "bad.ini")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "bad.ini" in err
