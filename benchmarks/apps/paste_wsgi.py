"""PasteDeploy's own loader: ``app`` is ``paste.deploy.loadapp`` of ``$BENCH_PASTE_INI``.

The INI's ``egg:Paste#urlmap`` is Paste's WSGI ``URLMap`` here, as in an
unported deployment: ``gunicorn``, ``waitress-serve`` and granian's WSGI
interface all serve ``benchmarks.apps.paste_wsgi:app``.
"""

from __future__ import annotations

import os

from paste.deploy import loadapp

app = loadapp("config:" + os.path.abspath(os.environ["BENCH_PASTE_INI"]))
