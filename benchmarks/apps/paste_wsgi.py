"""PasteDeploy's own loader: ``app`` is ``paste.deploy.loadapp`` of ``$BENCH_PASTE_INI``.

The INI's ``egg:Paste#urlmap`` is Paste's WSGI ``URLMap`` here, as in an
unported deployment: ``gunicorn``, ``waitress-serve`` and granian's WSGI
interface all serve ``benchmarks.apps.paste_wsgi:app``. ``$BENCH_PASTE_NAME``
names another app section (default ``main``); ``$BENCH_PASTE_VARS`` is a JSON
object of ``global_conf`` values for ``%(var)s``.
"""

from __future__ import annotations

import json
import os

from paste.deploy import loadapp

app = loadapp(
    "config:" + os.path.abspath(os.environ["BENCH_PASTE_INI"]),
    name=os.environ.get("BENCH_PASTE_NAME", "main"),
    global_conf=json.loads(os.environ.get("BENCH_PASTE_VARS", "{}")),
)
