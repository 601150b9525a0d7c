"""A Griffe extension for ``nox -s docs``: the docstrings' reStructuredText bits, as Markdown.

The docstrings are Google style with a few reST habits that Markdown would print literally:
roles (``:class:`APIError` `` becomes `` `APIError` ``) and the ``::`` that introduces an
indented code block (``pass::`` becomes ``pass:``; a line holding only ``::`` goes; the
indented block after it is a code block in Markdown as well). Loaded by mkdocs.yml as
``scripts/griffe_rst.py``; the sources stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|attr|exc|mod|data|obj):`~?([^`]+)`")
_ALONE = re.compile(r"^[ \t]*::[ \t]*\n", re.MULTILINE)
_TRAILING = re.compile(r"(\S)::[ \t]*$", re.MULTILINE)


def markdown(text: str) -> str:
    """The docstring ``text`` with its reST roles and ``::`` markers made Markdown."""
    return _TRAILING.sub(r"\1:", _ALONE.sub("", _ROLE.sub(r"`\1`", text)))


class RestToMarkdown(griffe.Extension):
    """Rewrites every docstring Griffe loads (see :func:`markdown`)."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
