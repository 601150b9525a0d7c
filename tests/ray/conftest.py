"""The engines' tests (``nox -s ray``): a local Ray and the fake in a process of its own.

Everything stays on loopback: the fake listens on 127.0.0.1; Ray starts a local cluster
(``address="local"``) whose node address is 127.0.0.1 and whose every listener is bound
there (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` makes Ray take the loopback address for its
node, as it does on a laptop, instead of the machine's outward address), with no dashboard
and no usage stats. The tests run only when ``LIGHTLY_RAY_TESTS=1`` (``nox -s ray`` sets
it); elsewhere they are skipped with that reason.

There is no ``__init__.py`` here on purpose: a package named ``ray`` under ``tests/`` (which
is on ``sys.path``) would shadow Ray itself. This directory is put on ``sys.path`` instead,
so the tests import ``fake_process`` as a top-level module.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Before Ray is imported anywhere: its constants are read at import.
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"

from fake_process import FakeProcess

ENABLED = os.environ.get("LIGHTLY_RAY_TESTS") == "1"
SKIP_REASON = ("tests/ray run under `nox -s ray` (a local Ray cluster on loopback); "
               "set LIGHTLY_RAY_TESTS=1 to run them here")
SAMPLES = 500


def pytest_configure(config: pytest.Config) -> None:
    # Ray Data's own DataContext warns about its deprecated fields when it is pickled
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:ray.data.context")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENABLED:
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeProcess]:
    """The fake served by its own process: SAMPLES samples with images and raw files."""
    server = FakeProcess(SAMPLES)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def ray_cluster(fake_server: FakeProcess) -> Iterator[Any]:
    """A local Ray of 2 CPUs, every listener on 127.0.0.1; workers get the fake's token
    from their environment (``LIGHTLY_TOKEN``, inherited from this process)."""
    ray = pytest.importorskip("ray", reason="the ray extra is not installed")
    os.environ["LIGHTLY_TOKEN"] = fake_server.token
    ray.init(address="local", num_cpus=2, include_dashboard=False,
             _node_ip_address="127.0.0.1", log_to_driver=False,
             configure_logging=False)
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture
def config(fake_server: FakeProcess) -> Any:
    """How every worker opens its session: the fake's address, the token by name."""
    from lightly_async import SessionConfig

    return SessionConfig(base_url=fake_server.base_url, api="latest", max_retries=8)
