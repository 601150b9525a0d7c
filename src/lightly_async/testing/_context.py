"""What an API group's handlers see of a request, and how a group declares its routes.

Each group module (``_samples``, ``_sampling``, ``_datasources``, ``_predictions``, ``_tags``,
``_datasets``) holds its operations and a module-level ``ROUTES`` list of
:class:`OperationRoute`; ``_app.py`` mounts them. A handler takes a :class:`RequestContext`
(the authenticated user, the parsed body, the query and path parameters) and returns a model,
a JSON-ready value or ``None`` (an empty answer); it runs under the store's lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, overload

import attrs

from lightly_async._operation import Operation
from lightly_async.testing._state import INT64_MAX, FakeApiError, User

if TYPE_CHECKING:
    from starlette.requests import Request

    from lightly_async.testing._store import FakeStore

__all__ = ["Handler", "OperationRoute", "RequestContext"]

_INTEGER: Final = re.compile(r"-?[0-9]+")


@attrs.frozen
class RequestContext:
    """One authenticated request as a handler sees it; ``body`` is the parsed request body."""

    store: FakeStore
    user: User
    request: Request
    body: Any

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    @property
    def ds(self) -> str:
        """The ``datasetId`` path parameter."""
        return self.path("datasetId")

    @property
    def base_url(self) -> str:
        """The base URL the request came in on (signed URLs point there)."""
        return str(self.request.base_url)

    @property
    def latest(self) -> bool:
        return self.store.latest

    @overload
    def query(self, name: str) -> str | None: ...

    @overload
    def query(self, name: str, default: str) -> str: ...

    def query(self, name: str, default: str | None = None) -> str | None:
        """The parameter, or ``default`` when it is absent (not when it is empty)."""
        return self.request.query_params.get(name, default)

    def query_int(
        self, name: str, *, required: bool = False, minimum: int = 0, maximum: int | None = None
    ) -> int | None:
        raw = self.query(name)
        if raw is None:
            if required:
                raise FakeApiError.of("MALFORMED_REQUEST", f"query parameter {name} is required")
            return None
        if not _INTEGER.fullmatch(raw):  # int() would also take " 5", "1_000", "+5", "٣"
            raise FakeApiError.of("MALFORMED_REQUEST", f"{name} must be an integer")
        value = int(raw)
        if value < minimum:
            raise FakeApiError.of("MALFORMED_REQUEST", f"{name} must be >= {minimum}")
        if maximum is not None and value > maximum:
            raise FakeApiError.of("MALFORMED_REQUEST", f"{name} must be <= {maximum}")
        return value

    def timestamp(self, name: str, *, required: bool = False) -> int | None:
        """A ``Timestamp`` query parameter: an int64 >= 0."""
        return self.query_int(name, required=required, maximum=INT64_MAX)

    def query_bool(self, name: str) -> bool:
        raw = self.query(name)
        if raw is None or raw.lower() == "false":
            return False
        if raw.lower() == "true":
            return True
        raise FakeApiError.of("MALFORMED_REQUEST", f"{name} must be true or false")

    def required_query(self, name: str) -> str:
        """The parameter, or a 400 when it is absent."""
        value = self.query(name)
        if value is None:
            raise FakeApiError.of("MALFORMED_REQUEST", f"query parameter {name} is required")
        return value


Handler = Callable[[RequestContext], Any]


@attrs.frozen
class OperationRoute:
    """An operation served by ``handler``: its request body model and success status.

    ``api`` names the one dialect this handler serves (``"seed"`` or ``"latest"``) where the
    dialects differ in shape; ``None``: both. The path comes from ``operation``, in the
    dialect the fake speaks; an operation the dialect lacks is not routed (404).
    """

    operation: Operation
    handler: Handler
    body: Any = None
    status: int = 200
    api: str | None = None
