"""The noxfile fails, rather than skips, a session whose interpreter is missing (a skipped
`nox -s tests` exits 0: a CI without python3.11 would pass without running anything). CI runs
the docs build after the tests, and the docs tools stay in their nox session."""

from __future__ import annotations

import ast
import contextlib
from pathlib import Path
from typing import Any

NOXFILE = Path(__file__).resolve().parents[2] / "noxfile.py"


def test_noxfile_errors_on_a_missing_interpreter() -> None:
    settings = {
        ast.unparse(node.targets[0]): ast.unparse(node.value)
        for node in ast.parse(NOXFILE.read_text()).body
        if isinstance(node, ast.Assign) and len(node.targets) == 1
    }
    assert settings.get("nox.options.error_on_missing_interpreters") == "True"


# -- the docs session and CI ----------------------------------------------------------------------
ROOT = NOXFILE.parent


def _constants() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for node in ast.parse(NOXFILE.read_text()).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            with contextlib.suppress(ValueError):
                out[node.targets[0].id] = ast.literal_eval(node.value)
    return out


def _session_calls(name: str) -> list[tuple[str, list[str]]]:
    """``(method, args)`` of every ``session.<method>(...)`` call in the session ``name``;
    a starred module-level tuple (``*DOCS_DEPS``) is expanded."""
    constants = _constants()
    function = next(node for node in ast.parse(NOXFILE.read_text()).body
                    if isinstance(node, ast.FunctionDef) and node.name == name)
    calls = []
    for node in ast.walk(function):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "session"):
            args: list[str] = []
            for arg in node.args:
                if isinstance(arg, ast.Starred) and isinstance(arg.value, ast.Name):
                    args += [str(a) for a in constants[arg.value.id]]
                elif isinstance(arg, ast.Constant):
                    args.append(str(arg.value))
            calls.append((node.func.attr, args))
    return calls


def test_the_docs_session_builds_strictly_and_checks_the_reference() -> None:
    calls = _session_calls("docs")
    runs = [args for method, args in calls if method == "run"]
    assert runs[0][:3] == ["mkdocs", "build", "--strict"]
    assert runs[1][:2] == ["python", "scripts/check_docs_reference.py"]
    installed = [a for method, args in calls if method == "install" for a in args]
    assert any(a.startswith("mkdocs-material") for a in installed)
    assert any(a.startswith("mkdocstrings-python") for a in installed)
    assert not any(a.startswith((".", "-e")) for a in installed)  # reads src/, installs no package


def test_the_docs_tools_are_no_dependency_of_the_package() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"],
                *(dep for deps in project["optional-dependencies"].values() for dep in deps)]
    assert not [dep for dep in declared if dep.lower().startswith(("mkdocs", "griffe"))]


def test_ci_runs_the_docs_build_after_the_tests() -> None:
    commands = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert "nox -s tests" in commands
    assert "nox -s docs" in commands
    assert commands.index("nox -s tests") < commands.index("nox -s docs")
    assert "set -euo pipefail" in commands  # a failing tests session stops CI, docs or not
