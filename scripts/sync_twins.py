"""The sync twins, derived from the async source: ``scripts/generate.py`` writes what
:func:`sync_module` returns to ``src/lightly_async/sync/_generated.py``.

The async resources and session are read with ``ast`` (nothing is imported, so this runs with
the standard library alone). Every public method of a resource class (one based on
``Resource`` or ``DatasetResource``) and of ``LightlySession`` gets a twin with the same
signature, when it follows a pattern:

* a coroutine: ``return self._runner.call(self._aio.<name>, <arguments>)``;
* a plain method returning a pager (``OffsetPager``, ``Pager`` or an alias of one): the async
  pager wrapped in the sync one of ``lightly_async.sync._base``;
* a property: the async value, or (a resource class generated here) its sync twin.

Anything else (an async context manager, a method that warns, a plain method building
something) is left to a hand-written subclass, and the generated module's docstring lists it.
Each docstring is the async one's first paragraph, said of a blocking call (``async for`` is
``for``), with its ``Raises:`` section and, when the async one says more, a pointer to it; a
first paragraph that still speaks of awaiting is an error, to be reworded at the source.
"""

from __future__ import annotations

import ast
import builtins
import re
import textwrap
from pathlib import Path

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
        elif "classmethod" in decorators:
            why = "a constructor: the sync class builds its own session"
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


def sync_module(resources: Path, session_module: Path) -> str:
    """The source of ``lightly_async.sync._generated``, from the async resources (the modules
    of ``resources``) and the async session (``session_module``)."""
    out = _SyncModule()
    for path in sorted(resources.glob("*.py")):
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
    session = _Module(session_module, "lightly_async._session")
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
