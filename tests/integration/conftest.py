"""Integration fixtures.

* The workflow suite runs on both anyio backends (asyncio and trio).
* It runs against both contracts of the fake: every ``FakeLightly`` built in this folder
  speaks the seed contract (``[seed]``) or the newest public API (``[latest]``).
* Every answer the fake gives to an in-process session is checked against the spec of its
  contract (``contract.openapi_check.checker_for_api``): ``spec/seed`` in seed mode, the newest
  bodies of ``spec/latest`` and the newest error shape in latest mode, and
  ``spec/beyond-seeds.yaml`` for datasets, embeddings and mappings in both; except while a
  ``malformed`` fault rule is installed: such answers are broken on purpose.
"""

from __future__ import annotations

from typing import Any

import pytest

from contract.openapi_check import SpecChecker, checker_for_api
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


@pytest.fixture(autouse=True, params=["seed", "latest"])
def fake_api(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The contract of every fake built by the test: ``FakeLightly(api=...)``'s default,
    and (``LIGHTLY_API``) of every session the test builds by hand, as a user would set it."""
    api = str(request.param)
    monkeypatch.setenv("LIGHTLY_API", api)
    original = FakeLightly.__init__

    def init(self: FakeLightly, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("api", api)
        original(self, *args, **kwargs)

    monkeypatch.setattr(FakeLightly, "__init__", init)
    return api


@pytest.fixture(autouse=True)
def spec_checked_answers(monkeypatch: pytest.MonkeyPatch, fake_api: str) -> SpecChecker:
    """The checker of the test's mode (a fake built with the other mode gets that one's)."""
    checkers = {fake_api: checker_for_api(fake_api)}
    original = FakeLightly.transport

    def transport(self: FakeLightly) -> _http.AsyncBaseTransport:
        if self.api not in checkers:
            checkers[self.api] = checker_for_api(self.api)
        return _CheckingTransport(original(self), self, checkers[self.api])

    monkeypatch.setattr(FakeLightly, "transport", transport)
    return checkers[fake_api]
