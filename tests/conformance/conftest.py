"""The official client (``lightly==1.5.20``) against ``FakeLightly(api="latest")`` on loopback.

``nox -s tests`` installs the official client with ``--no-deps`` plus the packages its
``lightly.api`` needs (pydantic, urllib3, ...), without torch: only ``lightly.api`` and the
generated ``swagger_client`` are imported, never the training stack. Outside nox the folder
skips when that exact release is not installed.

The client makes no network call: ``LIGHTLY_DID_VERSION_CHECK`` stops the import-time check
against api.lightly.ai; ``LIGHTLY_SERVER_LOCATION`` points it at the fake; proxy variables are
cleared so loopback is not routed through a proxy. Its constructor still asks the server for
the minimum compatible version; the fake answers 404, which the client ignores by design.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lightly_async.testing import DEFAULT_TOKEN, FakeLightly

OFFICIAL_VERSION = "1.5.20"

os.environ["LIGHTLY_DID_VERSION_CHECK"] = "True"  # before anything imports `lightly`


def _official_installed() -> str | None:
    try:
        version = importlib.metadata.version("lightly")
    except importlib.metadata.PackageNotFoundError:
        return "the official client is not installed"
    if version != OFFICIAL_VERSION:
        return f"lightly {version} is installed, the conformance suite drives {OFFICIAL_VERSION}"
    return None


_MISSING = _official_installed()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if _MISSING is None:
        return
    reason = f"{_MISSING}; `nox -s tests` installs lightly=={OFFICIAL_VERSION}"
    for item in items:
        if "conformance" in item.path.parts:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def served() -> Iterator[tuple[FakeLightly, str]]:
    """One fake in the newest-API mode, served on 127.0.0.1 for the whole session."""
    fake = FakeLightly(api="latest")
    with fake.serve_in_thread() as base_url:
        yield fake, base_url


@pytest.fixture
def fake(served: tuple[FakeLightly, str], monkeypatch: pytest.MonkeyPatch) -> FakeLightly:
    """The served fake, emptied; the official client's environment points at it."""
    fake, base_url = served
    fake.reset()
    fake.job_steps = ()
    monkeypatch.setenv("LIGHTLY_SERVER_LOCATION", base_url)
    monkeypatch.setenv("LIGHTLY_DID_VERSION_CHECK", "True")
    for proxy in ("ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "all_proxy", "https_proxy",
                  "http_proxy"):
        monkeypatch.delenv(proxy, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    return fake


@pytest.fixture
def official(fake: FakeLightly) -> Callable[..., Any]:
    """``official(dataset_id, **kw)``: an ``ApiWorkflowClient`` on the fake."""
    from lightly.api import ApiWorkflowClient

    def make(dataset_id: str, **kwargs: Any) -> Any:
        client = ApiWorkflowClient(token=DEFAULT_TOKEN, dataset_id=dataset_id, **kwargs)
        # `selection()` sleeps this long before its first poll (default 1 s); the fake's jobs
        # answer at once, so polling needs no wait.
        client.wait_time_till_next_poll = 0
        return client

    return make
