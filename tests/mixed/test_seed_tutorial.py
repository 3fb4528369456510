"""The seed's Paste Deploy example: corrected, it loads and answers over ASGI; as
published, it fails with errors that say what to fix."""

from __future__ import annotations

import textwrap
from pathlib import Path

import httpx
import pytest

from asgipaste import ConfigError, check_config, load_stack, loadapp
from asgipaste.demo import tutorial as seed_tutorial
from asgipaste.interop.wsgi import WSGIAdapter
from asgipaste.urlmap import URLMap
from asgipaste.urlmap_wsgi import WSGIURLMap

MOD = "asgipaste.demo.tutorial"  # the seed's classes, as the bundled demo ships them

# The seed's INI with its three mistakes fixed: `use = app:X.factory` has no
# scheme (call: is meant), `pipline` is a typo, and the pipeline started with
# an app where a filter belongs.
CORRECTED = f"""
[composite:main]
use = egg:Paste#urlmap
/firstapp = firstpipe
/secondapp = secondapp

[app:firstapp]
use = call:{MOD}:FirstApp.factory

[app:secondapp]
use = call:{MOD}:SecondApp.factory

[filter:firstfilter]
use = call:{MOD}:FirstFilter.factory

[filter:secondfilter]
use = call:{MOD}:SecondFilter.factory

[pipeline:firstpipe]
pipeline = firstfilter secondfilter firstapp
"""

# Exactly as published (comments translated).
AS_PUBLISHED = """
# composite dispatches by URL
[composite:main]
use = egg:Paste#urlmap
/firstapp = firstpipe
/secondapp = secondapp

[app:firstapp]
use = app:FirstApp.factory

[app:secondapp]
use = app:SecondApp.factory

[filter:firstfilter]
use = filter:FirstFilter.factory

[filter:secondfilter]
use = filter:SecondFilter.factory

[pipeline:firstpipe]
pipline = firstapp secondfilter firstapp
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "paste.ini"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return str(path)


@pytest.mark.asyncio
async def test_corrected_seed_answers_over_asgi(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="asgipaste.demo.tutorial")
    app = loadapp(f"config:{write(tmp_path, CORRECTED)}", "main")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost:8080") as client:
        first = await client.get("/firstapp")
        second = await client.get("/secondapp")
        missing = await client.get("/thirdapp")
    assert (first.status_code, first.text, first.headers["content-type"]) == (
        200, "I am first app", "text/plain; charset=UTF-8")
    assert second.text == "I am second app"
    assert missing.status_code == 404
    assert [r.getMessage() for r in caplog.records if r.name == "asgipaste.demo.tutorial"] == [
        "first filter",
        "second filter",
    ]


def test_seed_tree_is_wsgi_all_the_way_down_and_crosses_once(tmp_path: Path) -> None:
    stack = load_stack(f"config:{write(tmp_path, CORRECTED)}", "main")
    # Every mounted app is WSGI, so the urlmap is built in WSGI too: one
    # crossing at the root, and granian can serve stack.wsgi directly.
    adapters = [n for n in stack.graph.walk() if n.join == "adapter"]
    assert [n.name for n in adapters] == ["composite:main"]
    assert {n.protocol for n in stack.graph.walk()} == {"wsgi"}
    pipe = next(n for n in stack.graph.walk() if n.name == "pipeline:firstpipe")
    assert [n.name for n in pipe.walk()[1:]] == ["filter:firstfilter", "filter:secondfilter", "app:firstapp"]
    assert isinstance(stack.asgi, WSGIAdapter) and isinstance(stack.wsgi, WSGIURLMap)
    entry_app = stack.wsgi.table["/firstapp"]
    assert isinstance(entry_app, seed_tutorial.FirstFilter)
    assert isinstance(entry_app.app, seed_tutorial.SecondFilter)
    assert isinstance(entry_app.app.app, seed_tutorial.FirstApp)


def test_one_async_app_keeps_the_urlmap_asgi(tmp_path: Path) -> None:
    text = CORRECTED.replace(f"use = call:{MOD}:SecondApp.factory", "use = egg:FakeASGIApp#basic_app")
    stack = load_stack(f"config:{write(tmp_path, text)}", "main")
    assert stack.wsgi is None and isinstance(stack.asgi, URLMap)
    adapters = [n.name for n in stack.graph.walk() if n.join == "adapter"]
    assert adapters == ["pipeline:firstpipe"]
    assert isinstance(stack.asgi["/firstapp"], WSGIAdapter)


def test_published_seed_says_what_to_fix(tmp_path: Path) -> None:
    path = write(tmp_path, AS_PUBLISHED)
    with pytest.raises(ConfigError) as info:
        loadapp(f"config:{path}", "main")
    err = info.value
    assert err.message == f"The [pipeline:firstpipe] section in {path} is missing a 'pipeline' setting"
    assert err.hint == "did you mean 'pipeline' instead of 'pipline'?"
    assert (err.file, err.section, err.line) == (path, "pipeline:firstpipe", 19)

    problems = {(p.section, p.key): p for p in check_config(path)}
    scheme = problems[("app:firstapp", "use")]
    assert scheme.message.startswith("URI scheme not known: 'app'")
    assert scheme.line == 8 and scheme.hint is not None
    assert "use = call:app:FirstApp.factory" in scheme.hint
    # The seed's pipeline never names firstfilter: no entry point reaches it, so
    # its problem is a warning, reported as an error only under strict.
    assert ("filter:firstfilter", "use") not in problems
    strict = {(p.section, p.key) for p in check_config(path, strict=True)}
    assert ("filter:firstfilter", "use") in strict


def test_published_pipeline_order_mistake_is_named(tmp_path: Path) -> None:
    text = CORRECTED.replace(
        "pipeline = firstfilter secondfilter firstapp", "pipeline = firstapp secondfilter firstapp"
    )
    with pytest.raises(ConfigError) as info:
        loadapp(f"config:{write(tmp_path, text)}", "main")
    assert info.value.message == "Pipeline [pipeline:firstpipe] names the app 'firstapp' where a filter belongs"
    assert info.value.hint is not None and "only the last item" in info.value.hint
