"""Write the source derived from the vendored API descriptions; ``--check`` fails on drift.

``nox -s generate`` runs it; ``nox -s generate -- --check`` (run by CI and by the test suite)
exits 1 when a derived file differs from what the descriptions give. Derived today:

* ``src/lightly_async/_operations.py``: every operation of ``spec/latest`` (lightly 1.5.20's
  137) as an ``Operation`` constant: method, newest path, the seed era's path (from
  ``spec/seed``, matched by operation id), API group, deprecation.
* the operations table of ``docs/operations.md`` (between its two markers): every operation,
  its paths, and the calls that send it (read from the resources' source: a public method
  naming ``op.X``, or calling a private method of its class that does).
* ``src/lightly_async/sync/_generated.py``: the sync twin of every resource class, read from
  the async resources' source (``ast``, nothing imported): the same public methods with the
  same signatures, each handing its arguments to the session's runner (a coroutine) or
  wrapping the async pager it returns in the sync one; docstrings from the async ones.
  What does not follow the pattern (an async context manager, a method that warns: the
  warning must point at the caller's line) is left to the hand-written subclasses in
  ``src/lightly_async/sync/``.

Needs only PyYAML (a test dependency).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import functools
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
LATEST = ROOT / "spec" / "latest" / "lightly-api-latest.yaml"
SEED = ROOT / "spec" / "seed" / "lightly-api.yaml"
OPERATIONS = ROOT / "src" / "lightly_async" / "_operations.py"
RESOURCES = ROOT / "src" / "lightly_async" / "resources"
DOCS_OPERATIONS = ROOT / "docs" / "operations.md"
SYNC_GENERATED = ROOT / "src" / "lightly_async" / "sync" / "_generated.py"
SESSION = ROOT / "src" / "lightly_async" / "_session.py"
TABLE_START = "<!-- the table below is written by `nox -s generate` from the declarations -->"
TABLE_END = "<!-- end of the generated table -->"
#: How a user reaches each resource class.
REACHED_AS = {"Datasets": "session.datasets", "Jobs": "session.jobs"}

METHODS = ("get", "put", "post", "delete", "patch")

#: Operations of the newest API that a server of the seed era does not have, though the
#: seed documents do not say so: their seed-era counterparts are other operations.
SEED_ERA_LACKS = frozenset({
    "get_samples_partial_by_dataset_id",  # the seed era lists ids with ``mode=ids``
    "export_tag_to_label_box_v4_data_rows",
})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a derived file is out of date")
    args = parser.parse_args(argv)
    stale = []
    for path, text in derived().items():
        current = path.read_text() if path.exists() else ""
        if current == text:
            continue
        stale.append(path)
        if args.check:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(),
                                        str(path), "derived", lineterm="", n=1)
            print("\n".join(list(diff)[:40]), file=sys.stderr)
        else:
            path.write_text(text)
            print(f"wrote {_shown(path)}")
    if args.check and stale:
        names = ", ".join(_shown(p) for p in stale)
        print(f"out of date: {names} (run `nox -s generate`)", file=sys.stderr)
        return 1
    return 0


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def derived() -> dict[Path, str]:
    """Each derived file's path and the text it must have."""
    page = DOCS_OPERATIONS.read_text() if DOCS_OPERATIONS.exists() else ""
    return {OPERATIONS: operations_module(), DOCS_OPERATIONS: operations_page(page),
            SYNC_GENERATED: sync_module()}


@functools.cache
def _load(path: Path) -> Any:
    """A vendored API description, read once (with libyaml's loader where PyYAML has it)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(), Loader=loader)  # a safe loader


def operations_page(page: str) -> str:
    """``page`` with the table between its markers written anew."""
    if TABLE_START not in page or TABLE_END not in page:
        raise SystemExit(f"{DOCS_OPERATIONS}: the table markers are missing")
    head, _, rest = page.partition(TABLE_START)
    _, _, tail = rest.partition(TABLE_END)
    return head + TABLE_START + "\n" + operations_table() + TABLE_END + tail


def operations_table() -> str:
    latest = _load(LATEST)
    calls = _calls()
    declared = {name: op for name, op in _declared().items()}
    groups: dict[str, list[str]] = {}
    for _, _, raw in sorted(_operations(latest), key=lambda e: e[2]["operationId"]):
        name = raw["operationId"]
        groups.setdefault(raw["tags"][0], []).append(name)
    covered = sum(1 for name in declared if calls.get(name))
    out = [f"{covered} of the API's {len(declared)} operations have a call so far.", ""]
    for group in sorted(groups):
        out += [f"### {group}", "", "| operation | method and path | call |", "|---|---|---|"]
        for name in groups[group]:
            method, path, seed, deprecated = declared[name]
            where = f"`{method} {path}`"
            if seed is None:
                where += " (the seed era: none)"
            elif seed != path:
                where += f" (the seed era: `{seed}`)"
            label = f"{name} (deprecated)" if deprecated else name
            made = ", ".join(f"`{c}`" for c in calls.get(name, [])) or "—"
            out.append(f"| {label} | {where} | {made} |")
        out.append("")
    return "\n".join(out)


def _declared() -> dict[str, tuple[str, str, str | None, bool]]:
    """name -> (method, path, seed path or None, deprecated), from the generated module's
    source (read, not imported: the generator runs without the package installed)."""
    module = ast.parse(operations_module())
    out = {}
    for node in module.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            kw = {k.arg: ast.literal_eval(k.value) for k in node.value.keywords}
            if "name" in kw:
                seed = kw.get("seed_path", kw["path"])
                out[kw["name"]] = (kw["method"], kw["path"], seed, kw.get("deprecated", False))
    return out


def _calls() -> dict[str, list[str]]:
    """operation name -> the public calls whose code names ``op.<NAME>``."""
    found: dict[str, set[str]] = {}
    for source in sorted(RESOURCES.glob("*.py")):
        tree = ast.parse(source.read_text())
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            owner = REACHED_AS.get(cls.name, f"ds.{cls.name.lower()}")
            methods = {f.name: f for f in cls.body
                       if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)}
            for name, func in methods.items():
                if name.startswith("_"):
                    continue
                names = _ops_named(func)
                for called in _self_calls(func):
                    if called.startswith("_") and called in methods:
                        names |= _ops_named(methods[called])
                for op_name in names:
                    found.setdefault(op_name.lower(), set()).add(f"{owner}.{name}")
    return {k: sorted(v) for k, v in found.items()}


def _ops_named(func: ast.AST) -> set[str]:
    return {n.attr for n in ast.walk(func) if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name) and n.value.id == "op"}


def _self_calls(func: ast.AST) -> set[str]:
    """The ``self.<name>`` a method uses (called, or handed on as ``partial(self._x, …)``)."""
    return {n.attr for n in ast.walk(func) if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Name) and n.value.id == "self"}


def operations_module() -> str:
    latest = _load(LATEST)
    seed = _load(SEED)
    renamed = {new: old for old, new in latest.get("x-seed-renamed", {}).items()}
    seed_paths = {_snake(op["operationId"]): path for path, method, op in _operations(seed)}
    lines = [
        '"""Every operation of the Lightly API, declared once. Generated by `nox -s generate`',
        "from spec/latest (lightly 1.5.20's description) and spec/seed: do not edit.",
        '"""',
        "",
        "from lightly_async._operation import Operation",
        "",
    ]
    entries = sorted(_operations(latest), key=lambda e: e[2]["operationId"])
    for path, method, op in entries:
        name = op["operationId"]
        seed_path: str | None = seed_paths.get(renamed.get(name, name), path)
        if name in SEED_ERA_LACKS:
            seed_path = None
        group = op["tags"][0]
        args = [f"name={name!r}", f"method={method.upper()!r}", f"path={path!r}",
                f"group={group!r}"]
        if seed_path != path:  # moved, or missing from the seed era's API
            args.append(f"seed_path={seed_path!r}")
        if op.get("deprecated"):
            args.append("deprecated=True")
        lines.append(f"{name.upper()} = Operation(")
        lines.extend(_wrapped(args))
        lines.append(")")
    lines += ["", f"ALL: tuple[Operation, ...] = ({', '.join(_names(entries))},)", ""]
    return "\n".join(_fold(lines))


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS]


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def _names(entries: list[tuple[str, str, dict[str, Any]]]) -> list[str]:
    return [op["operationId"].upper() for _, _, op in entries]


def _wrapped(args: list[str]) -> list[str]:
    """The arguments, four spaces in, as many to a line as fit in 100 columns."""
    out, line = [], "   "
    for arg in args:
        piece = f" {arg},"
        if len(line) + len(piece) > 100:
            out.append(line)
            line = "   "
        line += piece
    out.append(line)
    return out


def _fold(lines: list[str]) -> list[str]:
    """Break the ``ALL`` tuple over lines of at most 100 columns."""
    out = []
    for line in lines:
        if not line.startswith("ALL:"):
            out.append(line)
            continue
        head, _, rest = line.partition("(")
        names = rest.rstrip(",)").split(", ")
        out.append(head + "(")
        out.extend(_wrapped(names))
        out.append(")")
    return out


# -- the sync twins ---------------------------------------------------------------------------
#: The async base classes and their sync counterparts (``lightly_async.sync._base``).
SYNC_BASES = {"Resource": "Resource", "DatasetResource": "DatasetResource"}
#: The async pagers and their sync counterparts (same names, ``lightly_async.sync._base``).
PAGERS = ("OffsetPager", "Pager")
#: What the sync pager's docstring adds when the async one does not say it is a pager.
PAGER_USE = {
    "OffsetPager": "A pager: ``for`` yields the rows, ``.pages()`` whole pages, ``.collect()``"
                   " a list.",
    "Pager": "A pager: ``for`` yields the rows, ``.pages()`` whole pages; ``.cursor`` is "
             "where to resume after a failure.",
}
#: The async session's members that have no sync twin, and why (as tests/unit/test_sync_twins
#: lists them).
ASYNC_ONLY = {
    "aclose": "not mirrored: ``close()`` is its sync counterpart",
    "limiter": "not mirrored: a limiter of the session's own loop, unusable from another thread",
}
#: Async wording and what it is in a blocking call.
SYNC_WORDING = ((re.compile(r"``(?:await|async) +"), "``"),
                (re.compile(r"``aclose\(\)``"), "``close()``"))
ASYNC_WORDS = re.compile(r"\b(?:await|awaited|awaits|async|coroutine)\b")
WIDTH = 100


class _Module:
    """One async module's source: its classes, its pager aliases, and where each name it uses
    comes from."""

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.name = name
        self.source = path.read_text()
        self.tree = ast.parse(self.source)
        self.origin: dict[str, tuple[str, str | None]] = {}  # name -> (module, imported name)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    self.origin[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.origin[alias.asname or alias.name] = (alias.name, None)
        self.aliases: dict[str, tuple[ast.expr, str | None]] = {}  # pager aliases, their doc
        for i, node in enumerate(self.tree.body):
            if isinstance(node, ast.ClassDef | ast.FunctionDef):
                self.origin[node.name] = (self.name, node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.origin[target.id] = (self.name, target.id)
                        if node.value is not None and _root(node.value) in PAGERS:
                            self.aliases[target.id] = (node.value, _doc_after(self.tree, i))

    def text(self, node: ast.AST) -> str:
        """``node`` as the source spells it, on one line."""
        segment = ast.get_source_segment(self.source, node)
        return " ".join((segment or ast.unparse(node)).split())

    def pager(self, annotation: ast.expr | None) -> str | None:
        """``OffsetPager`` or ``Pager`` if ``annotation`` is (an alias of) one, else None."""
        root = _root(annotation) if annotation is not None else None
        if root in self.aliases:
            root = _root(self.aliases[root][0])
        return root if root in PAGERS else None


class _SyncModule:
    """The generated module being written: its classes and aliases, and the names they need."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.local: set[str] = set()  # names defined here (classes, aliases)
        self.partial: set[str] = set()  # classes with methods left to a hand-written subclass
        self.left: list[tuple[str, str]] = []  # (Class.method, why it is not generated here)
        self.runtime: set[str] = set()  # names needed when the module runs (defaults, aliases)
        self.typing: set[str] = set()  # names annotations use
        self.origin: dict[str, tuple[str, str | None]] = {}

    def need(self, module: _Module, names: set[str], *, runtime: bool) -> None:
        """Note where ``names`` (used by code taken from ``module``) are imported from."""
        import builtins

        (self.runtime if runtime else self.typing).update(names)
        for name in names:
            if name in PAGERS or name in self.local or hasattr(builtins, name):
                continue
            if name not in module.origin:
                raise SystemExit(f"{module.path}: where does {name!r} come from?")
            found = module.origin[name]
            if self.origin.setdefault(name, found) != found:
                raise SystemExit(f"{name!r} means {found} in {module.path}, "
                                 f"{self.origin[name]} elsewhere")

    def alias(self, module: _Module, name: str) -> None:
        value, doc = module.aliases[name]
        said = None if doc is None else _sync_wording(doc, f"{module.path}: {name}")
        self.lines += [f"{name} = {module.text(value)}", *_doc_lines(said, 0)]
        self.local.add(name)
        self.need(module, _names_in(value), runtime=True)

    def twin(self, module: _Module, cls: ast.ClassDef, head: list[str]) -> None:
        """The sync twin of ``cls`` under ``head`` (its ``class`` line, docstring, attributes):
        a forwarder for each public method or property that follows a pattern."""
        self.local.add(cls.name)
        lines = ["", "", *head]
        for func in cls.body:
            if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef) and (
                    not func.name.startswith("_")):
                lines += self._member(module, cls.name, func)
        self.lines += lines

    def _member(self, module: _Module, owner: str, func: ast.FunctionDef | ast.AsyncFunctionDef,
                ) -> list[str]:
        what = f"{owner}.{func.name}"
        decorators = {ast.unparse(d) for d in func.decorator_list}
        pager = module.pager(func.returns)
        returned = module.text(func.returns) if func.returns is not None else ""
        why = None
        if func.name in ASYNC_ONLY and owner == "LightlySession":
            why = ASYNC_ONLY[func.name]
        elif decorators & {"property", "cached_property"}:
            if returned in self.partial:
                why = "a property giving a class that is completed by hand"
            elif returned in self.local:  # a resource: its sync twin around the async one
                body = [f"        return {returned}(self._runner, self._aio.{func.name})"]
            else:
                body = [f"        return self._aio.{func.name}"]
        elif any(d.endswith("contextmanager") for d in decorators):
            why = "an async context manager (a ``with`` block in sync code)"
        elif _warns(func):
            why = "it warns, and the warning must point at the caller's line"
        elif decorators:
            raise SystemExit(f"{module.path}: {what}: how is a sync twin of "
                             f"{', '.join(sorted(decorators))} derived?")
        elif isinstance(func, ast.AsyncFunctionDef):
            body = _call_lines("self._runner.call(", [f"self._aio.{func.name}", *_passed(func)],
                               ")", 8, "" if returned == "None" else "return ")
        elif pager is not None:
            body = _call_lines(f"{pager}(self._runner, self._aio.{func.name}(",
                               _passed(func), "))", 8, "return ")
        else:
            why = "neither a coroutine nor a pager: what it gives is built by hand"
        if why is not None:
            self.left.append((what, why))
            self.partial.add(owner)
            return []
        signature = (["    @property", f"    def {func.name}(self) -> {returned}:"]
                     if decorators else _signature(module, func))
        doc = _sync_doc(ast.get_docstring(func), pager, what, module)
        for arg in _arguments(func):
            if arg.annotation is not None:
                self.need(module, _names_in(arg.annotation), runtime=False)
        if func.returns is not None:
            self.need(module, _names_in(func.returns), runtime=False)
        for default in [*func.args.defaults, *func.args.kw_defaults]:
            if default is not None:
                self.need(module, _names_in(default), runtime=True)
        return ["", *signature, *_doc_lines(doc, 8), *body]

    def text(self) -> str:
        left_out = [line for what, why in self.left for line in textwrap.wrap(
            f"* ``{what}``: {why}", WIDTH - 8, subsequent_indent="  ")]
        runtime_imports = _imports(self.runtime - self.local, self.origin, (
            "from lightly_async.sync._base import DatasetResource, OffsetPager, Pager, Resource",
        ))
        typing_imports = _imports(self.typing - self.runtime - self.local, self.origin, (
            "from lightly_async import resources as aio",
            "from lightly_async._session import LightlySession as AsyncSession",
            "from lightly_async.sync._portal import Runner"))
        head = [
            '"""The sync twins of the async resources and session. Generated by `nox -s generate`',
            "from the source of ``lightly_async.resources`` and ``lightly_async._session``: do",
            "not edit.",
            "",
            "Each method hands its arguments to the async method on the session's runner (or",
            "wraps the async pager it returns in the sync one) and returns what that returns.",
            "Not generated here (hand-written next to this module, or not mirrored):",
            "",
            *left_out,
            '"""',
            "",
            "from __future__ import annotations",
            "",
            "from typing import TYPE_CHECKING",
            "",
            *runtime_imports,
            "",
            "if TYPE_CHECKING:",
            *("    " + line if line else "" for line in typing_imports),
            "",
            "__all__ = [" + ", ".join(f'"{n}"' for n in sorted(self.local)) + "]",
            "",
        ]
        return "\n".join(_fold_long(head + self.lines + [""]))


def sync_module() -> str:
    """The source of ``lightly_async.sync._generated``."""
    out = _SyncModule()
    for path in sorted(RESOURCES.glob("*.py")):
        if path.stem.startswith("_"):
            continue
        module = _Module(path, f"lightly_async.resources.{path.stem}")
        for name in module.aliases:
            out.alias(module, name)
        for cls in module.tree.body:
            base = next((SYNC_BASES[b.id] for b in getattr(cls, "bases", [])
                         if isinstance(b, ast.Name) and b.id in SYNC_BASES), None)
            if isinstance(cls, ast.ClassDef) and base is not None:
                doc = _sync_wording(ast.get_docstring(cls) or "", f"{path}: {cls.name}")
                out.twin(module, cls, [f"class {cls.name}({base}):", *_doc_lines(doc, 4), "",
                                       "    __slots__ = ()", f"    _aio: aio.{cls.name}"])
    session = _Module(SESSION, "lightly_async._session")
    cls = next(c for c in session.tree.body
               if isinstance(c, ast.ClassDef) and c.name == "LightlySession")
    out.twin(session, cls, [
        "class LightlySession:",
        '    """What the sync session forwards; its construction and lifecycle are written by',
        '    hand (``_session.py``)."""',
        "",
        "    _runner: Runner",
        "    _aio: AsyncSession"])
    return out.text()


def _root(node: ast.expr) -> str | None:
    """The name an annotation starts with (``OffsetPager`` of ``OffsetPager[X]``)."""
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _doc_after(tree: ast.Module, i: int) -> str | None:
    after = tree.body[i + 1] if i + 1 < len(tree.body) else None
    if (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)):
        return after.value.value
    return None


def _names_in(node: ast.AST) -> set[str]:
    """The names an expression needs in scope (``builtins`` of ``builtins.list[X]``, ``X``)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _imports(names: set[str], origin: dict[str, tuple[str, str | None]],
             extra: tuple[str, ...] = ()) -> list[str]:
    """The import statements for ``names``: the standard library's, then the package's, each
    group ``import x`` first and sorted as ruff's isort sorts them."""
    names = names & origin.keys()  # not the pagers (the sync ones are imported) nor builtins
    lines = {f"import {origin[n][0]}" for n in names if origin[n][1] is None} | set(extra)
    by_module: dict[str, list[str]] = {}
    for name in names:
        module, real = origin[name]
        if real is not None:
            by_module.setdefault(module, []).append(
                real if real == name else f"{real} as {name}")
    lines |= {f"from {m} import {', '.join(sorted(n))}" for m, n in by_module.items()}
    groups: list[list[str]] = [[], []]
    for line in lines:
        groups[line.split()[1].partition(".")[0] == "lightly_async"].append(line)
    out: list[str] = []
    for group in groups:
        if group:
            out += [*([""] if out else []), *sorted(
                group, key=lambda line: (line.startswith("from"), line.split()[1], line))]
    return out


def _fold_long(lines: list[str]) -> list[str]:
    """Break the ``__all__`` list and long ``from`` imports over lines of at most 100."""
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if len(line) <= WIDTH:
            out.append(line)
        elif stripped.startswith("__all__ = ["):
            out.append("__all__ = [")
            out += [f"    {n.strip()}," for n in stripped[len("__all__ = ["):-1].split(",")]
            out.append("]")
        elif stripped.startswith("from "):
            head, _, names = stripped.partition(" import ")
            out.append(f"{indent}{head} import (")
            out += [f"{indent}    {n.strip()}," for n in names.split(",")]
            out.append(f"{indent})")
        else:
            out.append(line)
    return out


def _warns(func: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and ast.unparse(n.func) in ("warnings.warn", "warn")
               for n in ast.walk(func))


def _arguments(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    a = func.args
    return [*a.posonlyargs, *a.args, *([a.vararg] if a.vararg else []), *a.kwonlyargs,
            *([a.kwarg] if a.kwarg else [])]


def _passed(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """How the forwarder hands its arguments on: positionals by position, the rest by name."""
    a = func.args
    out = [arg.arg for arg in [*a.posonlyargs, *a.args][1:]]  # without self
    if a.vararg:
        out.append(f"*{a.vararg.arg}")
    out += [f"{arg.arg}={arg.arg}" for arg in a.kwonlyargs]
    if a.kwarg:
        out.append(f"**{a.kwarg.arg}")
    return out


def _signature(module: _Module, func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """``def name(...) -> R:`` with the async method's parameters, on one line if it fits."""
    a = func.args
    positional = [*a.posonlyargs, *a.args]
    pos_defaults = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)

    def one(arg: ast.arg, default: ast.expr | None, star: str = "") -> str:
        text = star + arg.arg
        if arg.annotation is not None:
            text += f": {module.text(arg.annotation)}"
        if default is not None:
            text += (" = " if arg.annotation is not None else "=") + module.text(default)
        return text

    params = [one(arg, d) for arg, d in zip(positional, pos_defaults, strict=True)]
    if a.posonlyargs:
        params.insert(len(a.posonlyargs), "/")
    if a.vararg:
        params.append(one(a.vararg, None, "*"))
    elif a.kwonlyargs:
        params.append("*")
    params += [one(arg, d) for arg, d in zip(a.kwonlyargs, a.kw_defaults, strict=True)]
    if a.kwarg:
        params.append(one(a.kwarg, None, "**"))
    returns = f" -> {module.text(func.returns)}" if func.returns is not None else ""
    line = f"    def {func.name}({', '.join(params)}){returns}:"
    if len(line) <= WIDTH:
        return [line]
    return [f"    def {func.name}(", *(f"        {p}," for p in params), f"    ){returns}:"]


def _call_lines(head: str, args: list[str], tail: str, indent: int, verb: str) -> list[str]:
    """``verb head args tail`` on one line if it fits, else the arguments on the lines after."""
    pad = " " * indent
    line = f"{pad}{verb}{head}{', '.join(args)}{tail}"
    if len(line) <= WIDTH:
        return [line]
    out, current = [f"{pad}{verb}{head}"], pad + "   "
    for i, arg in enumerate(args):
        piece = f" {arg}" + (tail if i == len(args) - 1 else ",")
        if len(current) + len(piece) > WIDTH:
            out.append(current)
            current = pad + "   "
        current += piece
    out.append(current)
    return out


def _sync_doc(doc: str | None, pager: str | None, what: str, module: _Module) -> str:
    """The sync method's docstring: the async one's first paragraph, said of a blocking
    call, its ``Raises:`` section, and where to read the rest."""
    if not doc:
        raise SystemExit(f"{module.path}: {what} has no docstring to derive the sync one from")
    paragraphs = doc.split("\n\n")
    first = _sync_wording(" ".join(paragraphs[0].split()), f"{module.path}: {what}")
    if pager is not None and "pager" not in first.lower() and "``for``" not in first:
        first += " " + PAGER_USE[pager]
    raises = [p for p in paragraphs[1:] if p.startswith("Raises:")]
    if len(paragraphs) > 1 + len(raises):
        first += f" More in the async :meth:`lightly_async.{what}`."
    return "\n\n".join([first, *raises])


def _sync_wording(text: str, what: str) -> str:
    """``text`` said of a blocking call; a generator error if it still speaks of awaiting."""
    for pattern, sync in SYNC_WORDING:
        text = pattern.sub(sync, text)
    if ASYNC_WORDS.search(text):
        raise SystemExit(f"{what}: its docstring (what the sync twin's is made of) speaks of "
                         f"awaiting; say it so that it holds for both: {text!r}")
    return text


def _doc_lines(doc: str | None, indent: int) -> list[str]:
    """A docstring at ``indent``: prose paragraphs filled to 100 columns, sections kept."""
    if not doc:
        return []
    pad = " " * indent
    out: list[str] = []
    for i, paragraph in enumerate(doc.split("\n\n")):
        if i:
            out.append("")
        if paragraph.startswith("Raises:") or "\n " in paragraph:  # a section: as it is
            out += [pad + line if line else "" for line in paragraph.splitlines()]
        else:
            width = WIDTH - indent - (3 if i == 0 else 0)  # the first line opens the quotes
            out += [pad + line for line in textwrap.wrap(
                " ".join(paragraph.split()), width, break_long_words=False,
                break_on_hyphens=False)]
    out[0] = pad + '"""' + out[0][len(pad):]
    if len(out) == 1 and len(out[0]) + 3 <= WIDTH:
        out[0] += '"""'
    else:
        out.append(pad + '"""')
    return out


if __name__ == "__main__":
    sys.exit(main())
