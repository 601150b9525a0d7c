"""pytest plugin (entry point ``lightly_async``): the ``lightly_fake`` and ``lightly_session``
fixtures.

Loading the plugin imports neither starlette nor uvicorn; a fixture used without the ``fake``
extra installed skips its test with a hint. ``lightly_session`` is a pytest-asyncio fixture
(asyncio tests); under other runners build one with ``async with lightly_fake.session()``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from lightly_async.testing import FakeLightly

__all__ = ["lightly_fake", "lightly_session"]


@pytest.fixture
def lightly_fake() -> FakeLightly:
    """A fresh, empty fake Lightly server (token ``DEFAULT_TOKEN``, seed 0)."""
    try:
        from lightly_async.testing import FakeLightly
    except ImportError as exc:  # starlette or uvicorn missing
        pytest.skip(f"the fake server needs `pip install lightly-async[fake]` ({exc})")
    return FakeLightly()


if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture
    async def lightly_session(lightly_fake: FakeLightly) -> AsyncIterator[Any]:
        """A ``LightlySession`` wired in-process to ``lightly_fake``."""
        async with lightly_fake.session() as session:
            yield session
