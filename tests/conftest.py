"""Suite-wide: which HTTP stack the tests run on.

The library runs on httpx2. respx (request-shape mocks) patches whichever module is imported as
``httpx``, so pyproject's ``addopts`` load ``lightly_async.testing.alias_httpx`` first (the
README's recipe): for this run ``import httpx`` *is* httpx2, and respx, the tests'
``httpx.MockTransport`` and ``httpx.Response`` all speak httpx2. The real httpx family (a
caller's ``httpx.AsyncClient`` or transport) is covered by ``tests/httpx_family/``, which
``tests/client/test_http_httpx_family.py`` runs in a subprocess without that plugin.

Sessions run on their default pool (aiohttp's on asyncio): a respx mock is seen anyway (the
session sends through httpx2's pool while one is active). Tests that inspect httpx2's own pool
pin ``LIGHTLY_ASYNC_TRANSPORT=httpx2`` themselves.
"""

from __future__ import annotations

#: user-style projects, run in subprocesses by tests/fake/test_mock_routes.py
collect_ignore = ["mock_projects"]
