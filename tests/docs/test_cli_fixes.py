"""The small command fixes of issue 15: graph's mounts over filter-with, a
urlmap key located, launch's help, and a closed pipe."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import asgipaste.cli
from asgipaste import ConfigError, load_stack, loadapp
from asgipaste.graph import annotate_mounts, render_text

REPO = Path(__file__).resolve().parents[2]
MOD = "asgipaste.demo.tutorial"


def _ini(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "paste.ini"
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def test_graph_keeps_the_mount_of_an_app_with_filter_with(tmp_path: Path) -> None:
    path = _ini(tmp_path, f"""
        [composite:main]
        use = egg:Paste#urlmap
        /x = app
        /y = other

        [app:app]
        use = call:{MOD}:FirstApp.factory
        filter-with = f

        [app:other]
        use = call:{MOD}:SecondApp.factory

        [filter:f]
        use = call:{MOD}:FirstFilter.factory
        """)
    lines = render_text(annotate_mounts(load_stack(f"config:{path}").graph)).splitlines()
    assert lines[1:4] == [
        "├── [WSGI] mount /x",
        f"│   └── [WSGI] filter:f  {MOD}:FirstFilter.factory",
        f"│       └── [WSGI] app:app  {MOD}:FirstApp.factory",
    ]
    assert lines[4] == "└── [WSGI] mount /y"


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("/v2 = nosuchapp", "/v2"),
        ("domian example.com /x = home", "domian example.com /x"),
        ("not_found_app = nosuchapp", "not_found_app"),
    ],
)
def test_a_urlmap_key_typo_names_the_key_and_its_line(tmp_path: Path, line: str, key: str) -> None:
    path = _ini(tmp_path, f"""
        [composite:main]
        use = egg:Paste#urlmap
        / = home
        {line}

        [app:home]
        use = call:{MOD}:FirstApp.factory
        """)
    with pytest.raises(ConfigError) as caught:
        loadapp(f"config:{path}")
    assert (caught.value.section, caught.value.key, caught.value.line) == ("composite:main", key, 4)


def test_an_error_inside_a_mounted_app_stays_in_its_section(tmp_path: Path) -> None:
    path = _ini(tmp_path, f"""
        [composite:main]
        use = egg:Paste#urlmap
        / = home

        [app:home]
        use = call:{MOD}:NoSuchApp.factory
        """)
    with pytest.raises(ConfigError) as caught:
        loadapp(f"config:{path}")
    assert caught.value.section == "app:home"


def test_launch_help_does_not_offer_a_fragment(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        asgipaste.cli.main(["launch", "--help"])
    text = capsys.readouterr().out
    assert "CONFIG[#name]" not in text and "#app-name" not in text
    assert "CONFIG   " in text and "no #name" in text
    assert asgipaste.cli.main(["launch", "api-paste.ini#osapi_compute"]) == 1
    assert "drop #name" in capsys.readouterr().err


@pytest.mark.slow
def test_graph_into_a_closed_pipe_exits_quietly() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (head -1) is gone before anything is written
    try:
        done = subprocess.run(
            [sys.executable, "-m", "asgipaste.cli", "graph", "asgipaste/demo/api-paste.ini"],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 1
