"""Models of the Samplings API."""

from __future__ import annotations

from enum import Enum

import attrs

__all__ = [
    "SamplingConfig",
    "SamplingConfigStoppingCondition",
    "SamplingCreateRequest",
    "SamplingMethod",
]


class SamplingMethod(str, Enum):
    """How a sampling picks samples."""

    ACTIVE_LEARNING = "ACTIVE_LEARNING"
    CORAL = "CORAL"
    CORESET = "CORESET"
    RANDOM = "RANDOM"


@attrs.frozen(kw_only=True)
class SamplingConfigStoppingCondition:
    """When to stop: ``n_samples`` (0-1 a fraction, >= 1 a count) and/or ``min_distance``."""

    n_samples: float | None = None
    min_distance: float | None = None


@attrs.frozen(kw_only=True)
class SamplingConfig:
    """A sampling's configuration."""

    stopping_condition: SamplingConfigStoppingCondition | None = None


@attrs.frozen(kw_only=True)
class SamplingCreateRequest:
    """Request body of ``samplings.trigger``."""

    new_tag_name: str
    method: SamplingMethod | str
    config: SamplingConfig
    preselected_tag_id: str | None = None
    query_tag_id: str | None = None
    score_type: str | None = None
    row_count: float | None = None
