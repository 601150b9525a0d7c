"""Developer tasks: `nox -s tests`, `nox -s ray`, `nox -s lint`, `nox -s typecheck`,
`nox -s docs`, `nox -s bench`, `nox -s generate` (`-- --check` fails when derived source has
drifted)."""

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
# A missing interpreter is a failure, not a silently skipped (and "passing") session.
nox.options.error_on_missing_interpreters = True

OFFICIAL_CLIENT = "lightly==1.5.20"  # the last release shipping lightly.api
OFFICIAL_CLIENT_DEPS = ("pydantic", "urllib3", "python-dateutil", "aenum", "requests", "tqdm",
                        "numpy", "pillow", "six", "certifi")
# The docs tools live here only, never in the package's dependencies or extras
# (mkdocstrings formats the signatures with ruff).
DOCS_DEPS = ("mkdocs>=1.6,<2", "mkdocs-material>=9.6,<10", "mkdocstrings-python>=2.0,<3",
             "ruff")


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
    # tests/ray need Ray and a local cluster: `nox -s ray` runs them
    session.run("pytest", "--ignore=tests/ray", *session.posargs)


@nox.session(python="3.11")
def ray(session: nox.Session) -> None:
    """The engines' tests (tests/ray): the Ray Data pipeline of docs/ray.md and the Dask
    recipe, each against the fake served by its own process on 127.0.0.1, on a local Ray
    whose every listener is on loopback (no dashboard, no usage stats).
    """
    session.install("-e", ".[ray,test]", "dask")
    session.env["LIGHTLY_RAY_TESTS"] = "1"
    session.env["RAY_USAGE_STATS_ENABLED"] = "0"
    session.run("pytest", "tests/ray", *session.posargs)


@nox.session(python="3.11")
def generate(session: nox.Session) -> None:
    """Write the derived source (`scripts/generate.py`): the operation declarations and the
    operations table (from the vendored API descriptions) and the sync twins (from the async
    resources' source). `nox -s generate -- --check` writes nothing and fails on drift (CI
    runs it)."""
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
def docs(session: nox.Session) -> None:
    """Build the docs site into site/ (`mkdocs build --strict`: any warning fails it), then
    check that the API reference documents every public name.

    Only the docs tools are installed: mkdocstrings reads the sources under src/ without
    importing them, so the session stays small enough to run in CI after the tests.
    """
    session.install(*DOCS_DEPS)
    session.env["NO_MKDOCS_2_WARNING"] = "1"  # mkdocs-material's banner about mkdocs 2
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")
    session.run("python", "scripts/check_docs_reference.py", "site")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Benchmarks against the official client: markdown tables on stdout, the figures in
    benchmarks/results.json, and the latest run (with what each row measures) written into
    benchmarks/README.md.

    lightly_async is installed as the README installs it (`.[fake]`, no other extra); httpx
    and httpx-aiohttp only feed the comparison rows of the transport table, and uvloop and
    httptools only the servers' processes (the loopback server needs httptools).
    `nox -s bench -- --quick`: one round of each, a smoke test that leaves the README and
    results.json alone (its figures: benchmarks/results/quick.json).
    """
    session.install(".[fake]")
    session.install("httpx", "httpx-aiohttp", "uvloop", "httptools")
    # The official client without its torch stack: only lightly.api is exercised.
    session.install("--no-deps", OFFICIAL_CLIENT)
    session.install(*OFFICIAL_CLIENT_DEPS)
    session.env["LIGHTLY_DID_VERSION_CHECK"] = "True"  # it makes no network call
    session.run("python", "benchmarks/run.py", *session.posargs)
