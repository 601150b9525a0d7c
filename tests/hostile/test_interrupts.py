"""Ctrl-C without ``with``, and ``kill -9`` mid-download (issue 23.3).

A sync script that never closes its session, interrupted mid-download, leaves no temporary
file and exits without aiohttp's "Unclosed ..." complaints; the temporary files a killed
process left are removed by the next download into the same directory (only ours, and only
those whose process is gone).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import anyio
import pytest

from lightly_async import LightlySession

from .server import DS, TOKEN, Received, Reply, hostile_server_in_thread, sample_id

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and pids: POSIX")

FILES = 4
IDS = [sample_id(n) for n in range(FILES)]


async def _trickle(request: Received, reply: Reply) -> None:
    await reply.head(200, {"Content-Length": "1000000"})
    await reply.send(b"x" * 1000)
    await anyio.sleep(60)


SCRIPT = textwrap.dedent("""
    import sys
    from lightly_async.sync import LightlySession

    session = LightlySession(token=%r, base_url=sys.argv[1], max_retries=0)  # never closed
    session.dataset(%r).samples.download(%r, sys.argv[2], progress=False)
""")


def _start(url: str, directory: Path, transport: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path),
           "LIGHTLY_ASYNC_TRANSPORT": transport, "PYTHONWARNINGS": "default"}
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT % (TOKEN, DS, IDS), url, str(directory)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _wait_for_partials(directory: Path, proc: subprocess.Popen[str], n: int) -> list[str]:
    for _ in range(600):  # bounded: 60 s
        found = [p.name for p in directory.iterdir() if p.name.endswith(".part")]
        if len(found) >= n or proc.poll() is not None:
            return found
        time.sleep(0.1)
    return []


@pytest.mark.parametrize("transport", ["auto", "httpx2"])
def test_ctrl_c_in_a_script_without_with_leaves_no_temporary_file_and_no_warning(
    tmp_path: Path, transport: str,
) -> None:
    with hostile_server_in_thread(_trickle) as server:
        proc = _start(server.url, tmp_path, transport)
        try:
            assert len(_wait_for_partials(tmp_path, proc, FILES)) == FILES, proc.stderr
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert "KeyboardInterrupt" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert "Unclosed" not in err
    assert "ResourceWarning" not in err


def test_a_download_removes_the_temporary_files_a_killed_process_left(tmp_path: Path) -> None:
    with hostile_server_in_thread(_trickle) as server:
        proc = _start(server.url, tmp_path, "auto")
        try:
            left = _wait_for_partials(tmp_path, proc, FILES)
            assert len(left) == FILES
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(left)  # kill -9: left behind
    others = [".x.png.lightly-1-0123456789ab.part.keep", "y.part", ".z.png.abc.part",
              f".w.png.lightly-{os.getpid()}-0123456789ab.part"]  # not ours, or alive
    for name in others:
        (tmp_path / name).write_bytes(b"keep")

    async def download_nothing_new() -> None:
        async with LightlySession(token=TOKEN, base_url="http://127.0.0.1:9") as session:
            result = await session.dataset(DS).samples.download([], tmp_path)
            assert result.total == 0

    anyio.run(download_nothing_new)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(others)


@pytest.mark.parametrize("transport", ["auto", "httpx2"])
def test_a_script_that_never_closes_its_session_exits_silently(
    tmp_path: Path, transport: str,
) -> None:
    async def tags(request: Received, reply: Reply) -> None:
        await reply.json([])

    script = textwrap.dedent(f"""
        import sys
        from lightly_async.sync import LightlySession

        session = LightlySession(token={TOKEN!r}, base_url=sys.argv[1])  # never closed
        assert session.dataset({DS!r}).tags.list() == []
        print("done")
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path),
           "LIGHTLY_ASYNC_TRANSPORT": transport, "PYTHONWARNINGS": "default"}
    with hostile_server_in_thread(tags) as server:
        done = subprocess.run([sys.executable, "-c", script, server.url], capture_output=True,
                              text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "done\n"
    assert done.stderr == ""
