"""Fixtures for the real OpenStack middleware and service paste files.

oslo.middleware keeps its options on oslo.config's process-wide ``cfg.CONF``
(``_conf_get`` sets each section option there as an override); every test
module starts and ends with it reset so one file's options cannot leak into
the next file's answers.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="module")
def _fresh_oslo_conf() -> Iterator[None]:
    from oslo_config import cfg

    cfg.CONF.reset()
    yield
    cfg.CONF.reset()
