"""What the real deployments need from pytest, for this directory alone.

No import-time warning filter is needed here (WebOb's ``cgi`` import is
filtered project-wide in pyproject); Kinto's "HTTPS is not enabled" warning is
filtered by the modules that start Kinto.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from webob.request import BaseRequest


@pytest.fixture(scope="package", autouse=True)
def webob_bodies_in_memory() -> Iterator[None]:
    """Keep WebOb's copies of request bodies in memory, whichever server delivered them.

    WebOb copies a body above ``request_body_tempfile_limit`` (10 KiB) into a
    ``tempfile.TemporaryFile`` it never closes; the request sits in reference
    cycles (and in pyramid_debugtoolbar's history), so the file is closed by
    the garbage collector at some later moment, possibly between two tests,
    where pytest reports the ResourceWarning as an error. The same happens
    under waitress; it is WebOb's buffering, not the server's body handling,
    which these tests compare.
    """
    previous = BaseRequest.request_body_tempfile_limit
    BaseRequest.request_body_tempfile_limit = 64 * 1024 * 1024
    try:
        yield
    finally:
        BaseRequest.request_body_tempfile_limit = previous
