"""Progress reporting for bulk work: a tiny protocol, with tqdm bars when available.

``progress=None`` (the default) shows a ``tqdm.auto`` bar when tqdm is installed and stderr is
a terminal or the code runs in a Jupyter kernel (notebooks get widgets through ``tqdm.auto``;
the ``progress`` extra brings ipywidgets for them). A finished bar stays, with its final count;
``True`` forces a bar when tqdm is installed; ``False`` shows nothing; any object with
``start``/``advance``/``close`` methods (a :class:`ProgressCallback`) receives the events.
Anything else (a plain function, ``"yes"``, ``1``, a class rather than an instance) is an
:class:`~lightly_async.errors.InvalidInputError`, raised before anything is sent.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, runtime_checkable

__all__ = ["LineProgress", "ProgressArg", "ProgressCallback", "check_progress", "open_progress"]


@runtime_checkable
class ProgressCallback(Protocol):
    """Receives progress events of one bulk operation."""

    def start(self, total: int, description: str) -> None:
        """The operation begins with ``total`` items (0: not known, a streamed run)."""

    def advance(self, n: int) -> None:
        """``n`` more items are done (succeeded or failed)."""

    def close(self) -> None:
        """The operation ended."""


ProgressArg = bool | ProgressCallback | None


class LineProgress:
    """A dependency-free progress display: ``description: 40% (400/1000)`` on one line of
    ``stream`` (default stderr), redrawn every tenth; for terminals without tqdm."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream
        self.total = self.done = 0
        self.description = ""
        self._shown = -1

    def start(self, total: int, description: str) -> None:
        self.total, self.done, self.description, self._shown = total, 0, description, -1
        self._draw()

    def advance(self, n: int) -> None:
        self.done += n
        self._draw()

    def close(self) -> None:
        self._shown = -1
        self._draw(end="\n")

    def _draw(self, end: str = "") -> None:
        if not self.total:  # a stream of unknown length: the count, every 1000 items
            if end or self.done % 1000 == 0:
                stream = self._stream if self._stream is not None else sys.stderr
                print(f"\r{self.description}: {self.done}", end=end, file=stream, flush=True)
            return
        tenth = 10 * self.done // max(self.total, 1)
        if tenth == self._shown:
            return
        self._shown = tenth
        stream = self._stream if self._stream is not None else sys.stderr
        pct = 100 * self.done // max(self.total, 1)
        print(f"\r{self.description}: {pct}% ({self.done}/{self.total})", end=end,
              file=stream, flush=True)


class _Silent:
    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


class _Tqdm:
    def __init__(self) -> None:
        self._bar: Any = None

    def start(self, total: int, description: str) -> None:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]

        self._bar = tqdm(total=total or None, desc=description, unit="item", leave=True)

    def advance(self, n: int) -> None:
        self._bar.update(n)

    def close(self) -> None:
        self._bar.close()


@contextmanager
def open_progress(arg: ProgressArg, *, total: int, description: str) -> Iterator[ProgressCallback]:
    """The progress sink for ``arg``, started and closed around the operation."""
    sink = _resolve(arg)
    sink.start(total, description)
    try:
        yield sink
    finally:
        sink.close()


def check_progress(arg: object) -> ProgressArg:
    """``arg`` if it is a :data:`ProgressArg`, else an ``InvalidInputError`` saying what is."""
    if arg is None or arg is True or arg is False:
        return arg
    if (not isinstance(arg, type) and isinstance(arg, ProgressCallback)
            and all(callable(getattr(arg, name)) for name in ("start", "advance", "close"))):
        return arg
    from lightly_async.errors import InvalidInputError

    raise InvalidInputError(
        "progress", "must be None (a bar on a terminal), True, False or an object with "
        f"start(total, description), advance(n) and close() methods, got {arg!r}")


def _resolve(arg: ProgressArg) -> ProgressCallback:
    arg = check_progress(arg)
    if arg is not None and not isinstance(arg, bool):
        return arg
    if arg is False:
        return _Silent()
    if arg is None and not (_stderr_is_tty() or _in_notebook()):
        return _Silent()
    if importlib.util.find_spec("tqdm") is None:
        return _Silent()
    return _Tqdm()


def _in_notebook() -> bool:
    """True inside a Jupyter kernel (whose stderr is never a TTY); imports nothing."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return shell is not None and hasattr(shell, "kernel")


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
