"""lightly_async: the async Python client for the Lightly platform REST API."""

from __future__ import annotations

from typing import Any

from lightly_async.bitmask import BitMask
from lightly_async.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    DecodeError,
    InvalidInputError,
    LightlyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BitMask",
    "ConflictError",
    "DecodeError",
    "InvalidInputError",
    "LightlyError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnprocessableEntityError",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("lightly-async")
    raise AttributeError(f"module 'lightly_async' has no attribute {name!r}")
