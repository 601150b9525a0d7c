"""Fake hygiene: no uvicorn needed in-process, clear admin errors, keyword faults, camelCase."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from lightly_async.testing import FakeLightly

UNKNOWN = "f" * 24

_NO_UVICORN = """
import importlib.abc, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "uvicorn" or name.startswith("uvicorn."):
            raise ImportError("uvicorn is not installed (blocked)")
        return None

sys.meta_path.insert(0, Block())
import anyio
from lightly_async.testing import FakeLightly
import lightly_async.testing.pytest_plugin

async def main():
    fake = FakeLightly(api="seed")
    ds = fake.create_dataset("d", ["a.jpg", "b.jpg"])
    async with fake.session() as session:
        samples = await session.dataset(ds).samples.list(mode="ids")
    assert [s.id for s in samples] == fake.sample_ids(ds)
    try:
        async with fake.serve():
            raise AssertionError("served without uvicorn")
    except ImportError as exc:
        print("serve:", exc)
    assert "uvicorn" not in sys.modules
    print("ok")

anyio.run(main)
"""


def test_in_process_fake_and_plugin_work_when_uvicorn_is_missing() -> None:
    done = subprocess.run([sys.executable, "-c", _NO_UVICORN], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "ok"
    assert "uvicorn is not installed" in done.stdout


ADMIN: list[tuple[str, Callable[[FakeLightly], Any]]] = [
    ("add_samples", lambda f: f.add_samples(UNKNOWN, ["x.jpg"])),
    ("sample_ids", lambda f: f.sample_ids(UNKNOWN)),
    ("add_raw_files", lambda f: f.add_raw_files(UNKNOWN, [("x.jpg", 1)])),
    ("add_embedding", lambda f: f.add_embedding(UNKNOWN)),
    ("add_scores", lambda f: f.add_scores(UNKNOWN, "uncertainty", [0.5])),
    ("set_datasource", lambda f: f.set_datasource(UNKNOWN)),
    ("set_verify", lambda f: f.set_verify(UNKNOWN, can_read=False)),
    ("tags", lambda f: f.tags(UNKNOWN)),
    ("tag_creator", lambda f: f.tag_creator(UNKNOWN, UNKNOWN)),
]


@pytest.mark.parametrize("call", [c for _, c in ADMIN], ids=[n for n, _ in ADMIN])
def test_admin_method_names_the_dataset_when_its_id_is_unknown(
    call: Callable[[FakeLightly], Any],
) -> None:
    fake = FakeLightly(api="seed")
    fake.create_dataset("known", ["a.jpg"])
    with pytest.raises(ValueError, match=f"unknown dataset '{UNKNOWN}'"):
        call(fake)


def test_tag_creator_names_the_tag_when_its_id_is_unknown() -> None:
    fake = FakeLightly(api="seed")
    ds = fake.create_dataset("known", ["a.jpg"])
    with pytest.raises(ValueError, match=f"no tag '{UNKNOWN}' in dataset '{ds}'"):
        fake.tag_creator(ds, UNKNOWN)


def test_faults_add_refuses_positional_arguments_when_called() -> None:
    fake = FakeLightly(api="seed")
    with pytest.raises(TypeError):
        fake.faults.add("GET", "/v1/*", 503)  # type: ignore[misc]
    rule = fake.faults.add(method="GET", path="/v1/*", status=503)
    assert (rule.method, rule.path, rule.status) == ("GET", "/v1/*", 503)


@pytest.mark.asyncio
async def test_snake_case_key_gets_one_clear_error_when_sent(client: httpx.AsyncClient,
                                                            fake: FakeLightly) -> None:
    ds = fake.create_dataset("d", ["a.jpg"])
    r = await client.post(f"/v1/datasets/{ds}/tags/initial", json={"img_type": "full"})
    assert r.status_code == 400
    message = r.json()["message"]
    assert message == ("body keys are camelCase; got snake_case 'img_type' "
                       "(the API's key is 'imgType')")
    assert fake.tags(ds) == []
