"""Every default of the client, in one place: the modules that use one import it from here.

Plain numbers and strings only (no import of httpx2 or attrs), so that this module costs
nothing to import. Each default is documented where a caller meets it (the session's and the
resource methods' docstrings); the reasoning behind its value is kept here.
"""

from __future__ import annotations

from functools import cache
from typing import Final

# -- where and how the API is called ---------------------------------------------------------
DEFAULT_BASE_URL: Final = "https://api.lightly.ai"
#: ``api=``: the newest public API (lightly 1.5.20's paths).
DEFAULT_API: Final = "latest"
#: The ``User-Agent`` product name (its version is the installed package's).
USER_AGENT_PRODUCT: Final = "lightly-async"

# -- time --------------------------------------------------------------------------------------
#: Seconds per phase (read, write, pool) of one request.
DEFAULT_PHASE_TIMEOUT: Final = 30.0
#: Seconds to make a connection.
DEFAULT_CONNECT_TIMEOUT: Final = 5.0
#: Seconds bounding one API call with its retries. The largest legitimate answer
#: (``DEFAULT_MAX_RESPONSE_SIZE``) still arrives in time at ~2 MB/s, and a retried call
#: (3 attempts of up to 30 s per phase, waits of at most 8 s) fits well inside.
DEFAULT_DEADLINE: Final = 300.0
#: Seconds ``aclose()`` waits for the calls in flight it cancelled to unwind.
CLOSE_GRACE: Final = 5.0
#: Seconds the sync facade waits for its loop thread to unwind a call it cancels.
SYNC_UNWIND_SECONDS: Final = 5.0

# -- retries (RetryPolicy's defaults) -------------------------------------------------------------
DEFAULT_MAX_RETRIES: Final = 2
#: The first wait before jitter, in seconds; it doubles per retry up to ``MAX_BACKOFF``.
INITIAL_BACKOFF: Final = 0.5
MAX_BACKOFF: Final = 8.0
#: The cap on a server's ``Retry-After``, in seconds.
MAX_RETRY_AFTER: Final = 60.0
#: Statuses retried besides every 5xx.
RETRYABLE_STATUSES: Final = frozenset({408, 429})
#: Methods retried after they may have been sent (a POST only when marked replay-safe).
REPLAY_SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})

# -- sizes and concurrency -------------------------------------------------------------------------
#: Bytes one API answer may hold (512 MiB). The largest legitimate answer is
#: ``predictions.list`` of a big dataset: ~110-150 bytes per object-detection singleton, so a
#: million samples with ~3-4 predictions each is ~450-500 MB.
DEFAULT_MAX_RESPONSE_SIZE: Final = 512 * 1024 * 1024
#: Connections of the session's own pool; also the default ceiling of bulk requests in flight.
MAX_CONNECTIONS: Final = 64
MAX_KEEPALIVE_CONNECTIONS: Final = 32
#: The CLI's ceiling of ``--concurrency`` (the pool's size).
CLI_MAX_CONCURRENCY: Final = MAX_CONNECTIONS
#: Consecutive connection failures after which a bulk run starts no more items.
DEFAULT_BULK_GIVE_UP_AFTER: Final = 10
#: An API error message longer than this is cut (a server may echo a whole request back).
ERROR_MESSAGE_LIMIT: Final = 500

# -- signed-URL transfers (TransferTimeout's defaults and the rest) -------------------------------
#: Redirect hops a transfer follows.
MAX_REDIRECTS: Final = 5
#: Bytes an upload reads from its source per piece (memory per transfer).
CHUNK_SIZE: Final = 256 * 1024
#: Bytes of a storage host's error answer read for its code and message.
ERROR_BODY_LIMIT: Final = 64 * 1024
#: Bytes per second an attempt must average after its grace (0.8 Mbit/s).
TRANSFER_MIN_RATE: Final = 100_000.0
#: Seconds for connecting, TLS and the server's first byte.
TRANSFER_GRACE: Final = 30.0
#: Seconds no transfer attempt may exceed, whatever it moved.
TRANSFER_MAX_DURATION: Final = 3600.0

# -- page sizes ------------------------------------------------------------------------------------
#: Rows per page of a tag export.
EXPORT_PAGE_SIZE: Final = 2500
#: Datasets per page of ``datasets.list``.
DATASET_PAGE_SIZE: Final = 5000
#: Worker runs per page of ``runs.list``.
RUN_PAGE_SIZE: Final = 5000
#: Entries per page of ``mappings``.
MAPPING_PAGE_SIZE: Final = 25000

# -- polling ---------------------------------------------------------------------------------------
#: The longest wait between two polls of a job (``jobs.wait``).
MAX_JOB_POLL_INTERVAL: Final = 30.0
#: Seconds between two polls of a worker run (``runs.watch``).
RUN_POLL_INTERVAL: Final = 30.0


@cache
def user_agent() -> str:
    """``lightly-async/<version>``: read from the installed package once, on first use."""
    from importlib.metadata import version

    return f"{USER_AGENT_PRODUCT}/{version('lightly-async')}"
