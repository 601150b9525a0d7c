"""``Operation``: one API operation as the API describes it (method, path, parameters, body
and answer types, dialects).

Every operation is declared once, in the generated ``_operations`` module (``nox -s generate``
derives it from ``spec/latest`` and ``spec/seed``). Resources send through it and the fake
routes by it, so a path is written in exactly one place.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple
from urllib.parse import quote

__all__ = ["SAME", "Operation"]

SAME: Final = "="
"""``Operation.seed_path`` when the seed era's API has the operation at the same path."""
_PARAM: Final = re.compile(r"\{([^}]+)\}")
#: A path parameter of only these characters is sent as is (``quote`` would keep it so).
_UNRESERVED: Final = re.compile(r"[A-Za-z0-9_.~-]+").fullmatch
#: Each path template split at its parameters, on first use.
_PIECES: dict[str, list[str]] = {}


class Operation(NamedTuple):
    """An API operation: its id (lightly 1.5.20's method name), HTTP method, path, query
    parameters, body and answer types.

    ``seed_path`` is where the seed era's API has it: ``SAME`` (the default) if at ``path``,
    another path if it moved (the samples, two exports), ``None`` if that API lacks it.
    (A named tuple: the 137 of them cost next to nothing to build on first use.)
    """

    name: str
    method: str
    path: str
    group: str
    seed_path: str | None = SAME
    deprecated: bool = False
    query: tuple[str, ...] = ()
    """The wire names of its query parameters (in either dialect)."""
    body: str | None = None
    """The request body's type as the API names it (``TagCreateRequest``, ``list[...]``)."""
    answer: str | None = None
    """The success answer's type, named the same way; ``None``: no body."""

    @property
    def path_params(self) -> tuple[str, ...]:
        """The names of the ``{param}`` placeholders of its newest path, in order."""
        return tuple(_PARAM.findall(self.path))

    def template(self, api: str) -> str | None:
        """The path template in dialect ``api`` (``None``: the dialect lacks it)."""
        if api != "seed" or self.seed_path == SAME:
            return self.path
        return self.seed_path

    def path_for(self, api: str, **params: str) -> str:
        """The path in dialect ``api`` with each ``{param}`` filled in, percent-encoded."""
        template = self.template(api)
        if template is None:
            raise LookupError(f"{self.name} is not in the seed era's API")
        pieces = _PIECES.get(template)
        if pieces is None:
            pieces = _PIECES[template] = _PARAM.split(template)
        # pieces: literal, name, literal, name, ..., literal (names at the odd places)
        path = pieces[0]
        for i in range(1, len(pieces), 2):
            value = params[pieces[i]]
            path += (value if _UNRESERVED(value) else quote(value, safe="")) + pieces[i + 1]
        return path
