"""The pytest plugin: its fixtures, and that loading it stays cheap."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from lightly_async.testing import DEFAULT_TOKEN, FakeLightly


def test_lightly_fake_fixture_is_a_fresh_fake_when_requested(lightly_fake: FakeLightly):
    assert isinstance(lightly_fake, FakeLightly)
    assert lightly_fake.token == DEFAULT_TOKEN
    assert lightly_fake.calls == []


@pytest.mark.asyncio
async def test_lightly_session_reaches_the_fake_when_used(
    lightly_fake: FakeLightly, lightly_session: Any
):
    ds = lightly_fake.create_dataset("plugged", ["a.jpg", "b.jpg"])
    samples = await lightly_session.dataset(ds).samples.list(mode="ids")
    assert [s.id for s in samples] == lightly_fake.sample_ids(ds)
    assert lightly_session.api == "latest"
    assert lightly_fake.calls[-1].path == f"/v1/datasets/{ds}/samples/partial"
    assert lightly_fake.calls[-1].query == {"mode": "ids"}


@pytest.mark.asyncio
@pytest.mark.lightly_api("seed")
async def test_lightly_session_speaks_the_seed_fake_s_dialect_when_marked(
    lightly_fake: FakeLightly, lightly_session: Any
):
    ds = lightly_fake.create_dataset("plugged", ["a.jpg", "b.jpg"])
    samples = await lightly_session.dataset(ds).samples.list(mode="ids")
    assert [s.id for s in samples] == lightly_fake.sample_ids(ds)
    assert lightly_session.api == "seed"
    assert lightly_fake.calls[-1].path == f"/users/datasets/{ds}/samples"


def test_plugin_import_loads_neither_starlette_nor_uvicorn_when_pytest_starts():
    code = (
        "import sys, lightly_async.testing.pytest_plugin\n"
        "print(sorted(m for m in ('starlette', 'uvicorn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_plugin_is_registered_as_a_pytest11_entry_point():
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("lightly_async") == "lightly_async.testing.pytest_plugin"


def test_lightly_session_says_what_to_install_when_pytest_asyncio_is_missing(tmp_path: Any):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_user.py").write_text(
        "def test_uses_it(lightly_session):\n    assert lightly_session is not None\n")
    # pytest-asyncio hidden: no autoloaded plugins, and its module unimportable.
    code = ("import sys; sys.modules['pytest_asyncio'] = None; import pytest; "
            "sys.exit(pytest.main(['-p', 'lightly_async.testing.pytest_plugin', '-q', "
            "'-p', 'no:cacheprovider', 'test_user.py']))")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, env=env, timeout=120)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "needs pytest-asyncio: pip install pytest-asyncio" in out.stdout
    assert "fixture 'lightly_session' not found" not in out.stdout
