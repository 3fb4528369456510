"""Rendering hand-built StackNode trees as text, Mermaid and DOT."""

from __future__ import annotations

from pathlib import Path

import pytest

from asgipaste.graph import annotate_mounts, render_dot, render_mermaid, render_text, serving_summary
from asgipaste.stack import LoadedStack, StackNode


def nova_like() -> StackNode:
    return StackNode(
        "composite",
        "composite:osapi_compute",
        "asgi",
        file="/etc/nova/api-paste.ini",
        line=3,
        label="egg:asgipaste#urlmap",
        children=[
            StackNode(
                "mount",
                "/v2.1",
                "asgi",
                label="/v2.1",
                children=[
                    StackNode(
                        "pipeline",
                        "pipeline:v21",
                        "wsgi",
                        join="adapter",
                        children=[
                            StackNode("filter", "filter:fault", "wsgi", label='call:nova:"Fault"'),
                            StackNode("app", "app:v21", "wsgi", file="/etc/nova/api-paste.ini", line=40),
                        ],
                    )
                ],
            ),
            StackNode("app", "app:versions", "asgi", label="/"),
            StackNode("filter", "filter:legacy", "wsgi", join="bridge"),
        ],
    )


async def _noop(scope: object, receive: object, send: object) -> None:
    return None


def test_text_tree_marks_protocols_and_joins() -> None:
    assert render_text(nova_like()).splitlines() == [
        "[ASGI] composite:osapi_compute  egg:asgipaste#urlmap",
        "├── [ASGI] mount /v2.1",
        "│   └── [WSGI] pipeline:v21  <= adapter: WSGI app served to ASGI (one crossing)",
        '│       ├── [WSGI] filter:fault  call:nova:"Fault"',
        "│       └── [WSGI] app:v21",
        "├── [ASGI] app:versions  /",
        "└── [WSGI] filter:legacy  <= bridge: ASGI app shown to WSGI code",
    ]


def test_text_locations() -> None:
    lines = render_text(nova_like(), locations=True).splitlines()
    assert lines[0].endswith("(/etc/nova/api-paste.ini:3)")
    assert lines[4].endswith("app:v21  (/etc/nova/api-paste.ini:40)")


def test_mermaid_nodes_edges_and_classes() -> None:
    out = render_mermaid(nova_like()).splitlines()
    assert out[0] == "flowchart TD"
    assert '    n0["composite:osapi_compute<br/>egg:asgipaste#urlmap<br/><b>ASGI</b>"]:::asgi' in out
    assert '    n1 -. "adapter" .-> n2' in out
    assert '    n3["filter:fault<br/>call:nova:#quot;Fault#quot;<br/><b>WSGI</b>"]:::wsgi' in out
    assert "    n0 --> n5" in out and '    n0 -. "bridge" .-> n6' in out
    assert "    classDef wsgi fill:#fff1cc,stroke:#555" in out


def test_dot_escapes_and_dashes_joins() -> None:
    out = render_dot(nova_like()).splitlines()
    assert out[0] == "digraph asgipaste {" and out[-1] == "}"
    assert '    n3 [label="filter:fault\\ncall:nova:\\"Fault\\"\\nWSGI", fillcolor="#fff1cc"];' in out
    assert '    n1 -> n2 [label="adapter", style=dashed];' in out
    assert "    n0 -> n1;" in out


def test_serving_summary_says_which_granian_interface() -> None:
    wsgi_tree = StackNode("app", "app:main", "wsgi", join="adapter")
    direct = LoadedStack(asgi=_noop, wsgi=lambda environ, start: [b""], graph=wsgi_tree, name="main")
    assert serving_summary(direct) == [
        "joins: 1 adapter(s), 0 bridge(s)",
        "granian: WSGI all the way down: served on granian's WSGI interface directly (no ASGI crossing)",
    ]
    mixed = LoadedStack(asgi=_noop, wsgi=None, graph=nova_like(), name="osapi_compute")
    assert serving_summary(mixed)[0] == "joins: 1 adapter(s), 1 bridge(s)"
    assert "granian's ASGI interface" in serving_summary(mixed)[1]
    # the file's granian interface, as `asgipaste serve` would use it
    assert "in the tree's WSGI form" in serving_summary(mixed, granian_interface="wsgi")[1]
    assert serving_summary(direct, granian_interface="asgi")[1] == (
        "granian (interface = asgi): served on granian's ASGI interface"
    )
    assert serving_summary(direct, granian_interface="wsgi") == serving_summary(direct)


def test_graph_reads_the_granian_interface_of_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from asgipaste.cli import main

    ini = tmp_path / "g.ini"
    tree = (
        "[composite:main]\nuse = egg:Paste#urlmap\n/w = w\n/a = a\n"
        "[app:w]\nuse = call:tests.serving.apps:wsgi_text_app\n[app:a]\nuse = call:tests.serving.apps:text_app\n"
    )
    ini.write_text(tree + "[server:main]\nuse = egg:asgipaste#granian\ninterface = wsgi\n")
    assert main(["graph", str(ini)]) == 0
    out = capsys.readouterr().out
    assert "granian (interface = wsgi): served on granian's WSGI interface in the tree's WSGI form" in out
    # and the tree drawn is that WSGI form: the urlmap in WSGI, the WSGI branch as is, the ASGI one bridged
    assert out.splitlines()[:5] == [
        "[WSGI] composite:main  asgipaste.urlmap:urlmap_factory (WSGI form)",
        "├── [WSGI] mount /w",
        "│   └── [WSGI] app:w  tests.serving.apps:wsgi_text_app",
        "└── [WSGI] mount /a",
        "    └── [ASGI] app:a  tests.serving.apps:text_app  <= bridge: ASGI app shown to WSGI code",
    ]
    assert "joins: 0 adapter(s), 1 bridge(s)" in out
    ini.write_text(tree + "[server:main]\nuse = egg:asgipaste#uvicorn\n")
    assert main(["graph", str(ini)]) == 0
    out = capsys.readouterr().out
    assert "granian: served on granian's ASGI interface" in out
    assert "joins: 1 adapter(s), 0 bridge(s)" in out and out.startswith("[ASGI] composite:main")


def test_annotate_mounts_shows_urlmap_keys(tmp_path: Path) -> None:
    # The keys come from the build's record (StackNode.options), never from the file.
    tree = StackNode(
        "composite",
        "composite:main",
        "asgi",
        file=str(tmp_path / "deleted.ini"),
        options=(("/firstapp", "firstpipe"), ("/Second", "secondapp")),
        children=[
            StackNode("pipeline", "pipeline:firstpipe", "wsgi", join="adapter"),
            StackNode("app", "app:secondapp", "asgi"),
            StackNode(
                "composite", "composite:auth", "asgi", options=(("noauth2", "faultwrap secondapp"),),
                children=[StackNode("app", "app:x", "asgi")],
            ),
        ],
    )
    annotated = annotate_mounts(tree)
    assert render_text(annotated).splitlines() == [
        "[ASGI] composite:main",
        "├── [ASGI] mount /firstapp",
        "│   └── [WSGI] pipeline:firstpipe  <= adapter: WSGI app served to ASGI (one crossing)",
        "├── [ASGI] mount /Second",
        "│   └── [ASGI] app:secondapp",
        "└── [ASGI] composite:auth",
        "    └── [ASGI] app:x",
    ]
    assert [node.kind for node in tree.children] == ["pipeline", "app", "composite"]  # input untouched


def test_graph_is_drawn_from_the_build_not_the_file(tmp_path: Path) -> None:
    from asgipaste import load_stack

    ini = tmp_path / "paste.ini"
    ini.write_text(
        "[composite:main]\nuse = egg:Paste#urlmap\n/v2 = api\n/legacy = old\n\n"
        "[app:api]\nuse = egg:FakeASGIApp#basic_app\n\n[app:old]\nuse = egg:FakeASGIApp#wsgi_app\n"
    )
    stack = load_stack(f"config:{ini}")
    ini.unlink()  # nothing below may read it again
    text = render_text(annotate_mounts(stack.graph))
    assert "mount /v2" in text and "mount /legacy" in text
