"""Bulk work on Ray Data (the ``ray`` extra): a datasource listing raw files in shards,
callable classes for ``Dataset.map_batches`` that upsert predictions and download images,
a predictions datasink and a rate budget shared by every worker of a job.

Each worker opens its own session from a :class:`~lightly_async.SessionConfig` (picklable,
without the token: every process reads it from ``config.token_env`` or
``config.token_provider``). Every row's outcome comes back as columns (``ok``,
``error_type``, ``message``, ``status``, ``request_id``), so a failed row is data, not an
exception that stops the job. See docs/ray.md for the whole pipeline.

``import lightly_async`` never imports this package; importing it imports Ray.
"""

from __future__ import annotations

try:
    import ray.data  # noqa: F401  (only to fail here, with the hint, without the extra)
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    from lightly_async._install import install_hint

    raise ImportError(f"lightly_async.ray needs the ray extra: {install_hint('ray')}") from exc

from lightly_async.ray._budget import RayRateBudget
from lightly_async.ray._datasink import PredictionsDatasink
from lightly_async.ray._datasource import RawSamplesDatasource, read_raw_samples
from lightly_async.ray._transforms import OUTCOME_COLUMNS, DownloadImages, UpsertPredictions

__all__ = [
    "OUTCOME_COLUMNS",
    "DownloadImages",
    "PredictionsDatasink",
    "RawSamplesDatasource",
    "RayRateBudget",
    "UpsertPredictions",
    "read_raw_samples",
]
