"""The Lightly Worker commands: ``worker register|list|delete``, ``runs schedule|watch|
artifacts``, against a served fake whose simulated worker (``fake-worker``) takes the runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from lightly_async.cli import _fake, main
from lightly_async.testing import FakeLightly
from lightly_async.testing._docker import RUN_STATES


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeLightly, str]]:
    fake = FakeLightly()
    dataset_id = _fake.seed(fake, 10)
    with fake.serve_in_thread() as base_url:
        monkeypatch.setenv("LIGHTLY_TOKEN", fake.token)
        monkeypatch.setenv("LIGHTLY_SERVER_LOCATION", base_url)
        monkeypatch.setenv("LIGHTLY_DATASET_ID", dataset_id)
        yield fake, dataset_id


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _config(tmp_path: Path, text: str, name: str = "run.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


YAML = """\
worker:
  enable_training: false
selection:
  n_samples: 3
  strategies:
    - input: {type: EMBEDDINGS}
      strategy: {type: DIVERSITY}
"""


def test_worker_register_list_and_delete(
    served: tuple[FakeLightly, str], capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "worker", "register", "gpu-box", "--label", "gpu", "--label", "eu")
    assert code == 0
    worker_id = out.strip()
    assert run(capsys, "worker", "register", "gpu-box")[1].strip() == worker_id
    code, out, _ = run(capsys, "worker", "list")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert ["gpu-box", worker_id, "OFFLINE", "gpu,eu"] in rows
    assert any(r[0] == "fake-worker" and r[2] == "IDLE" for r in rows)
    assert run(capsys, "worker", "delete", worker_id)[0] == 0
    assert worker_id not in run(capsys, "worker", "list")[1]


def test_schedule_watch_and_artifacts_complete_a_run(
    served: tuple[FakeLightly, str], capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    fake, dataset_id = served
    code, out, err = run(capsys, "runs", "schedule", "--config", _config(tmp_path, YAML),
                         "--priority", "HIGH")
    assert (code, err) == (0, "")
    scheduled_id = out.strip()
    code, out, _ = run(capsys, "runs", "watch", scheduled_id, "--poll-interval", "0")
    assert code == 0
    lines = out.splitlines()
    assert [line.split(" ")[0].rstrip(":") for line in lines] == ["OPEN", *RUN_STATES]
    run_id = lines[-1].split(" ")[2].rstrip(":")
    code, out, _ = run(capsys, "runs", "artifacts", run_id, str(tmp_path / "out"))
    assert code == 0
    written = sorted(Path(p).name for p in out.splitlines())
    assert "report_v2.json" in written
    report = json.loads((tmp_path / "out" / "report_v2.json").read_text())
    assert report["selection"]["nSelected"] == 3
    assert fake.tags(dataset_id)[-1].bit_mask_data.count() == 3


def test_watch_exits_1_when_the_run_fails(
    served: tuple[FakeLightly, str], capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    fake, _ = served
    fake.add_worker("fake-worker", fail_at="SAMPLING", fail_as="CRASHED")
    config = _config(tmp_path, json.dumps({"selection": {"n_samples": 2, "strategies": [
        {"input": {"type": "RANDOM"}, "strategy": {"type": "WEIGHTS"}}]}}), "run.json")
    scheduled_id = run(capsys, "runs", "schedule", "--config", config)[1].strip()
    code, out, _ = run(capsys, "runs", "watch", scheduled_id, "--poll-interval", "0")
    assert code == 1
    assert out.splitlines()[-1].startswith("CRASHED run ")


@pytest.mark.parametrize(("text", "name", "message"), [
    ("selection:\n  n_samples: 3\n  strategies:\n    - input: {type: EMBEDDINGS}\n"
     "      strategy: {typ: DIVERSITY}\n", "bad.yaml",
     "selection.strategies[0].strategy.typ: unknown key; did you mean `type`?"),
    ("selecton: {}\n", "bad.yaml", "unknown section 'selecton' (did you mean 'selection'?)"),
    ("{not json", "bad.json", "is not valid JSON"),
])
def test_a_bad_config_is_usage_before_any_request(
    served: tuple[FakeLightly, str], capsys: pytest.CaptureFixture[str], tmp_path: Path,
    text: str, name: str, message: str,
) -> None:
    fake, _ = served
    before = len(fake.calls)
    code, _, err = run(capsys, "runs", "schedule", "--config", _config(tmp_path, text, name))
    assert code == 2
    assert message in err
    assert len(fake.calls) == before
