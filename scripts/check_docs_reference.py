"""Check a built docs site: the API reference documents every public name.

    python scripts/check_docs_reference.py [SITE_DIR]      # default: site/

Run by ``nox -s docs`` after ``mkdocs build --strict``. Every name in the ``__all__`` of
``lightly_async``, ``lightly_async.sync``, ``lightly_async.models``,
``lightly_async.errors``, ``lightly_async.testing`` and ``lightly_async.ray`` must have its
entry (an HTML anchor ``id="module.Name"``) on its module's page; a top-level name re-
exported from ``models`` or ``errors`` may have it on that module's page instead.
``__all__`` is read from the sources (no import, so the docs session installs only the docs
tools). No page may show a docstring's reST left over (a role such as ``:class:`` or a
``::`` marker: scripts/griffe_rst.py turns them into Markdown).
Exits 1 naming every missing entry and every leftover.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "lightly_async"
# module -> (its source file, its reference page under site/api/)
MODULES = {
    "lightly_async": (SRC / "__init__.py", "lightly_async"),
    "lightly_async.sync": (SRC / "sync" / "__init__.py", "sync"),
    "lightly_async.models": (SRC / "models" / "__init__.py", "models"),
    "lightly_async.errors": (SRC / "errors.py", "errors"),
    "lightly_async.testing": (SRC / "testing" / "__init__.py", "testing"),
    "lightly_async.ray": (SRC / "ray" / "__init__.py", "ray"),
}
# where a top-level name may be documented instead of the top-level page
ALSO = {"lightly_async": ("lightly_async.models", "lightly_async.errors")}


def public_names(source: Path) -> list[str]:
    """The literal ``__all__`` of a module's source."""
    for node in ast.parse(source.read_text()).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "__all__"):
            names = ast.literal_eval(node.value)
            assert isinstance(names, list), source
            return [str(n) for n in names]
    raise ValueError(f"{source}: no literal __all__")


# a role before its code span, or a paragraph ending in "::", as Markdown renders them
LEFTOVER_REST = re.compile(r":(?:class|meth|func|attr|exc|mod|data|obj):<code>|::</p>")


def anchors(page: Path) -> set[str]:
    return set(re.findall(r'\bid="([\w.]+)"', page.read_text()))


def missing(site: Path) -> list[str]:
    """``module.Name`` for every public name without its entry in the built reference."""
    found = {module: anchors(site / "api" / page / "index.html")
             for module, (_, page) in MODULES.items()}
    out = []
    for module, (source, _) in MODULES.items():
        for name in public_names(source):
            if not any(f"{where}.{name}" in found[where]
                       for where in (module, *ALSO.get(module, ()))):
                out.append(f"{module}.{name}")
    return out


def leftover_rest(site: Path) -> list[str]:
    """``page: text`` for every reST role or ``::`` marker a reference page still shows."""
    out = []
    for _, page in MODULES.values():
        html = (site / "api" / page / "index.html").read_text()
        out += [f"api/{page}: {m.group(0)}" for m in LEFTOVER_REST.finditer(html)]
    return out


def main() -> int:
    site = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "site"
    gaps = missing(site)
    for name in gaps:
        print(f"not in the API reference: {name}", file=sys.stderr)
    rest = leftover_rest(site)
    for where in rest:
        print(f"reST left in the reference: {where}", file=sys.stderr)
    total = sum(len(public_names(source)) for source, _ in MODULES.values())
    print(f"API reference: {total - len(gaps)} of {total} public names documented")
    return 1 if gaps or rest else 0


if __name__ == "__main__":
    sys.exit(main())
