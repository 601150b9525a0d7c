"""Progress sinks: off when nobody watches, tqdm bars on a terminal or in a notebook, or any
object with start/advance/close."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from lightly_async import progress
from lightly_async.progress import open_progress


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []

    def start(self, total: int, description: str) -> None:
        self.events.append(("start", total, description))

    def advance(self, n: int) -> None:
        self.events.append(("advance", n))

    def close(self) -> None:
        self.events.append(("close",))


@pytest.fixture
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "_stderr_is_tty", lambda: False)
    monkeypatch.delitem(sys.modules, "IPython", raising=False)


def test_callback_receives_start_advance_close_when_passed(no_terminal: None) -> None:
    rec = Recorder()
    with open_progress(rec, total=3, description="uploads") as sink:
        sink.advance(2)
        sink.advance(1)
    assert rec.events == [("start", 3, "uploads"), ("advance", 2), ("advance", 1), ("close",)]


def test_callback_is_closed_when_the_operation_raises(no_terminal: None) -> None:
    rec = Recorder()
    with pytest.raises(KeyError), open_progress(rec, total=1, description="x"):
        raise KeyError("boom")
    assert rec.events[-1] == ("close",)


def test_default_shows_nothing_when_stderr_is_not_a_terminal(
        no_terminal: None, capsys: pytest.CaptureFixture[str]) -> None:
    with open_progress(None, total=5, description="uploads") as sink:
        sink.advance(5)
    assert capsys.readouterr().err == ""


def test_true_draws_a_tqdm_bar_when_stderr_is_not_a_terminal(
        no_terminal: None, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("tqdm", reason="tqdm is the optional [progress] extra")
    with open_progress(True, total=4, description="uploads") as sink:
        sink.advance(4)
    err = capsys.readouterr().err
    assert "uploads" in err
    assert "0/4" in err  # drawn at start
    assert err.rstrip().splitlines()[-1].count("4/4") == 1  # and left standing, finished


def test_default_draws_a_bar_when_stderr_is_a_terminal(
        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tqdm", reason="tqdm is the optional [progress] extra")
    monkeypatch.setattr(progress, "_stderr_is_tty", lambda: True)
    assert isinstance(progress._resolve(None), progress._Tqdm)


def test_default_draws_a_bar_when_running_in_a_jupyter_kernel(
        no_terminal: None, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tqdm", reason="tqdm is the optional [progress] extra")
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert isinstance(progress._resolve(None), progress._Tqdm)


def test_default_shows_nothing_when_ipython_runs_without_a_kernel(
        no_terminal: None, monkeypatch: pytest.MonkeyPatch) -> None:
    terminal_ipython = types.SimpleNamespace()  # a terminal shell has no .kernel
    monkeypatch.setitem(sys.modules, "IPython",
                        types.SimpleNamespace(get_ipython=lambda: terminal_ipython))
    assert isinstance(progress._resolve(None), progress._Silent)


def test_bars_are_off_when_tqdm_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "_stderr_is_tty", lambda: True)
    monkeypatch.setattr(progress.importlib.util, "find_spec",
                        lambda name: None if name == "tqdm" else object())
    assert isinstance(progress._resolve(True), progress._Silent)
    assert isinstance(progress._resolve(None), progress._Silent)


def test_false_shows_nothing_even_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "_stderr_is_tty", lambda: True)
    assert isinstance(progress._resolve(False), progress._Silent)


def test_line_progress_redraws_each_tenth_and_ends_with_the_final_count() -> None:
    import io

    stream = io.StringIO()
    bar = progress.LineProgress(stream)
    bar.start(20, "downloads")
    for _ in range(20):
        bar.advance(1)
    bar.close()
    frames = stream.getvalue().split("\r")[1:]
    assert frames[0] == "downloads: 0% (0/20)"
    assert frames[-1] == "downloads: 100% (20/20)\n"
    assert len(frames) == 12  # start, ten tenths, and the final line kept by close()
