"""A fake Lightly server for offline tests (needs the ``fake`` extra: starlette, uvicorn).

``FakeLightly`` holds the state (admin methods such as ``create_dataset``), serves it
in-process (``fake.transport()``, ``fake.session()``) or over loopback (``fake.serve()``,
``fake.serve_in_thread()``), injects faults (``fake.faults``) and records ``fake.calls``.
Where the real service's behaviour is unspecified, the choices are documented in the
docstrings of ``_state``, ``_store``, ``_app``, the API groups' modules (``_samples``,
``_sampling``, ``_datasources``, ``_predictions``, ``_tags``, ``_datasets``) and ``_faults``.

``import lightly_async`` never imports this package, and importing this package imports
nothing heavy: the names below load on first use (so the pytest plugin stays cheap).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lightly_async.testing._app import Call
    from lightly_async.testing._fake import FAKE_BASE_URL, FakeLightly
    from lightly_async.testing._faults import DroppedConnection, FaultRule, Faults, RateLimit
    from lightly_async.testing._state import FakeApiError
    from lightly_async.testing._store import DEFAULT_TOKEN

__all__ = [
    "DEFAULT_TOKEN",
    "FAKE_BASE_URL",
    "Call",
    "DroppedConnection",
    "FakeApiError",
    "FakeLightly",
    "FaultRule",
    "Faults",
    "RateLimit",
]

_HOMES = {
    "Call": "_app",
    "DEFAULT_TOKEN": "_store",
    "DroppedConnection": "_faults",
    "FAKE_BASE_URL": "_fake",
    "FakeApiError": "_state",
    "FakeLightly": "_fake",
    "FaultRule": "_faults",
    "Faults": "_faults",
    "RateLimit": "_faults",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'lightly_async.testing' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"lightly_async.testing.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
