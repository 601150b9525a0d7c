"""pytest plugin (entry point ``lightly_async``): the ``lightly_fake``, ``lightly_session`` and
``lightly_env`` fixtures.

Both speak the newest API (as served today) unless a test asks for the seed contract, with the
marker ``@pytest.mark.lightly_api("seed")`` or indirectly,
``@pytest.mark.parametrize("lightly_fake", ["seed", "latest"], indirect=True)``.

Loading the plugin imports neither starlette nor uvicorn; a fixture used without the ``fake``
extra installed skips its test with a hint. ``lightly_session`` is a pytest-asyncio fixture
(asyncio tests); without pytest-asyncio installed, a test using it fails with what to install.
Under other runners build one with ``async with lightly_fake.session()``. ``lightly_env``
serves the fake on loopback and points ``LIGHTLY_TOKEN`` and ``LIGHTLY_SERVER_LOCATION`` at
it, so code under test that builds its own default ``LightlySession()`` (or uses the sync
facade, or the CLI) talks to the fake, on any event loop.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from lightly_async._install import install_hint

if TYPE_CHECKING:
    from lightly_async.testing import FakeLightly

__all__ = ["lightly_env", "lightly_fake", "lightly_session"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", 'lightly_api(api): the contract lightly_fake speaks, "seed" or "latest"'
    )


@pytest.fixture
def lightly_fake(request: pytest.FixtureRequest) -> FakeLightly:
    """A fresh, empty fake Lightly server (token ``DEFAULT_TOKEN``, seed 0, ``api="latest"``)."""
    try:
        from lightly_async.testing import FakeLightly
    except ImportError as exc:  # starlette missing
        pytest.skip(f"the fake server needs the fake extra: {install_hint('fake')} ({exc})")
    api = getattr(request, "param", None)
    marker = request.node.get_closest_marker("lightly_api")
    if api is None and marker is not None:
        api = marker.args[0] if marker.args else marker.kwargs.get("api")
    return FakeLightly(api=api or "latest")


@pytest.fixture
def lightly_env(
    lightly_fake: FakeLightly, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[FakeLightly]:
    """``lightly_fake`` served on loopback, with the environment a default session reads.

    ``LIGHTLY_TOKEN`` is the fake's token and ``LIGHTLY_SERVER_LOCATION`` its URL (both
    restored afterwards); ``LIGHTLY_ASYNC_TRANSPORT`` is left as it is.
    """
    with lightly_fake.serve_in_thread() as base_url:
        monkeypatch.setenv("LIGHTLY_TOKEN", lightly_fake.token)
        monkeypatch.setenv("LIGHTLY_SERVER_LOCATION", base_url)
        yield lightly_fake


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
