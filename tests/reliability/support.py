"""Data and settings shared by the reliability tests (fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from lightly_async import RetryPolicy
from lightly_async.models import (
    PredictionSingleton,
    PredictionSingletonClassification,
    PredictionSingletonObjectDetection,
    PredictionTaskSchema,
    PredictionTaskSchemaCategory,
    TaskType,
)
from lightly_async.testing import FakeLightly

#: A token shaped like a real one; every secrecy test searches for it verbatim.
TOKEN = "lightly-SECRET-7f3a9c1e5b2d4f60"

#: Retries fast enough for CI: real waits, but tens of milliseconds, not seconds.
FAST_RETRY = RetryPolicy(max_retries=8, initial_backoff=0.01, max_backoff=0.05,
                         max_retry_after=0.05)

TASK = "detector"
CLASSES = "classifier"


def task_schemas() -> list[PredictionTaskSchema]:
    """A detection and a classification task with three categories each."""
    categories = [PredictionTaskSchemaCategory(id=i, name=f"c{i}") for i in range(3)]
    return [
        PredictionTaskSchema(name=TASK, type=TaskType.OBJECT_DETECTION, categories=categories),
        PredictionTaskSchema(name=CLASSES, type=TaskType.CLASSIFICATION, categories=categories),
    ]


def singletons_for(n: int) -> list[PredictionSingleton]:
    """Distinct, deterministic singletons for the n-th item (so mix-ups are visible)."""
    out: list[PredictionSingleton] = [
        PredictionSingletonObjectDetection(
            task_name=TASK, category_id=(n + k) % 3, score=((n * 7 + k) % 100) / 100,
            bbox=[n % 640, k, 10 + n % 50, 20 + k])
        for k in range(n % 3)
    ]
    out.append(PredictionSingletonClassification(
        task_name=CLASSES, category_id=n % 3, score=(n % 97) / 97,
        probabilities=[0.5, 0.25, 0.25]))
    return out


def stored(fake: FakeLightly, dataset_id: str, version: int) -> dict[str, list[object]]:
    """What the fake holds for a prediction version: sample id -> its singletons."""
    with fake.store.lock:
        by_sample = fake.store.datasets[dataset_id].predictions.get(version, {})
        return {sample_id: list(singletons) for sample_id, (_, singletons) in by_sample.items()}


def file_names(n: int) -> Sequence[str]:
    return [f"img_{i:05d}.jpg" for i in range(n)]


def assert_pool_drained(session: object) -> None:
    """No request is queued in, or holding, a connection of the session's httpx pool.

    httpx 0.28 keeps its httpcore ``AsyncConnectionPool`` at ``client._transport._pool``;
    ``connections`` is public there, the queue of waiting requests (``_requests``) is not.
    """
    pool = session._client._transport._pool  # type: ignore[attr-defined]
    assert pool._requests == [], f"requests still queued in the pool: {pool!r}"
    assert busy_connections(session) == 0, f"connections still busy: {pool!r}"


def busy_connections(session: object) -> int:
    """How many pooled connections are carrying a request right now."""
    pool = session._client._transport._pool  # type: ignore[attr-defined]
    return sum(not (c.is_idle() or c.is_closed()) for c in pool.connections)


class CancelAfter:
    """A progress sink that cancels ``scope`` once ``n`` items have completed."""

    def __init__(self, n: int, cancel: Callable[[], object]) -> None:
        self.n = n
        self.done = 0
        self._cancel = cancel

    def start(self, total: int, description: str) -> None:
        pass

    def advance(self, n: int) -> None:
        self.done += n
        if self.done == self.n:
            self._cancel()

    def close(self) -> None:
        pass
