"""RayRateBudget: the shared pause and pace (the actor's state, then through Ray from two
processes)."""

from __future__ import annotations

import pickle
from typing import Any

import anyio
import pytest

ray = pytest.importorskip("ray", reason="the ray extra is not installed")

from lightly_async.ray._budget import _BudgetState  # noqa: E402


def test_a_429_pauses_every_later_request_for_its_retry_after() -> None:
    state = _BudgetState(rate=None, burst=1, default_pause=1.0)
    assert state.reserve() == 0.0
    state.on_rate_limited(30.0)
    assert 29.0 < state.reserve() <= 30.0  # the pause, less the microseconds since
    state.on_rate_limited(None)  # no Retry-After: the default pause, not shortening it
    assert 29.0 < state.reserve() <= 30.0
    assert state.stats() == {"acquired": 3, "delayed": 2, "rate_limited": 2, "rate": None}


def test_a_rate_spaces_the_requests_of_every_caller_after_the_burst() -> None:
    state = _BudgetState(rate=10.0, burst=2, default_pause=1.0)
    delays = [state.reserve() for _ in range(4)]
    assert delays[:2] == [0.0, 0.0]  # the burst
    assert 0.09 < delays[2] <= 0.1  # then one every 1/rate seconds
    assert 0.19 < delays[3] <= 0.2


def test_the_budget_is_shared_across_processes_and_pickles_as_a_handle(
    ray_cluster: Any,
) -> None:
    from lightly_async.ray import RayRateBudget

    budget = RayRateBudget(default_pause=60.0)
    anyio.run(budget.on_rate_limited, None)  # a 429 seen by the driver ...

    @ray.remote(num_cpus=0)
    def reserve(budget: Any) -> float:
        delay: float = ray.get(budget._actor.reserve.remote())
        return delay

    assert ray.get(reserve.remote(budget)) > 30.0  # ... pauses a task in another process
    stats = budget.stats()
    assert (stats["rate_limited"], stats["acquired"], stats["delayed"]) == (1, 1, 1)
    assert "token" not in repr(budget)
    with pytest.raises(ValueError, match="rate must be a positive"):
        RayRateBudget(rate=0)
    assert pickle.loads(pickle.dumps(budget)).stats()["acquired"] == 1
