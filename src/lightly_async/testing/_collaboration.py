"""Collaboration in the fake: whom a dataset is shared with (lightly 1.5.20's
``CollaborationApi``), with its ``ROUTES``.

Guesses about the real service made here (the spec says nothing):

* ``POST .../collaboration/access`` creates the dataset's sharing of that ``accessType``, or
  replaces its users and teams when one exists (one sharing per access type; the answer's
  id is the sharing's, unchanged by an update). Each user must look like an e-mail address
  (400 otherwise); users are kept in the order sent, duplicates once.
* Sharing grants nothing else in the fake: the users named need not exist and see nothing.
* ``DELETE .../collaboration/access/{accessConfigId}`` removes one sharing (404
  ``ACCESS_CONFIG_UNKNOWN`` for another id).
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Final

from lightly_async import _operations as op
from lightly_async.models import (
    CreateEntityResponse,
    SharedAccessConfigCreateRequest,
    SharedAccessConfigData,
    SharedAccessType,
)
from lightly_async.testing._context import OperationRoute, RequestContext
from lightly_async.testing._state import FakeApiError, User, check_object_id

if TYPE_CHECKING:
    from lightly_async.testing._store import FakeStore

__all__ = ["ROUTES", "CollaborationOps"]


class CollaborationOps:
    """The Collaboration operations over a :class:`FakeStore`."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store

    def share(self, user: User, dataset_id: str,
              body: SharedAccessConfigCreateRequest) -> CreateEntityResponse:
        """``POST /v1/datasets/{datasetId}/collaboration/access``."""
        dataset = self._store.dataset(user, dataset_id)
        access_type = str(getattr(body.access_type, "value", body.access_type))
        if access_type not in [t.value for t in SharedAccessType]:
            raise FakeApiError.of("MALFORMED_REQUEST", f"unknown accessType {access_type!r}")
        users = list(dict.fromkeys(body.users or []))
        for email in users:
            if "@" not in email or email != email.strip() or len(email) < 3:
                raise FakeApiError.of("MALFORMED_REQUEST", f"not an e-mail address: {email!r}")
        now = self._store.now_ms()
        found = next((c for c in dataset.access_configs.values()
                      if c.access_type == access_type), None)
        config = SharedAccessConfigData(
            id=found.id if found else self._store.new_id(), owner=user.id,
            access_type=access_type, users=users, teams=list(body.teams or []),
            created_at=found.created_at if found else now, last_modified_at=now)
        dataset.access_configs[config.id] = config
        return CreateEntityResponse(id=config.id)

    def list(self, user: User, dataset_id: str) -> builtins.list[SharedAccessConfigData]:
        """``GET /v1/datasets/{datasetId}/collaboration/access``."""
        return builtins.list(self._store.dataset(user, dataset_id).access_configs.values())

    def delete(self, user: User, dataset_id: str, config_id: str) -> None:
        """``DELETE /v1/datasets/{datasetId}/collaboration/access/{accessConfigId}``."""
        dataset = self._store.dataset(user, dataset_id)
        check_object_id(config_id, "accessConfigId")
        if dataset.access_configs.pop(config_id, None) is None:
            raise FakeApiError.of("ACCESS_CONFIG_UNKNOWN", f"no sharing {config_id}")


def _share(c: RequestContext) -> Any:
    return CollaborationOps(c.store).share(c.user, c.ds, c.body)


def _list(c: RequestContext) -> Any:
    return CollaborationOps(c.store).list(c.user, c.ds)


def _delete(c: RequestContext) -> Any:
    return CollaborationOps(c.store).delete(c.user, c.ds, c.path("accessConfigId"))


ROUTES: Final = [
    OperationRoute(op.CREATE_OR_UPDATE_SHARED_ACCESS_CONFIG_BY_DATASET_ID, _share,
                   SharedAccessConfigCreateRequest, 201),
    OperationRoute(op.GET_SHARED_ACCESS_CONFIGS_BY_DATASET_ID, _list),
    OperationRoute(op.DELETE_SHARED_ACCESS_CONFIG_BY_ID, _delete),
]
"""The Collaboration routes, as ``_app.py`` mounts them."""
