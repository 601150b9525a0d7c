"""Exceptions raised by lightly_async.

* LightlyError
  * APIError                    - anything that happened while talking to the API
    * APIStatusError            - the server answered with a 3xx/4xx/5xx status
      * RedirectError           - 3xx: API calls never follow redirects
      * BadRequestError         - 400
      * AuthenticationError     - 401
      * PermissionDeniedError   - 403
      * NotFoundError           - 404
      * ConflictError           - 409
      * UnprocessableEntityError - 422
      * RateLimitError          - 429
      * ServerError             - 5xx
    * APIConnectionError        - no answer: refused, reset, DNS, TLS, dropped
      * APITimeoutError         - the configured timeout or deadline ran out
      * TLSCertificateError     - the server's certificate is not trusted (never retried)
    * DecodeError               - the body did not match the expected schema
    * ResponseTooLargeError     - the body passed the session's ``max_response_size``
  * BulkError                   - a bulk run had failures (``raise_for_failures``)
  * JobFailedError              - a server-side job ended in ``FAILED`` or an unknown state
  * RunFailedError              - a Lightly Worker run ended in failure, or was canceled
  * SessionClosedError (also a RuntimeError) - a call on a closed session (or its view)
  * WrongContextError (also a RuntimeError) - a session used where it cannot run: another
    event loop than its own, a forked child process, the sync facade's own loop
  * NameNotFoundError (also a LookupError) - no tag (etc.) has that name
  * AmbiguousNameError (also a LookupError) - several datasets (etc.) share that name
  * InvalidInputError (also a ValueError) - bad argument, raised before any request is sent
  * MockNotSeenError (also a RuntimeError) - a test mocks httpx, which the session does not use

Every :class:`APIError` carries ``method``, a redacted ``url``, ``status_code`` (``None`` when
there was no answer), ``code``, ``message`` and ``request_id``. The API token never appears in
any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lightly_async.bulk import BulkResult
    from lightly_async.models.common import JobStatusData
    from lightly_async.models.docker import DockerRunData

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AmbiguousNameError",
    "AuthenticationError",
    "BadRequestError",
    "BulkError",
    "ConflictError",
    "DecodeError",
    "InvalidInputError",
    "JobFailedError",
    "LightlyError",
    "MockNotSeenError",
    "NameNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ResponseTooLargeError",
    "RunFailedError",
    "ServerError",
    "SessionClosedError",
    "TLSCertificateError",
    "UnprocessableEntityError",
    "WrongContextError",
]


class LightlyError(Exception):
    """Root of every exception raised by lightly_async.

    Every one pickles and unpickles with its attributes (its message, ``args`` and every
    attribute set on it, notes included), whatever its constructor takes: a failure crosses
    a process boundary (``multiprocessing``, Ray, Dask) intact. The traceback, ``__cause__``
    and ``__context__`` do not travel, as with any exception.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args), self.__dict__)


def _restore(cls: type[LightlyError], args: tuple[Any, ...]) -> LightlyError:
    """An exception of ``cls`` with ``args``, its constructor not run (pickle sets its state)."""
    exc = cls.__new__(cls, *args)
    exc.args = args
    return exc


class InvalidInputError(LightlyError, ValueError):
    """An argument failed validation; no request was sent.

    ``field`` names the offending argument or model field.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class NameNotFoundError(LightlyError, LookupError):
    """No resource has the name asked for (looked up by listing, not by a server 404)."""

    def __init__(
        self, kind: str, name: str, *, by: str = "named", known: list[str] | None = None
    ) -> None:
        self.kind = kind
        self.name = name
        self.known = known
        hint = ""
        if known is not None:
            shown = ", ".join(repr(k) for k in known[:10]) or "none"
            hint = f" (there are: {shown}{' …' if len(known) > 10 else ''})"
        super().__init__(f"no {kind} {by} {name!r}{hint}")


class AmbiguousNameError(LightlyError, LookupError):
    """Several resources share the name asked for; ``ids`` lists them all (pick one by id)."""

    def __init__(self, kind: str, name: str, ids: list[str]) -> None:
        self.kind = kind
        self.name = name
        self.ids = ids
        super().__init__(
            f"{len(ids)} {kind}s are named {name!r} (ids {', '.join(ids)}); pass one by id")


class APIError(LightlyError):
    """Something went wrong while talking to the API."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        status_code: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        self.message = message
        self.method = method
        self.url = url
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.body = body
        super().__init__(message)

    def __str__(self) -> str:
        parts = []
        if self.method and self.url:
            parts.append(f"{self.method} {self.url}")
        if self.status_code is not None:
            parts.append(f"-> {self.status_code}")
        if self.code:
            parts.append(f"[{self.code}]")
        head = " ".join(parts)
        text = f"{head}: {self.message}" if head else self.message
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, method={self.method!r}, "
            f"url={self.url!r}, status_code={self.status_code!r}, code={self.code!r}, "
            f"request_id={self.request_id!r})"
        )


class SessionClosedError(LightlyError, RuntimeError):
    """A call was made on a session (or a ``with_options`` view of it) after ``aclose()``."""


class MockNotSeenError(LightlyError, RuntimeError):
    """A test mocks the httpx package, which never sees this session's requests (httpx2).

    Raised before any connection opens; the message names the ways to mock httpx2 instead.
    """


class WrongContextError(LightlyError, RuntimeError):
    """A session was used where it cannot run; the message says what to do instead.

    An async session belongs to the event loop it first ran on (its pool's connections do);
    a sync session's loop thread does not survive ``fork()``.
    """


class BulkError(LightlyError):
    """Raised by ``BulkResult.raise_for_failures``; ``result`` holds every outcome."""

    def __init__(self, result: BulkResult[Any, Any], errors: list[Exception]) -> None:
        self.result = result
        self.errors = errors
        first = f": first error: {errors[0]}" if errors else ""
        super().__init__(
            f"{len(result.failed)} of {result.total} items failed, "
            f"{len(result.not_attempted)} not attempted{first}")


class JobFailedError(LightlyError):
    """A job ended in ``FAILED`` or in a state this client does not know (e.g. ``CANCELED``).

    ``job`` holds its last status and ``state`` that state's wire string.
    """

    def __init__(self, job: JobStatusData) -> None:
        self.job = job
        self.state = str(getattr(job.status, "value", job.status))
        super().__init__(
            f"job {job.id} ended in state {self.state}: {job.error or 'no error message'}")


class RunFailedError(LightlyError):
    """A Lightly Worker run ended in ``FAILED``, ``CRASHED`` or ``ABORTED``, or its scheduled
    run was canceled or does not exist (``state`` is then ``"CANCELED_OR_NOT_EXISTING"``).

    ``state`` is the end state's wire string, ``message`` the run's last message and ``run``
    the ``DockerRunData`` (``None`` when no worker ever took the run).
    """

    def __init__(self, state: str, message: str | None, run: DockerRunData | None) -> None:
        self.state = state
        self.message = message
        self.run = run
        which = f"run {run.id}" if run is not None else "the scheduled run"
        super().__init__(f"{which} ended in state {state}: {message or 'no message'}")


class APIStatusError(APIError):
    """The server answered with an error status (3xx, 4xx or 5xx)."""

    status_code: int

    def __init__(self, message: str, *, status_code: int, retry_after: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, status_code=status_code, **kwargs)
        self.retry_after = retry_after


class RedirectError(APIStatusError):
    """3xx: API calls never follow redirects (the token would travel along).

    ``location`` is the target's ``scheme://host/path`` (``None`` without a ``Location``);
    its query is never kept.
    """

    def __init__(self, message: str, *, location: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location


class BadRequestError(APIStatusError):
    """400: the server rejected the request as malformed."""


class AuthenticationError(APIStatusError):
    """401: the token is missing or invalid."""


class PermissionDeniedError(APIStatusError):
    """403: the token may not access this resource."""


class NotFoundError(APIStatusError):
    """404: the resource does not exist."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the resource's current state."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but semantically invalid."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` holds the server's hint in seconds."""


class ServerError(APIStatusError):
    """5xx: the server failed."""


class APIConnectionError(APIError):
    """No answer: the connection was refused, reset or dropped.

    ``may_have_been_sent`` is False only when the connection was never made, so the server
    cannot have seen the request.
    """

    def __init__(self, message: str, *, may_have_been_sent: bool = True, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.may_have_been_sent = may_have_been_sent


class APITimeoutError(APIConnectionError):
    """The request's timeout, or the call's total ``deadline``, ran out."""


class TLSCertificateError(APIConnectionError):
    """The server's TLS certificate was refused (untrusted CA, wrong host name, expired).

    Nothing was sent and retrying cannot help; the message says why the certificate was
    refused and how to trust a private or corporate CA (``ca_bundle=``, ``ssl_context=``,
    ``$LIGHTLY_CA_CERTS``, ``$SSL_CERT_FILE``).
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs["may_have_been_sent"] = False
        super().__init__(message, **kwargs)


class DecodeError(APIError):
    """The response body did not match the expected schema (or was not JSON)."""


class ResponseTooLargeError(APIError):
    """The answer's body passed ``max_response_size``; reading stopped there.

    ``limit`` is the cap in bytes; ``size`` how much was declared or read when it stopped.
    """

    def __init__(self, message: str, *, limit: int, size: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit
        self.size = size


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The exception class for an HTTP error status."""
    if status_code >= 500:
        return ServerError
    if 300 <= status_code < 400:
        return RedirectError
    return STATUS_ERRORS.get(status_code, APIStatusError)
