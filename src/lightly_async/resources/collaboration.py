"""Collaboration: who a dataset is shared with (lightly 1.5.20's ``CollaborationApi``).

The API keeps sharings per access type; only ``WRITE`` exists today, and lightly's web app
and client read the first ``WRITE`` sharing, as :meth:`Collaboration.shared_users` does.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable

from lightly_async import _operations as op
from lightly_async.errors import InvalidInputError
from lightly_async.models.collaboration import (
    SharedAccessConfigCreateRequest,
    SharedAccessConfigData,
)
from lightly_async.models.common import CreateEntityResponse
from lightly_async.models.datasets import DatasetCreator, SharedAccessType
from lightly_async.resources._base import DatasetResource

__all__ = ["Collaboration"]


class Collaboration(DatasetResource):
    """``dataset.collaboration``: share the dataset with other users."""

    __slots__ = ()

    async def share_only_with(self, emails: Iterable[str]) -> None:
        """Give exactly these users (e-mail addresses) write access to the dataset,
        replacing whom it was shared with before; an empty list revokes every user's
        access (lightly 1.5.20's ``share_dataset_only_with``).

        To add a user, pass ``[*await collaboration.shared_users(), new_email]``.
        """
        if isinstance(emails, str) or not isinstance(emails, Iterable):
            raise InvalidInputError("emails", f"must be a list of e-mail addresses, got "
                                              f"{emails!r:.80}")
        users = builtins.list(emails)
        for i, email in enumerate(users):
            if not isinstance(email, str) or "@" not in email or email != email.strip():
                raise InvalidInputError(f"emails[{i}]", f"must be an e-mail address, got "
                                                        f"{email!r:.80}")
        body = SharedAccessConfigCreateRequest(access_type=SharedAccessType.WRITE, users=users,
                                               creator=DatasetCreator.USER_PIP)
        # create-or-update: a replay sets the same users again
        await self._call(op.CREATE_OR_UPDATE_SHARED_ACCESS_CONFIG_BY_DATASET_ID,
                         cast=CreateEntityResponse, json_body=self._dump(body), replay_safe=True)

    async def shared_users(self) -> builtins.list[str]:
        """The e-mail addresses of the users with write access (lightly 1.5.20's
        ``get_shared_users``): those of the first ``WRITE`` sharing."""
        return next((c.users for c in await self.access_configs()
                     if c.access_type == SharedAccessType.WRITE), [])

    async def access_configs(self) -> builtins.list[SharedAccessConfigData]:
        """Every sharing of the dataset, as the API reports them."""
        return await self._call(op.GET_SHARED_ACCESS_CONFIGS_BY_DATASET_ID,
                                cast=builtins.list[SharedAccessConfigData])
