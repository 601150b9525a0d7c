"""Exceptions raised by lightly_async.

* LightlyError
  * APIError                    - anything that happened while talking to the API
    * APIStatusError            - the server answered with a 3xx/4xx/5xx status
      * RedirectError           - 3xx that is not followed (``location``: no query)
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
    * DecodeError               - the body did not match the expected schema
  * NameNotFoundError (also a LookupError) - no tag (etc.) has that name
  * InvalidInputError (also a ValueError) - bad argument, raised before any request is sent

Every :class:`APIError` carries ``method``, a redacted ``url``, ``status_code`` (``None`` when
there was no answer), ``code``, ``message`` and ``request_id``. The API token never appears in
any of them.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "DecodeError",
    "InvalidInputError",
    "LightlyError",
    "NameNotFoundError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ServerError",
    "UnprocessableEntityError",
]


class LightlyError(Exception):
    """Root of every exception raised by lightly_async."""


class InvalidInputError(LightlyError, ValueError):
    """An argument failed validation; no request was sent.

    ``field`` names the offending argument or model field.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class NameNotFoundError(LightlyError, LookupError):
    """No resource has the name asked for (looked up by listing, not by a server 404)."""

    def __init__(self, kind: str, name: str) -> None:
        self.kind = kind
        self.name = name
        super().__init__(f"no {kind} named {name!r}")


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


class APIStatusError(APIError):
    """The server answered with an error status (4xx or 5xx)."""

    status_code: int

    def __init__(self, message: str, *, status_code: int, retry_after: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, status_code=status_code, **kwargs)
        self.retry_after = retry_after


class RedirectError(APIStatusError):
    """3xx that was not followed; ``location`` is the target's scheme, host and path only."""

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


class DecodeError(APIError):
    """The response body did not match the expected schema (or was not JSON)."""


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
    return STATUS_ERRORS.get(status_code, APIStatusError)
