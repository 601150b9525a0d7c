"""Integration fixtures.

* The workflow suite runs on both anyio backends (asyncio and trio).
* Every answer the fake gives to an in-process session is checked against the spec's response
  schema (when the spec is beside the repository), except while a ``malformed`` fault rule is
  installed: such answers are broken on purpose.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract.openapi_check import SpecChecker
from lightly_async import _http
from lightly_async.testing import FakeLightly


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


class _CheckingTransport(_http.AsyncBaseTransport):
    def __init__(self, inner: _http.AsyncBaseTransport, fake: FakeLightly,
                 checker: SpecChecker) -> None:
        self._inner, self._fake, self._checker = inner, fake, checker

    async def handle_async_request(self, request: Any) -> Any:
        response = await self._inner.handle_async_request(request)
        if any(rule.malformed for rule in self._fake.faults.rules):
            return response
        body = await response.aread()
        self._checker.check(request.method, request.url.path, response.status_code, body,
                            dict(request.url.params))
        self.checked += 1
        return _http.Response(response.status_code, headers=response.headers, content=body)

    checked = 0

    async def aclose(self) -> None:
        await self._inner.aclose()


@pytest.fixture(autouse=True)
def spec_checked_answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[SpecChecker]:
    checker = SpecChecker()
    original = FakeLightly.transport

    def transport(self: FakeLightly) -> _http.AsyncBaseTransport:
        return _CheckingTransport(original(self), self, checker)

    monkeypatch.setattr(FakeLightly, "transport", transport)
    return checker
