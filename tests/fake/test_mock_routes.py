"""Every documented way of mocking HTTP holds on a default session, and nothing leaves.

Each project in ``tests/mock_projects/`` is a user's test folder (its own ``pytest.ini`` and
tests, plugins auto-loaded as installed). It runs here in a subprocess with ``LIGHTLY_TOKEN``
set, no ``LIGHTLY_*`` variable choosing a server or a transport, and a guard
(``guard/sitecustomize.py``) that fails and records any non-loopback DNS lookup or
connection: a mock that does not hold shows up as a recorded lookup of api.lightly.ai.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECTS = Path(__file__).resolve().parents[1] / "mock_projects"


def run_project(source: Path, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run a project's tests as a user would; returns the run and the guard's log."""
    project = tmp_path / "project"
    shutil.copytree(source, project)
    shutil.copy(PROJECTS / "service" / "service.py", project / "service.py")
    log = tmp_path / "network.log"
    log.write_text("")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LIGHTLY_", "PYTEST_")) and k.lower() not in (
               "http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    paths = [str(PROJECTS / "guard"), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env.update(PYTHONPATH=os.pathsep.join(paths), LIGHTLY_TOKEN="tok-user-a1b2c3",
               LIGHTLY_TEST_NET_LOG=str(log))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, env=env,
        capture_output=True, text=True, timeout=300)
    return result, log.read_text()


def assert_passed(result: subprocess.CompletedProcess[str], count: int) -> None:
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"{count} passed" in result.stdout, result.stdout[-2000:]
    assert "skipped" not in result.stdout
    assert "failed" not in result.stdout


def test_guard_refuses_and_records_a_non_loopback_lookup(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.mkdir()
    (probe / "test_probe.py").write_text(
        "import socket\n\nimport pytest\n\n\n"
        "def test_lookup():\n"
        "    with pytest.raises(OSError, match='network guard'):\n"
        "        socket.getaddrinfo('api.lightly.ai', 443)\n"
        "    assert socket.getaddrinfo('127.0.0.1', 443)\n")
    result, log = run_project(probe, tmp_path)
    assert_passed(result, 1)
    assert log.splitlines() == ["lookup api.lightly.ai"]


@pytest.mark.parametrize(("route", "tests"), [
    ("pytest_httpx2", 1),
    ("respx_alias", 2),
    ("mock_transport", 1),
    ("respx_real_httpx", 3),
    ("fake", 1),
])
def test_mocking_route_holds_with_no_request_leaving(
    route: str, tests: int, tmp_path: Path
) -> None:
    result, log = run_project(PROJECTS / route, tmp_path)
    assert_passed(result, tests)
    assert log == ""
