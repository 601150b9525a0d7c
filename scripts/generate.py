"""Write the derived source (from the vendored API descriptions and the async source); ``--check``
fails on drift.

``nox -s generate`` runs it; ``nox -s generate -- --check`` (run by CI and by the test suite)
exits 1 when a derived file differs from what the descriptions give. Derived today:

* ``src/lightly_async/_operations.py``: every operation of ``spec/latest`` (lightly 1.5.20's
  137) as an ``Operation`` constant: method, newest path, the seed era's path (from
  ``spec/seed``, matched by operation id), API group, deprecation, query parameters (of
  either dialect), body and answer types.
* ``src/lightly_async/models/docker.py``: the Lightly Worker's models (``generate_models.py``).
* the operations table of ``docs/operations.md`` (between its two markers): every operation,
  its paths, and the calls that send it (read from the resources' source: a public method
  naming ``op.X``, or calling a private method of its class that does).
* ``src/lightly_async/sync/_generated.py``: the sync twins of the resource classes and of the
  session's forwarders, read from the async source (``scripts/sync_twins.py`` says how): the
  same public methods with the same signatures, each handing its arguments to the session's
  runner or wrapping the async pager it returns in the sync one; docstrings from the async
  ones. What does not follow the pattern is left to hand-written subclasses in
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
from pathlib import Path
from typing import Any

import sync_twins  # scripts/sync_twins.py: this directory is on sys.path when it runs
import yaml
from generate_models import models_module  # scripts/generate_models.py, likewise

ROOT = Path(__file__).resolve().parents[1]
LATEST = ROOT / "spec" / "latest" / "lightly-api-latest.yaml"
SEED = ROOT / "spec" / "seed" / "lightly-api.yaml"
OPERATIONS = ROOT / "src" / "lightly_async" / "_operations.py"
DOCKER_MODELS = ROOT / "src" / "lightly_async" / "models" / "docker.py"
RESOURCES = ROOT / "src" / "lightly_async" / "resources"
DOCS_OPERATIONS = ROOT / "docs" / "operations.md"
SYNC_GENERATED = ROOT / "src" / "lightly_async" / "sync" / "_generated.py"
SESSION = ROOT / "src" / "lightly_async" / "_session.py"
TABLE_START = "<!-- the table below is written by `nox -s generate` from the declarations -->"
TABLE_END = "<!-- end of the generated table -->"
#: How a user reaches each resource class.
REACHED_AS = {"Datasets": "session.datasets", "Jobs": "session.jobs",
              "Workers": "session.workers", "AllRuns": "session.runs"}

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
            SYNC_GENERATED: sync_module(), DOCKER_MODELS: models_module(_load(LATEST))}


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
        out += [f"### {group}", "",
                "| operation | method and path | query | body → answer | call |",
                "|---|---|---|---|---|"]
        for name in groups[group]:
            method, path, seed, deprecated, query, body, answer = declared[name]
            where = f"`{method} {path}`"
            if seed is None:
                where += " (the seed era: none)"
            elif seed != path:
                where += f" (the seed era: `{seed}`)"
            label = f"{name} (deprecated)" if deprecated else name
            made = ", ".join(f"`{c}`" for c in calls.get(name, [])) or "—"
            params = ", ".join(f"`{q}`" for q in query) or "—"
            types = f"{_shown_type(body)} → {_shown_type(answer)}"
            out.append(f"| {label} | {where} | {params} | {types} | {made} |")
        out.append("")
    return "\n".join(out)


def _shown_type(name: str | None) -> str:
    return "—" if name is None else f"`{name}`"


def _declared() -> dict[str, tuple[str, str, str | None, bool, tuple[str, ...], str | None,
                                  str | None]]:
    """name -> (method, path, seed path or None, deprecated, query, body, answer), from the
    generated module's source (read, not imported: the generator runs without the package
    installed)."""
    module = ast.parse(operations_module())
    out = {}
    for node in module.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            kw = {k.arg: ast.literal_eval(k.value) for k in node.value.keywords}
            if "name" in kw:
                seed = kw.get("seed_path", kw["path"])
                out[kw["name"]] = (kw["method"], kw["path"], seed, kw.get("deprecated", False),
                                   kw.get("query", ()), kw.get("body"), kw.get("answer"))
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
    seed_ops = {_snake(op["operationId"]): op for path, method, op in _operations(seed)}
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
        query = _query(op, latest) | _query(seed_ops.get(renamed.get(name, name), {}), seed)
        if query:  # one piece per name, so that a long tuple folds over lines
            names = [repr(q) for q in sorted(query)]
            if len(names) == 1:
                args.append(f"query=({names[0]},)")
            else:
                args += [f"query=({names[0]}", *names[1:-1], f"{names[-1]})"]
        body = _body(op)
        if body is not None:
            args.append(f"body={body!r}")
        answer = _answer(op)
        if answer is not None:
            args.append(f"answer={answer!r}")
        lines.append(f"{name.upper()} = Operation(")
        lines.extend(_wrapped(args))
        lines.append(")")
    lines += ["", f"ALL: tuple[Operation, ...] = ({', '.join(_names(entries))},)", ""]
    return "\n".join(_fold(lines))


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items()
            for method, op in item.items() if method in METHODS]


def _query(op: dict[str, Any], spec: dict[str, Any]) -> set[str]:
    """The wire names of the operation's query parameters (``$ref``s resolved in ``spec``)."""
    params = [spec["components"]["parameters"][p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p
              else p for p in op.get("parameters", ())]
    return {p["name"] for p in params if p.get("in") == "query"}


def _body(op: dict[str, Any]) -> str | None:
    """The request body's type (a schema name, ``list[Name]``, ``bytes``), if it has one."""
    content = (op.get("requestBody") or {}).get("content") or {}
    return next((_schema_type(ct, c.get("schema", {})) for ct, c in content.items()), None)


def _answer(op: dict[str, Any]) -> str | None:
    """The success answer's type (as ``_body``); ``None`` when it has no body."""
    for code, response in sorted(op.get("responses", {}).items()):
        if code.startswith("2"):
            content = response.get("content") or {}
            return next((_schema_type(ct, c.get("schema", {})) for ct, c in content.items()),
                        None)
    return None


def _schema_type(content_type: str, schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list[{_schema_type(content_type, schema.get('items', {}))}]"
    if schema.get("format") == "binary" or not content_type.endswith("json"):
        return "bytes" if schema.get("format") == "binary" else "str"
    return {"string": "str", "integer": "int", "number": "float", "boolean": "bool",
            "object": "dict"}.get(schema.get("type", "object"), "dict")


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


def sync_module() -> str:
    """The source of ``lightly_async.sync._generated`` (see ``sync_twins.py``)."""
    return sync_twins.sync_module(RESOURCES, SESSION)


if __name__ == "__main__":
    sys.exit(main())
