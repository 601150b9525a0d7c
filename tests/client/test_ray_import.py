"""``import lightly_async`` never imports Ray; ``lightly_async.ray`` without the extra says
how to install it."""

from __future__ import annotations

import subprocess
import sys


def test_the_library_and_its_session_config_import_no_engine() -> None:
    code = (
        "import sys, lightly_async as la\n"
        "la.SessionConfig(base_url='http://127.0.0.1:9')\n"
        "heavy = ['ray', 'lightly_async.ray', 'pyarrow', 'dask', 'pandas', 'numpy']\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"


def test_lightly_async_ray_names_the_extra_when_ray_is_missing() -> None:
    code = (
        "import sys\n"
        "sys.modules['ray'] = None  # as if the ray extra were not installed\n"
        "try:\n"
        "    import lightly_async.ray\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert "lightly_async.ray needs the ray extra" in result.stdout
    assert 'lightly-async[ray]' in result.stdout
