"""The noxfile fails, rather than skips, a session whose interpreter is missing (a skipped
`nox -s tests` exits 0: a CI without python3.11 would pass without running anything)."""

from __future__ import annotations

import ast
from pathlib import Path

NOXFILE = Path(__file__).resolve().parents[2] / "noxfile.py"


def test_noxfile_errors_on_a_missing_interpreter() -> None:
    settings = {
        ast.unparse(node.targets[0]): ast.unparse(node.value)
        for node in ast.parse(NOXFILE.read_text()).body
        if isinstance(node, ast.Assign) and len(node.targets) == 1
    }
    assert settings.get("nox.options.error_on_missing_interpreters") == "True"
