"""Fixtures shared by the client tests: a recording mock transport and a recording sleep."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from lightly_async._session import LightlySession
from lightly_async.testing._transports import mock_transport

BASE_URL = "https://api.test"
TOKEN = "tok-SECRET-0123456789abcdef"

Handler = Callable[[httpx.Request], "httpx.Response | Awaitable[httpx.Response]"]


class Recorder:
    """A mock transport that records every request and answers with a scripted handler."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._handler: Handler = _fail_if_called

    def answer(self, handler: Handler) -> None:
        """Answer every request with ``handler(request)`` (may raise or be async)."""
        self._handler = handler

    def script(self, *steps: httpx.Response | Exception) -> None:
        """Answer request n with steps[n]: a response to return or an exception to raise."""
        remaining = list(steps)

        def handler(request: httpx.Request) -> httpx.Response:
            step = remaining.pop(0)
            if isinstance(step, Exception):
                raise step
            return step

        self._handler = handler

    def transport(self) -> httpx.AsyncBaseTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            answer = self._handler(request)
            if not isinstance(answer, httpx.Response):
                answer = await answer
            return answer

        return mock_transport(handle)

    def session(self, **kwargs: Any) -> LightlySession:
        kwargs.setdefault("token", TOKEN)
        kwargs.setdefault("base_url", BASE_URL)
        return LightlySession(transport=self.transport(), **kwargs)


class SleepRecorder:
    """A ``RetryPolicy(sleep=...)`` seam: records each requested wait and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _fail_if_called(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"unexpected request {request.method} {request.url.path}")


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()
