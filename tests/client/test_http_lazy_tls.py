"""The TLS trust is loaded only when a TLS handshake needs it, and never at import.

A session on a plain http:// server (a local fake) never loads CA certificates (tens of
milliseconds, and with httpx2's default trust an import of httpcore2 that aiohttp's pool never
needs); ``import lightly_async`` imports no HTTP library at all.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from typing import Any

import pytest

from lightly_async import LightlySession, _http
from lightly_async._http.network import deferred_trust_context
from lightly_async.testing import FakeLightly

trustme = pytest.importorskip("trustme")

def _ca_file(tmp_path: Any) -> str:
    """A CA of this test's own (its own trust source, so its own cached context)."""
    path = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(path))
    return str(path)

@pytest.mark.parametrize("pool", ["aiohttp", "httpx2"])
@pytest.mark.asyncio
async def test_a_session_on_plain_http_never_loads_its_ca_certificates(
    pool: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(_http.TRANSPORT_ENV, "auto" if pool == "aiohttp" else "httpx2")
    bundle = _ca_file(tmp_path)
    fake = FakeLightly()
    async with fake.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        async with LightlySession(token=fake.token, base_url=base_url, ca_bundle=bundle,
                                  api=fake.api) as session:
            found = [d async for d in session.datasets.list()]
            assert session.transport_name == pool
    context = _http.Network(ca_bundle=bundle).ssl_context()  # the one the session's pool had

    assert isinstance(found, list)
    assert isinstance(context, ssl.SSLContext)
    assert context.trust_loaded is False  # type: ignore[attr-defined]
    assert context.cert_store_stats()["x509_ca"] == 0

def test_the_deferred_context_loads_its_trust_once_at_the_first_handshake(
    tmp_path: Any,
) -> None:
    bundle = _ca_file(tmp_path)
    loads: list[int] = []

    def load(context: ssl.SSLContext) -> None:
        loads.append(1)
        context.load_verify_locations(cafile=bundle)

    context = deferred_trust_context(load)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
    for _ in range(2):
        context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="api.test")

    assert loads == [1]
    assert context.trust_loaded  # type: ignore[attr-defined]
    assert context.cert_store_stats()["x509_ca"] == 1

def test_importing_the_package_loads_no_http_library_nor_tls() -> None:
    code = (
        "import sys, lightly_async\n"
        "heavy = ['httpx2', 'httpcore2', 'httpx', 'aiohttp', 'ssl', 'urllib.request',\n"
        "         'http.cookiejar', 'email.utils', 'cattrs', 'lightly_async._convert',\n"
        "         'lightly_async.models', 'lightly_async._http.family']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
        "print(lightly_async.LightlySession.__name__, lightly_async._http.Timeout.__module__)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIGHTLY_")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, env=env, check=False)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "LightlySession httpx2"]
