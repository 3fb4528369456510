"""Warnings the real deployments emit at import or while serving, ignored here only.

pyproject turns every warning into an error; Pyramid, Kinto, Paste and waitress
are third-party code we run unchanged, so their known deprecations are
filtered for this directory's tests alone, each filter as narrow as it can be.
"""

from __future__ import annotations

import pytest

_FILTERS = (
    # Paste, Pyramid and Kinto still import pkg_resources / use its API.
    "ignore:pkg_resources is deprecated as an API:DeprecationWarning",
    "ignore:pkg_resources is deprecated as an API:UserWarning",
    "ignore:Deprecated call to `pkg_resources.declare_namespace:DeprecationWarning",
    # WebOb (through Paste and Pyramid) imports the stdlib cgi module.
    "ignore:'cgi' is deprecated:DeprecationWarning",
    # WebOb copies a request body above 10 KiB into an anonymous tempfile.TemporaryFile
    # (Request.make_body_seekable) and never closes it; pyramid_debugtoolbar keeps the
    # request, so the file is collected later. The same under waitress.
    r"ignore:Exception ignored in. <_io\.FileIO name=\d+ mode='rb\+' closefd=True>"
    ":pytest.PytestUnraisableExceptionWarning",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = __file__.rsplit("/", 1)[0]
    for item in items:
        if str(item.path).startswith(here):
            for spec in _FILTERS:
                item.add_marker(pytest.mark.filterwarnings(spec))
