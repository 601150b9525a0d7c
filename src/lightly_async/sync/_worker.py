"""``dataset.runs``, synchronously: the generated twin, and ``watch`` as a plain iterator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lightly_async._constants import RUN_POLL_INTERVAL
from lightly_async.sync import _generated

if TYPE_CHECKING:
    from lightly_async.resources.runs import RunInfo

__all__ = ["Runs"]


class Runs(_generated.Runs):
    """``ds.runs``: schedule Lightly Worker runs on the dataset and follow them."""

    __slots__ = ()

    def watch(self, scheduled_id: str, *,
              poll_interval: float = RUN_POLL_INTERVAL) -> Iterator[RunInfo]:
        """A ``RunInfo`` each time the run's state or message changes (the first one at
        once); ends after an end state. More in the async :meth:`lightly_async.Runs.watch`."""
        return self._runner.iterate(self._aio.watch(scheduled_id, poll_interval=poll_interval))
