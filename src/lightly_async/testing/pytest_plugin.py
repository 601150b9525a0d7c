"""pytest plugin (entry point ``lightly_async``): the ``lightly_fake`` and ``lightly_session``
fixtures.

Loading the plugin imports neither starlette nor uvicorn; a fixture used without the ``fake``
extra installed skips its test with a hint. ``lightly_session`` is a pytest-asyncio fixture
(asyncio tests); without pytest-asyncio installed, a test using it fails with what to install.
Under other runners build one with ``async with lightly_fake.session()``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

from lightly_async._install import install_hint

if TYPE_CHECKING:
    from lightly_async.testing import FakeLightly

__all__ = ["lightly_fake", "lightly_session"]


@pytest.fixture
def lightly_fake() -> FakeLightly:
    """A fresh, empty fake Lightly server (token ``DEFAULT_TOKEN``, seed 0)."""
    try:
        from lightly_async.testing import FakeLightly
    except ImportError as exc:  # starlette or uvicorn missing
        pytest.skip(f"the fake server needs the fake extra: {install_hint('fake')} ({exc})")
    return FakeLightly()


if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture
    async def lightly_session(lightly_fake: FakeLightly) -> AsyncIterator[Any]:
        """A ``LightlySession`` wired in-process to ``lightly_fake``."""
        async with lightly_fake.session() as session:
            yield session

else:

    @pytest.fixture
    def lightly_session(lightly_fake: FakeLightly) -> Any:
        """Stands in for the pytest-asyncio fixture, to say what to install."""
        pytest.fail(
            "the lightly_session fixture needs pytest-asyncio: pip install pytest-asyncio "
            "(or build one in your test: async with lightly_fake.session() as session)",
            pytrace=False)
