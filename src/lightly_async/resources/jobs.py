"""Server-side jobs (``GET /v1/jobs/{jobId}``), as the sampling flow polls them."""

from __future__ import annotations

import math
import re

import anyio

from lightly_async import _operations as op
from lightly_async._constants import JOB_WAIT_TIMEOUT, MAX_JOB_POLL_INTERVAL
from lightly_async.errors import APITimeoutError, InvalidInputError, JobFailedError
from lightly_async.models.common import JobState, JobStatusData
from lightly_async.resources._base import Resource

__all__ = ["JobFailedError", "Jobs"]

_JOB_ID = re.compile(r"[A-Za-z0-9_-]+")


#: The states in which a job is still going: ``wait`` polls on only these.
_PENDING = frozenset({JobState.WAITING, JobState.RUNNING, JobState.UNKNOWN})


class Jobs(Resource):
    """``session.jobs``: read and wait for server-side jobs."""

    __slots__ = ()

    async def get(self, job_id: str) -> JobStatusData:
        """The job's current status."""
        # Opaque, but one safe path segment: no "/", "?", "#", "..", whitespace.
        if not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
            raise InvalidInputError("job_id", f"must be a non-empty id, got {job_id!r}")
        return await self._call(op.GET_JOB_STATUS_BY_ID, cast=JobStatusData, jobId=job_id)

    async def wait(
        self,
        job_id: str,
        *,
        timeout: float | None = JOB_WAIT_TIMEOUT,
        min_poll_interval: float = 0.0,
        max_poll_interval: float = MAX_JOB_POLL_INTERVAL,
    ) -> JobStatusData:
        """Poll until the job finishes, honouring ``waitTimeTillNextPoll``.

        Returns on ``FINISHED``; polls on while ``WAITING``, ``RUNNING`` or ``UNKNOWN``.

        Raises:
            JobFailedError: the job ended in ``FAILED``, or reached a state this client does
                not know (such as ``CANCELED``): it will not finish.
            APITimeoutError: ``timeout`` seconds passed first (the job keeps running).
        """
        if timeout is not None and not timeout > 0:
            raise InvalidInputError("timeout", f"must be > 0 or None, got {timeout!r}")
        sleep = self._session.retry_policy.sleep
        try:
            with anyio.fail_after(math.inf if timeout is None else timeout):
                while True:
                    job = await self.get(job_id)
                    if job.status == JobState.FINISHED:
                        return job
                    if job.status not in _PENDING:  # FAILED, or a newer terminal state
                        raise JobFailedError(job)
                    wait = min(max(float(job.wait_time_till_next_poll), min_poll_interval),
                               max_poll_interval)
                    await sleep(wait)
        except TimeoutError:
            raise APITimeoutError(f"job {job_id} did not finish within {timeout}s",
                                  method="GET",
                                  url=op.GET_JOB_STATUS_BY_ID.path_for("latest", jobId=job_id),
                                  ) from None
