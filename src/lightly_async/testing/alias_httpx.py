"""Makes ``import httpx`` mean httpx2, for respx: ``pytest -p lightly_async.testing.alias_httpx``.

respx mocks whichever module is imported as ``httpx``; lightly_async runs on httpx2. Calling
``httpx2.alias_httpx()`` in a root ``conftest.py`` comes too late when a plugin that pytest
loads automatically (respx's own, pytest-httpx2) has imported httpx already; a ``-p`` plugin
is imported before those. Put it in the pytest configuration::

    [tool.pytest.ini_options]
    addopts = "-p lightly_async.testing.alias_httpx"

Importing this module does no I/O; it raises httpx2's own error if httpx was imported before.
"""

from __future__ import annotations

from lightly_async import _http

_http.alias_httpx()
