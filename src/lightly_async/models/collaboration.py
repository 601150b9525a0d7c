"""Models of the Collaboration API (lightly 1.5.20's ``CollaborationApi``): who a dataset
is shared with."""

from __future__ import annotations

import attrs

from lightly_async.models.datasets import DatasetCreator, SharedAccessType

__all__ = ["SharedAccessConfigCreateRequest", "SharedAccessConfigData"]


@attrs.frozen(kw_only=True)
class SharedAccessConfigCreateRequest:
    """Request body of ``POST .../collaboration/access``: replaces the dataset's sharing of
    that ``access_type``."""

    access_type: SharedAccessType | str
    users: list[str] | None = None
    teams: list[str] | None = None
    creator: DatasetCreator | str | None = None


@attrs.frozen(kw_only=True)
class SharedAccessConfigData:
    """One sharing of a dataset: the users (e-mail addresses) and teams it reaches."""

    id: str
    owner: str
    access_type: SharedAccessType | str
    users: list[str]
    teams: list[str]
    created_at: int
    last_modified_at: int
