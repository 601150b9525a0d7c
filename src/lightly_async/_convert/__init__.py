"""The wire format's conversion, one module per job.

- :mod:`~lightly_async._convert.converter`: the one cattrs converter (structure and
  unstructure hooks), shared by the client and the fake server;
- :mod:`~lightly_async._convert.fast_decoder`: the response decoder's structuring code,
  generated at run time per model class;
- :mod:`~lightly_async._convert.explainer`: what is wrong where when a body does not decode
  (the ``DecodeError`` messages);
- :mod:`~lightly_async._convert.wire_names`: a field's JSON key, the one camelCase rule
  (the fake and the CLI use it too);
- :mod:`~lightly_async._convert.strict`: the strict JSON type rules.
"""

from __future__ import annotations

from lightly_async._convert.converter import get_converter, get_decoder, make_converter
from lightly_async._convert.explainer import describe_error, explain_failure
from lightly_async._convert.wire_names import camel_case, wire_name

__all__ = [
    "camel_case",
    "describe_error",
    "explain_failure",
    "get_converter",
    "get_decoder",
    "make_converter",
    "wire_name",
]
