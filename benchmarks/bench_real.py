"""Real stacks over HTTP: oslo.middleware, the seed's nova INI, Kinto — asgipaste vs PasteDeploy.

Each stack is one comparison (see :mod:`benchmarks._http`), its INI loaded
unchanged by both loaders:

* **oslo.middleware**: ``request_id → http_proxy_to_wsgi → cors → sizelimit →
  catch_errors`` (configured as in ``tests/real_openstack/oslo-api-paste.ini``)
  in front of the 13-byte WSGI hello; ``GET /``.
* **nova**: ``tests/mixed/nova-api-paste.ini#osapi_compute`` over the
  ``tests/mixed/fake_nova`` stand-ins (noauth: faultwrap → sizelimit → noauth →
  ratelimit → APIRouter); ``GET /v2/servers`` with ``X-Auth-Token: bench:proj``.
* **Kinto**: ``tests/real_apps/kinto.ini`` (memory backends); a bucket,
  collection and record are created once each server answers, then
  ``GET /v1/buckets/bench/collections/c/records/r`` with Basic auth.

Rows: asgipaste on uvicorn (``asgipaste.serve:app``) and on granian
(``asgipaste serve`` with ``egg:asgipaste#granian``: an all-WSGI tree goes on
granian's WSGI interface); PasteDeploy on waitress (4 threads), gunicorn sync
and granian's WSGI interface. Goals (issue 14): asgipaste on uvicorn ≥ 1.5×
PasteDeploy on waitress, asgipaste on granian ≥ 1.0× PasteDeploy on granian.

    python benchmarks/bench_real.py
"""

from __future__ import annotations

import base64
import http.client
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import _http as h  # noqa: E402

FAKE_NOVA = ROOT / "tests" / "mixed" / "fake_nova"
NOVA_INI = ROOT / "tests" / "mixed" / "nova-api-paste.ini"
KINTO_INI = ROOT / "tests" / "real_apps" / "kinto.ini"
KINTO_AUTH = "Basic " + base64.b64encode(b"bench:secret").decode()
KINTO_RECORD = "/v1/buckets/bench/collections/c/records/r"

U = "asgipaste / uvicorn"
U_NOFREEZE = "asgipaste / uvicorn, ASGIPASTE_GC_FREEZE=0"
G = "asgipaste / granian"
PD_WAITRESS = "PasteDeploy / waitress 4 thr"
PD_GUNICORN = "PasteDeploy / gunicorn sync"
PD_GRANIAN = "PasteDeploy / granian WSGI"

OSLO_INI = """\
[pipeline:main]
pipeline = request_id http_proxy_to_wsgi cors sizelimit catch_errors hello

[filter:request_id]
paste.filter_factory = oslo_middleware:RequestId.factory

[filter:http_proxy_to_wsgi]
paste.filter_factory = oslo_middleware.http_proxy_to_wsgi:HTTPProxyToWSGI.factory
enable_proxy_headers_parsing = true

[filter:cors]
paste.filter_factory = oslo_middleware.cors:filter_factory
allowed_origin = https://dashboard.example.org
allow_methods = GET,PUT,POST,DELETE,PATCH
allow_headers = X-Auth-Token,X-Openstack-Request-Id,Content-Type
expose_headers = X-Openstack-Request-Id
max_age = 3600

[filter:sizelimit]
paste.filter_factory = oslo_middleware.sizelimit:RequestBodySizeLimiter.factory
max_request_body_size = 114688

[filter:catch_errors]
paste.filter_factory = oslo_middleware:CatchErrors.factory

[app:hello]
use = call:benchmarks.apps.targets:wsgi_factory
kind = hello
"""


def kinto_setup(base: str) -> None:
    """Create bucket ``bench``, collection ``c`` and record ``r`` (as user bench)."""
    parts = urlsplit(base)
    for path, body in (("/v1/buckets/bench", {}), ("/v1/buckets/bench/collections/c", {}),
                       (KINTO_RECORD, {"data": {"title": "a record", "n": 1}})):
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            conn.request("PUT", path, json.dumps(body), {"Authorization": KINTO_AUTH,
                                                          "Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status >= 300:
                raise RuntimeError(f"kinto setup: PUT {path} answered {response.status}")
        finally:
            conn.close()


@dataclass
class Stack:
    title: str
    ini: Path
    name: str = "main"
    path: str = "/"
    headers: dict[str, str] = field(default_factory=dict)
    pythonpath: list[Path] = field(default_factory=list)
    global_conf: dict[str, str] = field(default_factory=dict)
    setup: object = None
    note: str = ""


def _granian_ini(files: h.IniFiles, stack: Stack) -> Path:
    text = stack.ini.read_text()
    if "[server:main]" in text:  # Kinto's own waitress section: asgipaste serves it on granian instead
        text = text.replace("use = egg:waitress#main", "use = egg:asgipaste#granian")
    else:
        text += h.GRANIAN_SERVER
    return files.write(f"{stack.title.split()[0]}-granian.ini", text)


def servers(files: h.IniFiles, stack: Stack) -> list[h.Server]:
    pythonpath = ":".join(str(p) for p in [ROOT, *stack.pythonpath])
    base = {"PYTHONPATH": pythonpath}
    asgi_env = {**base, "ASGIPASTE_CONFIG": str(stack.ini), "ASGIPASTE_APP": stack.name,
                "ASGIPASTE_VARS": json.dumps(stack.global_conf)}
    paste = {**base, "BENCH_PASTE_INI": str(stack.ini), "BENCH_PASTE_NAME": stack.name,
             "BENCH_PASTE_VARS": json.dumps(stack.global_conf)}
    granian_ini = _granian_ini(files, stack)
    target = f"{granian_ini}#{stack.name}" if stack.name != "main" else str(granian_ini)
    serve = h.asgipaste_serve(Path(target))
    at = serve.index(target) + 1  # var=value pairs go right after CONFIG
    serve[at:at] = [f"{k}={v}" for k, v in stack.global_conf.items()]
    setup = stack.setup if callable(stack.setup) else None
    app = "benchmarks.apps.paste_wsgi:app"
    return [
        h.Server(U, h.uvicorn("asgipaste.serve:app", lifespan="on"), stack.path, asgi_env, stack.headers, setup),
        # the same without gc.freeze() after loading: what the freeze is worth on a real app
        h.Server(U_NOFREEZE, h.uvicorn("asgipaste.serve:app", lifespan="on"), stack.path,
                 {**asgi_env, "ASGIPASTE_GC_FREEZE": "0"}, stack.headers, setup),
        h.Server(G, serve, stack.path, base, stack.headers, setup),
        h.Server(PD_WAITRESS, h.waitress(app), stack.path, paste, stack.headers, setup),
        h.Server(PD_GUNICORN, h.gunicorn(app), stack.path, paste, stack.headers, setup),
        h.Server(PD_GRANIAN, h.granian(app, "wsgi"), stack.path, paste, stack.headers, setup),
    ]


def stacks(files: h.IniFiles) -> list[Stack]:
    return [
        Stack("oslo.middleware pipeline", files.write("oslo.ini", OSLO_INI),
              note="request_id → http_proxy_to_wsgi → cors → sizelimit → catch_errors → WSGI hello; `GET /`."),
        Stack("nova INI (fake_nova stand-ins)", NOVA_INI, name="osapi_compute", path="/v2/servers",
              headers={"X-Auth-Token": "bench:proj"}, pythonpath=[FAKE_NOVA],
              note="`tests/mixed/nova-api-paste.ini#osapi_compute`, noauth pipeline; `GET /v2/servers`."),
        Stack("Kinto GET of a record", KINTO_INI, path=KINTO_RECORD, headers={"Authorization": KINTO_AUTH},
              global_conf={"http_port": "8888"}, setup=kinto_setup,
              note="`tests/real_apps/kinto.ini` (memory backends, Basic auth); `GET` of one record."),
    ]


def _ratio(results: dict[str, list[h.Sample]], label: str, against: str) -> float | None:
    if label not in results or against not in results:
        return None
    rel = h.ratios(results[label], results[against])
    return statistics.median(rel) if rel else None


def run() -> str:
    files = h.IniFiles()
    parts = [
        "## Real stacks (oslo.middleware, nova INI, Kinto)",
        "",
        f"Each stack's INI loaded unchanged by asgipaste and by PasteDeploy; {h.connections()} connections, "
        f"{h.round_count()} interleaved rounds of {h.seconds():g} s per stack; ratios round by round against "
        f"PasteDeploy on waitress. asgipaste on granian is `asgipaste serve` with `egg:asgipaste#granian` (these "
        "trees are WSGI all the way down, so granian's WSGI interface serves the fused stack).",
        "",
    ]
    summary: list[str] = []
    try:
        for stack in stacks(files):
            started = time.monotonic()
            try:
                results = h.compare(servers(files, stack), h.Load(h.connections()))
            except Exception as exc:  # one stack that cannot start must not lose the others
                parts += [f"### {stack.title}", "", h.start_failed(stack.title, exc), ""]
                continue
            goals = []
            for text, label, against, threshold in (
                (f"{stack.title}: asgipaste on uvicorn / PasteDeploy on waitress", U, PD_WAITRESS, 1.5),
                (f"{stack.title}: asgipaste on granian / PasteDeploy on granian WSGI", G, PD_GRANIAN, 1.0),
            ):
                value = _ratio(results, label, against)
                if value is not None:
                    goals.append(h.goal(text, value, threshold, by_cpu=h.cpu_ratio(results, label, against)))
            summary += goals
            parts += [f"### {stack.title}", "", stack.note, "", h.results_table(results, PD_WAITRESS), "",
                      h.results_charts(results, stack.title), "", *goals, "",
                      f"_{len(results)} servers, {time.monotonic() - started:.0f} s._", ""]
    finally:
        files.close()
    if summary:
        parts += ["### Real-stack goals", "", *summary, ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(run())
