"""Fixtures of the reliability suite: both anyio backends and a fresh fake server.

``anyio_backend`` is parametrized over asyncio and trio for the tests marked
``@pytest.mark.anyio``; tests that inspect asyncio internals use ``@pytest.mark.asyncio``
instead (pytest-asyncio runs in strict mode, so the two plugins never claim the same test).
"""

from __future__ import annotations

import pytest

from lightly_async.testing import FakeLightly

from .support import TOKEN


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake() -> FakeLightly:
    return FakeLightly(token=TOKEN, seed=6)
