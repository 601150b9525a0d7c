"""The ``lightly-async`` command line, driven in-process through ``main(argv)`` against a fake
served on loopback (seeded as ``fake serve`` seeds it), and once as real processes: ``fake
serve`` in one, the commands in another. Effects are read back from the fake."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lightly_async import __main__ as module_main
from lightly_async.cli import _fake, main
from lightly_async.testing import DEFAULT_TOKEN, FakeLightly

N = 12
VERSION = _fake.PREDICTION_VERSION


class Served:
    def __init__(self, fake: FakeLightly, dataset_id: str, base_url: str) -> None:
        self.fake, self.dataset_id, self.base_url = fake, dataset_id, base_url

    def calls(self, method: str, fragment: str) -> int:
        return sum(1 for c in self.fake.calls if c.method == method and fragment in c.path)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    fake = FakeLightly()
    dataset_id = _fake.seed(fake, N)
    with fake.serve_in_thread() as base_url:
        monkeypatch.setenv("LIGHTLY_TOKEN", fake.token)
        monkeypatch.setenv("LIGHTLY_SERVER_LOCATION", base_url)
        monkeypatch.setenv("LIGHTLY_DATASET_ID", dataset_id)
        fake.calls.clear()
        yield Served(fake, dataset_id, base_url)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse: --help, --version, usage errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# -- the program itself ------------------------------------------------------------------------
def test_help_and_version_name_the_program_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert out.startswith("usage: lightly-async ")
    for command in ("tags", "download", "raw", "predictions", "fake", "demo"):
        assert command in out
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"lightly-async {__import__('lightly_async').__version__}"
    with pytest.raises(SystemExit):
        module_main.main(["--help"])
    assert capsys.readouterr().out.startswith("usage: python -m lightly_async ")


@pytest.mark.parametrize("argv", [
    ["tags", "export", "--dataset", "a" * 24, "--tag", "t", "--format", "csv"],
    ["raw", "list", "--dataset", "a" * 24, "--from", "yesterday"],
    ["download", "--dataset", "a" * 24, "--tag", "t"],
    ["nonsense"],
    ["tags"],
], ids=["bad-choice", "bad-int", "missing-dir", "unknown-command", "group-only"])
def test_bad_usage_exits_2_before_any_request(
        capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "usage:" in err


def test_new_with_from_is_refused_as_usage(served: Served, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    code, _, err = run(capsys, "raw", "list", "--new", "--from", "5")
    assert code == 2
    assert err.strip() == "lightly-async: error: --new lists from the bookmark to now: it " \
        "takes no --from/--to"
    assert served.fake.calls == []


def test_an_api_error_is_one_line_with_status_and_code_when_the_dataset_is_unknown(
        served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "tags", "list", "--dataset", "0" * 24)
    assert code == 1
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("lightly-async: error: NotFoundError: GET ")
    assert "-> 404 [" in line
    assert DEFAULT_TOKEN not in err
    assert "Traceback" not in err


def test_a_missing_token_says_which_variable_to_set(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("LIGHTLY_TOKEN", raising=False)
    code, _, err = run(capsys, "tags", "list", "--dataset", "a" * 24)
    assert code == 2
    assert "LIGHTLY_TOKEN" in err
    assert len(err.splitlines()) == 1


# -- tags ----------------------------------------------------------------------------------------
def test_tags_list_prints_name_id_count_and_json_in_the_api_format(
        served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    [tag] = served.fake.tags(served.dataset_id)
    code, out, _ = run(capsys, "tags", "list")
    assert code == 0
    assert out.splitlines() == [f"NAME         ID{' ' * 24}SAMPLES",
                                f"initial-tag  {tag.id}{N:>9}"]
    code, out, _ = run(capsys, "tags", "list", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["id"] == tag.id
    assert row["bitMaskData"] == tag.bit_mask_data.to_hex()


def test_tags_export_writes_labelstudio_tasks_to_a_file_and_labelbox_rows_to_stdout(
        served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "tasks.json"
    code, out, err = run(capsys, "tags", "export", "--tag", "initial-tag", "--format",
                         "labelstudio", "--expires-in", "120", "-o", str(target))
    assert code == 0
    assert out == ""
    assert f"{N} labelstudio rows written" in err
    tasks = json.loads(target.read_text())
    assert len(tasks) == N
    assert {"id", "data"} <= set(tasks[0])
    export_call = served.fake.calls[-1]
    assert export_call.path.endswith("/export/LabelStudio/tasks")  # the newest API's
    assert export_call.query == {"expiresIn": "120", "pageSize": "2500", "pageOffset": "0"}
    code, out, err = run(capsys, "tags", "export", "--tag", "initial-tag", "--format", "labelbox")
    rows = json.loads(out)
    assert sorted(r["externalId"] for r in rows) == [f"img_{i:05d}.jpg" for i in range(N)]
    assert err == ("lightly-async: note: the LabelBox v3 export is deprecated by the Lightly "
                   "API; --format labelbox-v4 is its successor\n")
    code, out, err = run(capsys, "tags", "export", "--tag", "initial-tag", "--format",
                         "labelbox-v4")
    assert (code, err) == (0, "")
    assert [r["global_key"] for r in json.loads(out)] == [f"img_{i:05d}.jpg" for i in range(N)]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_api_commands_speak_the_seed_dialect_when_asked(
        how: str, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeLightly(api="seed")
    dataset_id = _fake.seed(fake, 4)
    chosen = ["--api", "seed"] if how == "option" else []
    if how == "environment":
        monkeypatch.setenv("LIGHTLY_API", "seed")
    with fake.serve_in_thread() as base_url:
        monkeypatch.setenv("LIGHTLY_TOKEN", fake.token)
        monkeypatch.setenv("LIGHTLY_SERVER_LOCATION", base_url)
        monkeypatch.setenv("LIGHTLY_DATASET_ID", dataset_id)
        fake.calls.clear()
        code, out, err = run(capsys, "download", *chosen, "--tag", "initial-tag",
                             str(tmp_path), "--no-progress")
        assert (code, err) == (0, "")
        code, out, err = run(capsys, "tags", "export", *chosen, "--tag", "initial-tag",
                             "--format", "labelbox")
        assert (code, err) == (0, "")  # no deprecation note: the seed era's export
        assert len(json.loads(out)) == 4

    assert len(list(tmp_path.iterdir())) == 4
    read_urls = [c.path for c in fake.calls if c.path.endswith("/readurl")]
    assert len(read_urls) == 4
    assert all(p.startswith("/users/datasets/") for p in read_urls)
    assert fake.calls[-1].path.endswith("/export/LabelBoxDataRows")


def test_api_commands_refuse_an_unknown_dialect_as_usage(
        served: Served, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(capsys, "tags", "list", "--api", "v2")
    assert code == 2
    assert "invalid choice: 'v2'" in err
    monkeypatch.setenv("LIGHTLY_API", "v2")
    code, _, err = run(capsys, "tags", "list")
    assert code == 2
    assert "LIGHTLY_API" in err
    assert served.fake.calls == []


def test_tags_export_names_the_missing_tag(served: Served, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    code, _, err = run(capsys, "tags", "export", "--tag", "nope", "--format", "labelbox")
    assert code == 1
    assert err.strip() == "lightly-async: error: NameNotFoundError: no tag named 'nope'"


# -- download ------------------------------------------------------------------------------------
def test_download_writes_every_file_of_the_tag_and_resumes_with_skip(
        served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = run(capsys, "download", "--tag", "initial-tag", str(out_dir), "--no-progress")
    assert code == 0
    assert f"{N} downloaded, 0 skipped" in out
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == [f"img_{i:05d}.jpg" for i in range(N)]
    assert (out_dir / "img_00004.jpg").read_bytes() == _fake._image_bytes("img_00004.jpg")

    (out_dir / "img_00001.jpg").write_bytes(b"mine")
    code, out, err = run(capsys, "download", "--tag", "initial-tag", str(out_dir))
    assert code == 1  # --if-exists error (the default): each file there fails, none replaced
    assert f"0 downloaded, 0 skipped (already there), {N} failed" in out
    assert re.match(r"img_000\d\d\.jpg: FileExistsError: ", err)
    assert sum("FileExistsError" in line for line in err.splitlines()) == 10  # then "... more"
    assert f"... and {N - 10} more failures" in err
    assert "pass --if-exists skip (resume)" in err
    assert (out_dir / "img_00001.jpg").read_bytes() == b"mine"

    (out_dir / "img_00004.jpg").unlink()
    (out_dir / "img_00007.jpg").write_bytes(b"stale")
    served.fake.calls.clear()
    code, out, _ = run(capsys, "download", "--tag", "initial-tag", str(out_dir),
                       "--if-exists", "skip")
    assert code == 0
    assert f"1 downloaded, {N - 1} skipped" in out
    assert served.calls("GET", "/_fake/blobs/") == 1
    assert (out_dir / "img_00007.jpg").read_bytes() == b"stale"  # skip keeps what is there

    code, out, _ = run(capsys, "download", "--tag", "initial-tag", str(out_dir),
                       "--if-exists", "overwrite")
    assert code == 0
    assert f"{N} downloaded, 0 skipped" in out
    assert (out_dir / "img_00007.jpg").read_bytes() == _fake._image_bytes("img_00007.jpg")
    assert not list(out_dir.glob("*.part"))


def test_download_reports_each_failed_file_and_exits_1(
        served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    served.fake.faults.add(method="GET", path="/_fake/blobs/*/img_00002.jpg", status=403)
    code, out, err = run(capsys, "download", "--tag", "initial-tag", str(tmp_path))
    assert code == 1
    assert f"{N - 1} downloaded, 0 skipped (already there), 1 failed" in out
    assert err.startswith("img_00002.jpg: PermissionDeniedError")
    assert not (tmp_path / "img_00002.jpg").exists()


# -- raw files -----------------------------------------------------------------------------------
def test_raw_list_prints_names_and_json_lines_within_from_and_to(
        served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "raw", "list")
    assert code == 0
    assert out.splitlines() == [f"raw/img_{i:05d}.jpg" for i in range(N)]
    rows = [json.loads(line) for line in run(capsys, "raw", "list", "--json")[1].splitlines()]
    assert [r["fileName"] for r in rows] == [f"raw/img_{i:05d}.jpg" for i in range(N)]
    assert all(r["readUrl"].startswith(served.base_url) for r in rows)
    served.fake.add_raw_files(served.dataset_id, [("old/a.jpg", 1000), ("old/b.jpg", 2000),
                                                  ("old/c.jpg", 3000), ("old/d.jpg", 4000)])
    code, out, _ = run(capsys, "raw", "list", "--from", "1500", "--to", "3000")
    assert code == 0
    assert out.splitlines() == ["old/b.jpg", "old/c.jpg"]


def test_raw_list_new_moves_the_bookmark_only_after_a_complete_run(
        served: Served, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self) -> int:
            return os.open(os.devnull, os.O_WRONLY)

    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", ClosedPipe())
        assert main(["raw", "list", "--new"]) == 1  # `| head` went away: nothing committed
    assert run(capsys, "raw", "list", "--new")[1].count("\n") == N
    assert run(capsys, "raw", "list", "--new")[1] == ""  # the bookmark moved past them


# -- predictions ---------------------------------------------------------------------------------
def _jsonl(path: Path, served: Served, *, task: dict[int, str] | None = None) -> list[str]:
    lines = []
    for i, sid in enumerate(served.fake.sample_ids(served.dataset_id)):
        name = (task or {}).get(i, "classification")
        lines.append(json.dumps({"sampleId": sid, "predictions": [
            {"type": "CLASSIFICATION", "taskName": name, "categoryId": i % 3, "score": 0.75}]}))
    path.write_text("\n".join(lines) + "\n")
    return lines


def test_predictions_upload_stores_every_line_and_prints_the_result(
        served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _jsonl(tmp_path / "p.jsonl", served)
    code, out, _ = run(capsys, "predictions", "upload", "--version", str(VERSION),
                       str(tmp_path / "p.jsonl"), "--no-progress")
    assert code == 0
    assert out.strip() == f"BulkResult(ok=True, succeeded={N}, failed=0, not_attempted=0)"
    assert not (tmp_path / "p.failed.jsonl").exists()
    assert served.calls("POST", "/predictions/samples/") == N


def test_predictions_upload_writes_the_failed_lines_for_a_rerun_and_exits_1(
        served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = _jsonl(tmp_path / "p.jsonl", served, task={3: "unknown-task", 8: "unknown-task"})
    code, out, err = run(capsys, "predictions", "upload", "--version", str(VERSION),
                         str(tmp_path / "p.jsonl"))
    assert code == 1
    assert "succeeded=10, failed=2" in out
    assert "PREDICTION_TASK_SCHEMA_UNKNOWN" in err
    failed = (tmp_path / "p.failed.jsonl").read_text().splitlines()
    assert sorted(failed) == sorted([lines[3], lines[8]])


@pytest.mark.parametrize(("content", "message"), [
    ('{"sampleId": "x"}\n', "want {\"sampleId\""),
    ("not json\n", "not JSON"),
    ('{"sampleId": "%s", "predictions": [{"type": "CLASSIFICATION", "taskName": "task", '
     '"categoryId": "zero", "score": 0.5}]}\n', "not in the API's format"),
    ('{"sampleId": "%s", "predictions": []}\n{"sampleId": "%s", "predictions": []}\n',
     "also on line 1"),
    ('{"sampleId": "not-an-id", "predictions": []}\n', "not-an-id"),
], ids=["shape", "json", "type", "duplicate", "bad-id"])
def test_predictions_upload_refuses_a_bad_file_before_any_request(
        served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        content: str, message: str) -> None:
    sid = served.fake.sample_ids(served.dataset_id)[0]
    (tmp_path / "bad.jsonl").write_text(content.replace("%s", sid))
    code, _, err = run(capsys, "predictions", "upload", "--version", "1",
                       str(tmp_path / "bad.jsonl"))
    assert code == 2
    assert message in err
    assert served.calls("POST", "/predictions/") == 0


# -- real processes ------------------------------------------------------------------------------
def _cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTLY_")}
    return env | extra


def _lightly_async() -> list[str]:
    script = Path(sys.executable).with_name("lightly-async")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lightly_async"]


@pytest.mark.parametrize("server_argv", [["fake", "serve"], ["demo", "--serve"],
                                         ["fake", "serve", "--api", "seed"]])
def test_commands_run_in_their_own_process_against_a_served_fake(
        server_argv: list[str], tmp_path: Path) -> None:
    server = subprocess.Popen(
        [*_lightly_async(), *server_argv, "--port", "0", "--samples", "6"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_cli_env())
    try:
        assert server.stdout is not None
        exports: dict[str, str] = {}
        while len(exports) < (4 if "seed" in server_argv else 3):  # + LIGHTLY_API=seed
            line = server.stdout.readline()
            assert line, server.stderr.read() if server.stderr else "server ended"
            if line.startswith("export "):
                key, _, value = line.removeprefix("export ").strip().partition("=")
                exports[key] = value
        assert exports["LIGHTLY_SERVER_LOCATION"].startswith("http://127.0.0.1:")
        assert exports.get("LIGHTLY_API", "latest") == ("seed" if "seed" in server_argv
                                                        else "latest")
        done = subprocess.run([*_lightly_async(), "tags", "list"], capture_output=True,
                              text=True, env=_cli_env(**exports), timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[1].startswith("initial-tag  ")
        assert done.stdout.rstrip().endswith(" 6")
        done = subprocess.run(
            [*_lightly_async(), "download", "--tag", "initial-tag", str(tmp_path / "d")],
            capture_output=True, text=True, env=_cli_env(**exports), timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert len(list((tmp_path / "d").iterdir())) == 6
        script = ("import os\n"
                  "from lightly_async.sync import LightlySession\n"
                  "with LightlySession() as session:\n"
                  "    ds = session.dataset(os.environ['LIGHTLY_DATASET_ID'])\n"
                  "    print(len(list(ds.datasource.list_raw_samples())))\n")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              env=_cli_env(**exports), timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "6"  # a plain sync script against the same server
    finally:
        server.send_signal(signal.SIGINT)
        try:
            code: Any = server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            code = server.wait(timeout=30)
    assert code in (0, 130)


# -- issue 23.4: terminals, per-item failures, atomic files, Ctrl-C, small words -----------------
EVIL = "evil\x1b]0;pwned\x07\x1b[2J\u202e.jpg"


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout and stderr count as terminals (capsys' are not)."""
    from lightly_async.cli import _commands

    monkeypatch.setattr(_commands, "_is_terminal", lambda stream: True)


def test_server_text_is_escaped_on_a_terminal_and_raw_in_json(
        served: Served, capsys: pytest.CaptureFixture[str], terminal: None) -> None:
    served.fake.add_raw_files(served.dataset_id, [(EVIL, 1000)])
    code, out, _ = run(capsys, "raw", "list", "--to", "2000")
    assert code == 0
    assert out == "evil\\x1b]0;pwned\\x07\\x1b[2J\\u202e.jpg\n"
    code, out, _ = run(capsys, "raw", "list", "--to", "2000", "--json")
    assert json.loads(out)["fileName"] == EVIL
    assert "\x1b" not in out


def test_server_text_is_left_alone_in_a_pipe(
        served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    served.fake.add_raw_files(served.dataset_id, [(EVIL, 1000)])
    assert run(capsys, "raw", "list", "--to", "2000")[1] == EVIL + "\n"


def test_an_error_message_from_the_server_is_escaped_on_a_terminal(
        served: Served, capsys: pytest.CaptureFixture[str], terminal: None) -> None:
    served.fake.faults.add(method="GET", path="/v1/datasets/*/tags", status=400, code=EVIL)
    code, _, err = run(capsys, "tags", "list")
    assert code == 1
    assert "\x1b" not in err
    assert "\\x1b]0;pwned\\x07" in err


@pytest.fixture
def odd_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Served]:
    """A tag whose files include names that cannot be written where they belong."""
    import anyio

    fake = FakeLightly()
    names = ["ok.jpg", "../escape.jpg", "/etc/passwd", "sub/a.jpg", "blocked/b.jpg"]
    dataset_id = fake.create_dataset("odd", file_names=names)

    async def initial_tag() -> None:
        async with fake.session() as session:
            await session.dataset(dataset_id).tags.create_initial()

    anyio.run(initial_tag)
    with fake.serve_in_thread() as base_url:
        monkeypatch.setenv("LIGHTLY_TOKEN", fake.token)
        monkeypatch.setenv("LIGHTLY_SERVER_LOCATION", base_url)
        monkeypatch.setenv("LIGHTLY_DATASET_ID", dataset_id)
        yield Served(fake, dataset_id, base_url)


def test_download_fails_bad_names_and_directories_per_file_with_a_summary(
        odd_names: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "blocked").write_bytes(b"a file where a directory should be")
    code, out, err = run(capsys, "download", "--tag", "initial-tag", str(out_dir),
                         "--no-progress")
    assert code == 1  # failures, not bad usage
    assert "downloaded, 0 skipped (already there), 5 failed into" in out  # no blobs: 404s
    lines = err.splitlines()
    assert any(line.startswith("../escape.jpg: UnsafeNameError: refusing") for line in lines)
    assert any(line.startswith("/etc/passwd: UnsafeNameError: refusing") for line in lines)
    assert any(line.startswith("blocked/b.jpg: FileExistsError") or
               line.startswith("blocked/b.jpg: NotADirectoryError") for line in lines), err
    assert not (tmp_path / "escape.jpg").exists()


def test_output_files_are_written_whole_or_not_at_all(
        served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from lightly_async.cli import _commands

    target = tmp_path / "tasks.json"
    target.write_text("the previous export\n")

    def half_then_full(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(_commands, "_write_all", half_then_full)
        code, _, err = run(capsys, "tags", "export", "--tag", "initial-tag", "--format",
                           "labelbox", "-o", str(target))
    assert code == 1
    assert "No space left on device" in err
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tasks.json"]  # no temporary left
    code, _, _ = run(capsys, "tags", "export", "--tag", "initial-tag", "--format",
                     "labelbox", "-o", str(target))
    assert code == 0
    assert len(json.loads(target.read_text())) == N


def test_raw_list_new_says_when_nothing_is_new(
        served: Served, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "raw", "list", "--new")[1].count("\n") == N
    code, out, err = run(capsys, "raw", "list", "--new")
    assert code == 0
    assert out == ""
    assert err.strip() == "no new files since the last --new run"


def test_concurrency_help_and_error_speak_of_the_command_line(
        served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "download", "--help")
    assert code == 0
    assert "1 to 64" in " ".join(out.split())
    code, _, err = run(capsys, "download", "--tag", "initial-tag", str(tmp_path),
                       "--concurrency", "65")
    assert code == 2
    assert "--concurrency: must be between 1 and 64" in err
    assert "LightlySession" not in err
    assert served.fake.calls == []


@pytest.mark.parametrize(("line", "message"), [
    ('{"sample_id": "%s", "predictions": []}',
     'key "sample_id" is spelt "sampleId" in the API\'s format'),
    ('{"sampleId": "%s", "predictions": [{"type": "CLASSIFICATION", "task_name": "t", '
     '"categoryId": 0, "score": 0.5}]}',
     'predictions[0]: key "task_name" is spelt "taskName" in the API\'s format'),
], ids=["top-level", "in-a-singleton"])
def test_a_snake_case_key_gets_one_precise_message(
        served: Served, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        line: str, message: str) -> None:
    sid = served.fake.sample_ids(served.dataset_id)[0]
    (tmp_path / "p.jsonl").write_text(line.replace("%s", sid) + "\n")
    code, _, err = run(capsys, "predictions", "upload", "--version", "1",
                       str(tmp_path / "p.jsonl"))
    assert code == 2
    [shown_line] = err.splitlines()
    assert shown_line.endswith(f"p.jsonl:1: {message}")


def test_predictions_upload_on_ctrl_c_prints_its_summary_and_keeps_what_is_not_done(
        tmp_path: Path) -> None:
    fake = FakeLightly()
    dataset_id = _fake.seed(fake, 40)
    # half the uploads take 30 s: Ctrl-C lands with some stored, some in flight, most queued
    fake.faults.add(method="POST", path="/v1/datasets/*/predictions/samples/*", latency=30.0,
                    rate=0.5)
    with fake.serve_in_thread() as base_url:
        lines = []
        for i, sid in enumerate(fake.sample_ids(dataset_id)):
            lines.append(json.dumps({"sampleId": sid, "predictions": [
                {"type": "CLASSIFICATION", "taskName": "classification", "categoryId": i % 3,
                 "score": 0.5}]}))
        source = tmp_path / "p.jsonl"
        source.write_text("\n".join(lines) + "\n")
        env = _cli_env(LIGHTLY_TOKEN=fake.token, LIGHTLY_SERVER_LOCATION=base_url,
                       LIGHTLY_DATASET_ID=dataset_id)
        proc = subprocess.Popen(
            [*_lightly_async(), "predictions", "upload", "--version", str(VERSION),
             str(source), "--no-progress", "--concurrency", "4"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            for _ in range(600):  # bounded: up to 60 s for the first to be stored
                if proc.poll() is not None or any(
                        stored_prediction(fake, dataset_id, sid)
                        for sid in fake.sample_ids(dataset_id)):
                    break
                time.sleep(0.1)
            time.sleep(0.5)  # the four slots fill with 30 s uploads
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
        stored_ids = {sid for sid in fake.sample_ids(dataset_id)
                      if stored_prediction(fake, dataset_id, sid)}
    assert proc.returncode == 130, err
    assert "interrupted: " in err
    failed = (tmp_path / "p.failed.jsonl").read_text().splitlines()
    not_stored = [line for line in lines if json.loads(line)["sampleId"] not in stored_ids]
    assert set(not_stored) <= set(failed)  # nothing lost: every line not stored is kept
    assert len(failed) < len(lines)
    assert f"{len(lines) - len(failed)} stored, {len(failed)} not done" in err


def stored_prediction(fake: FakeLightly, dataset_id: str, sample_id: str) -> bool:
    with fake.store.lock:
        by_sample = fake.store.datasets[dataset_id].predictions.get(VERSION, {})
        return sample_id in by_sample
