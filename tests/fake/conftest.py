"""Fixtures for the fake server's own tests: raw HTTP against it, every answer spec-checked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from contract.openapi_check import SpecChecker, spec_path
from fake.api import FILES
from lightly_async.testing import DEFAULT_TOKEN, FAKE_BASE_URL, FakeLightly


@pytest.fixture
def fake() -> FakeLightly:
    return FakeLightly(seed=0, api="seed")


@pytest.fixture(scope="session")
def spec_checker() -> SpecChecker | None:
    return SpecChecker() if spec_path() is not None else None


def _client(fake: FakeLightly, checker: SpecChecker | None, **kwargs: Any) -> httpx.AsyncClient:
    async def check(response: httpx.Response) -> None:
        await response.aread()
        if checker is not None:
            request = response.request
            checker.check(
                request.method,
                request.url.path,
                response.status_code,
                response.content,
                dict(request.url.params),
            )

    return httpx.AsyncClient(
        transport=fake.transport(),
        base_url=FAKE_BASE_URL,
        event_hooks={"response": [check]},
        **kwargs,
    )


@pytest_asyncio.fixture
async def client(
    fake: FakeLightly, spec_checker: SpecChecker | None
) -> AsyncIterator[httpx.AsyncClient]:
    """Authenticated with the default token; every answer is validated against the spec."""
    async with _client(fake, spec_checker, params={"token": DEFAULT_TOKEN}) as c:
        yield c


@pytest_asyncio.fixture
async def anon(
    fake: FakeLightly, spec_checker: SpecChecker | None
) -> AsyncIterator[httpx.AsyncClient]:
    """No credentials (signed URLs, auth failures)."""
    async with _client(fake, spec_checker) as c:
        yield c


@pytest.fixture
def ds(fake: FakeLightly) -> str:
    """A dataset of five samples a..e.jpg (indices 0..4)."""
    return fake.create_dataset("five", FILES)
