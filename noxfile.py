"""Developer tasks: `nox -s tests`, `nox -s lint`, `nox -s typecheck`, `nox -s bench`,
`nox -s generate` (`-- --check` fails when derived source has drifted)."""

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
# A missing interpreter is a failure, not a silently skipped (and "passing") session.
nox.options.error_on_missing_interpreters = True

OFFICIAL_CLIENT = "lightly==1.5.20"  # the last release shipping lightly.api
OFFICIAL_CLIENT_DEPS = ("pydantic", "urllib3", "python-dateutil", "aenum", "requests", "tqdm",
                        "numpy", "pillow", "six", "certifi")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Run the test suite (unit, contract, integration, conformance) on asyncio and trio.

    The conformance tests drive the official client against the fake: it is installed
    without its torch stack (``--no-deps`` plus what ``lightly.api`` needs), as for ``bench``.
    """
    session.install("-e", ".[test]")
    session.install("--no-deps", OFFICIAL_CLIENT)
    session.install(*OFFICIAL_CLIENT_DEPS)
    session.env["LIGHTLY_DID_VERSION_CHECK"] = "True"  # it makes no network call
    session.run("pytest", *session.posargs)


@nox.session(python="3.11")
def generate(session: nox.Session) -> None:
    """Write the source derived from the vendored API descriptions (`scripts/generate.py`):
    the operation declarations. `nox -s generate -- --check` writes nothing and fails on
    drift (CI runs it)."""
    session.install("pyyaml")
    session.run("python", "scripts/generate.py", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """Lint and check formatting with ruff."""
    session.install("ruff")
    session.run("ruff", "check", "src", "tests", "examples", "benchmarks", "noxfile.py")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """Type-check the library with mypy --strict."""
    session.install("-e", ".[test]", "mypy")  # the pytest plugin is checked too
    session.run("mypy", "--strict", "src")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Benchmarks against the official client: markdown table on stdout, JSON beside it.

    lightly_async is installed as the README installs it (`.[fake]`, no other extra); httpx
    and httpx-aiohttp only feed the comparison rows of the transport table, and uvloop and
    httptools only the servers' processes (the loopback server needs httptools).
    `nox -s bench -- --quick`: one round of each.
    """
    session.install(".[fake]")
    session.install("httpx", "httpx-aiohttp", "uvloop", "httptools")
    # The official client without its torch stack: only lightly.api is exercised.
    session.install("--no-deps", OFFICIAL_CLIENT)
    session.install(*OFFICIAL_CLIENT_DEPS)
    session.env["LIGHTLY_DID_VERSION_CHECK"] = "True"  # it makes no network call
    session.run("python", "benchmarks/run.py", *session.posargs)
