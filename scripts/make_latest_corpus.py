"""Write ``tests/data/latest/*.json``: newest-shaped bodies the client's operations use.

A development-time tool; the tests read only the JSON it wrote. It builds the bodies from the
vendored ``spec/latest/lightly-api-latest.yaml`` (see ``scripts/derive_latest_spec.py``). The
bodies are those the client sends or decodes: the seed operations' (``x-operation-bodies``)
and those of the operations beyond the seeds (each operation of ``spec/beyond-seeds.yaml``,
found by method and path among the newest ``paths``). For each body schema (each variant of a
union separately) a ``full`` case with every optional field filled (arrays of numbers mix ints
and floats) and a ``minimal`` case with only the required ones (required nullable fields as
``null``). Run from the repository root::

    python scripts/make_latest_corpus.py            # needs only PyYAML

If ``lightly==1.5.20`` is importable (a scratch venv, see derive_latest_spec.py), every body is
also parsed by its generated models first, so the corpus holds only bodies the newest official
client accepts; ``--require-lightly`` makes that check mandatory.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "spec" / "latest" / "lightly-api-latest.yaml"
BEYOND_SEEDS = ROOT / "spec" / "beyond-seeds.yaml"
METHODS = ("get", "put", "post", "delete", "patch")
#: ``pattern`` -> a value matching it, where the name-based strings do not
PATTERN_EXAMPLES = {"^0b[01]{6}$": "0b000101", "^[a-f0-9]{24}$": "5f0c1c6e2a9b4c1d8e7f6a5b"}
OUT = ROOT / "tests" / "data" / "latest"



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require-lightly", action="store_true")
    args = parser.parse_args()
    document = yaml.safe_load(SPEC.read_text())
    schemas = document["components"]["schemas"]
    roots = corpus_roots(document, yaml.safe_load(BEYOND_SEEDS.read_text()))
    check = _official_checker(args.require_lightly)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.json"):
        old.unlink()
    total = 0
    for root in roots:
        cases = _Builder(schemas).cases(root)
        for case, body in cases.items():
            if check is not None:
                check(root, body, case)
        path = OUT / f"{root}.json"
        path.write_text(json.dumps({"schema": root, "cases": cases}, indent=1) + "\n")
        total += len(cases)
    print(f"wrote {total} bodies for {len(roots)} schemas to {OUT.relative_to(ROOT)}"
          + ("" if check else " (not checked against lightly: not importable)"), file=sys.stderr)


def corpus_roots(latest: dict[str, Any], beyond_seeds: dict[str, Any]) -> list[str]:
    """The schemas of every body the client sends or decodes, in the newest shape: the seed
    operations' (``x-operation-bodies``), those of ``spec/beyond-seeds.yaml``, and those of
    every operation a resource sends (``scripts/generate.py`` finds them in the source)."""
    names = {name for entry in latest["x-operation-bodies"].values() for name in entry.values()}
    called = set(client_operations())
    for item in latest["paths"].values():
        for method, op in item.items():
            if method in METHODS and op["operationId"] in called:
                names |= set(filter(None, (_schema_name(op.get("requestBody", {})),
                                           *map(_schema_name, op["responses"].values()))))
    for path, item in beyond_seeds["paths"].items():
        for method in METHODS:
            if method in item:
                op = latest["paths"][path][method]  # KeyError: the newest API lost it
                names |= set(filter(None, (_schema_name(op.get("requestBody", {})),
                                           *map(_schema_name, op["responses"].values()))))
    return sorted({name.strip("[]") for name in names} - {"string"})


def client_operations() -> list[str]:
    """The operation ids the client's resources send (read from their source)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    return sorted(generate._calls())


def _schema_name(part: dict[str, Any]) -> str | None:
    """A request body or answer -> its JSON schema's name (an array's: its items')."""
    schema = part.get("content", {}).get("application/json", {}).get("schema", {})
    while schema.get("type") == "array":
        schema = schema["items"]
    ref = schema.get("$ref")
    return None if ref is None else str(ref.rsplit("/", 1)[1])


class _Builder:
    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.counter = 0

    def cases(self, root: str) -> dict[str, Any]:
        schema = self.schemas[root]
        if "oneOf" in schema and "discriminator" in schema:
            out: dict[str, Any] = {}
            key = schema["discriminator"]["propertyName"]
            for tag, ref in schema["discriminator"]["mapping"].items():
                member = self.schemas[ref.rsplit("/", 1)[1]]
                for mode in ("full", "minimal"):
                    out[f"{tag}.{mode}"] = self.value(member, mode, root, tag=(key, tag))
            return out
        if "oneOf" in schema:  # TagArithmeticsResponse: one member per shape
            out = {}
            for ref in schema["oneOf"]:
                name = ref["$ref"].rsplit("/", 1)[1]
                for mode in ("full", "minimal"):
                    out[f"{name}.{mode}"] = self.value(self.schemas[name], mode, root)
            return out
        return {mode: self.value(schema, mode, root) for mode in ("full", "minimal")}

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while True:
            if "$ref" in schema:
                schema = self.schemas[schema["$ref"].rsplit("/", 1)[1]]
            elif "allOf" in schema:
                schema = schema["allOf"][0]
            else:
                return schema

    def value(self, schema: dict[str, Any], mode: str, name: str, *, index: int = 0,
              tag: tuple[str, str] | None = None) -> Any:
        schema = self.resolve(schema)
        self.counter += 1
        if "oneOf" in schema:
            mapping = schema.get("discriminator", {}).get("mapping")
            if mapping:  # cycle through the variants, so a list holds several
                tags = sorted(mapping)
                tag_value = tags[index % len(tags)]
                member = self.schemas[mapping[tag_value].rsplit("/", 1)[1]]
                return self.value(member, mode, name, tag=(
                    schema["discriminator"]["propertyName"], tag_value))
            return self.value(schema["oneOf"][index % len(schema["oneOf"])], mode, name)
        if "enum" in schema:
            values = schema["enum"]
            return values[(index + self.counter) % len(values)] if mode == "full" else values[0]
        kind = schema.get("type")
        if kind == "object":
            return self.object(schema, mode, tag)
        if kind == "array":
            return self.array(schema, mode, name)
        if kind == "integer":
            return self.integer(schema, name, index)
        if kind == "number":
            return self.number(schema, index)
        if kind == "boolean":
            return mode == "full" or index % 2 == 1
        if kind == "string":
            return self.patterned(schema, self.string(name, index))
        return f"any-{self.counter}"  # a free value (`JobStatusDataResult.data`)

    def object(self, schema: dict[str, Any], mode: str, tag: tuple[str, str] | None) -> Any:
        properties = schema.get("properties")
        if not properties:  # a free-form object: nested values of every JSON type
            return {"key": "value", "count": 3, "ratio": 0.5, "flag": True, "none": None,
                    "nested": {"list": [1, 2.5, "x"]}}
        required = set(schema.get("required", []))
        out: dict[str, Any] = {}
        for key, sub in properties.items():
            if mode == "minimal" and key not in required:
                continue
            if tag is not None and key == tag[0]:
                out[key] = tag[1]
            elif mode == "minimal" and sub.get("nullable"):
                out[key] = None
            else:
                out[key] = self.value(sub, mode, key)
        return out

    def array(self, schema: dict[str, Any], mode: str, name: str) -> list[Any]:
        low = schema.get("minItems", 0)
        high = schema.get("maxItems", 4)
        n = max(low, 1 if mode == "minimal" else min(3, high))
        if name == "keypoints":
            n = 6  # two (x, y, visibility) triplets
        return [self.value(schema["items"], mode, name, index=i) for i in range(n)]

    @staticmethod
    def integer(schema: dict[str, Any], name: str, index: int) -> int:
        if name.endswith(("At", "Timestamp")) or name == "ts":
            return 1_700_000_000_000 + index
        if schema.get("maximum") == 1:
            return index % 2
        return 3 + index

    @staticmethod
    def number(schema: dict[str, Any], index: int) -> int | float:
        # JSON has one number type: alternate floats and ints, both must survive as sent.
        if schema.get("maximum") == 1:
            return [0.25, 1, 0.5, 0][index % 4]
        if schema.get("maximum") == 100:
            return [42.5, 7][index % 2]
        return [10.5, 20, 30.25, 40][index % 4]

    @staticmethod
    def patterned(schema: dict[str, Any], value: str) -> str:
        """``value``, or an example of the schema's ``pattern`` when ``value`` does not match."""
        pattern = schema.get("pattern")
        if pattern is None or re.search(pattern, value):
            return value
        example = PATTERN_EXAMPLES[pattern]  # KeyError: a new pattern needs an example
        assert re.search(pattern, example), (pattern, example)
        return example

    def string(self, name: str, index: int) -> str:
        n = self.counter
        if name == "bitMaskData":
            return hex(0b1011 + n)
        if name in {"id", "tagId1", "tagId2"} or (name.endswith("Id") and name not in {
                "s3AccessKeyId", "obsAccessKeyId", "gcsProjectId", "s3ExternalId", "userId"}):
            return f"{n:024x}"
        if name in {"readUrl", "imageUrl", "image"}:
            return f"https://storage.example/bucket/img-{n}.jpg?X-Amz-Signature=sig{n}"
        if name == "s3ServerSideEncryptionKMSKey":
            return f"arn:aws:kms:eu-west-1:123456789012:key/key-{n}"
        if name == "obsEndpoint":
            return f"https://obs-{n}.example.com"
        if name == "webServerLocation":
            return "http://localhost:3456"
        if name == "fileName" or name == "lightlyFileName":
            return f"images/img-{n:04d}.jpg"
        if name == "fullPath":
            return f"bucket/path-{n}"
        if name == "thumbSuffix":
            return ".lightly/thumbnails/[filename]_thumb.[extension]"
        if name == "s3ARN":
            return f"arn:aws:iam::123456789012:role/lightly-{n}"
        if name == "s3ExternalId":
            return f"external-id-{n:06d}"
        if name == "distribution":  # 1.5.20's validator takes TARGET, UNIFORM or INPUT only
            return ["TARGET", "UNIFORM", "INPUT"][n % 3]
        if name == "cursor":
            return f"cursor-{n}"
        if name in {"name", "newTagName", "upsizeTagName", "taskName", "predictionTaskName",
                    "keypointNames", "from", "to", "tag1", "tag2"}:
            return f"name-{n}"
        return f"{name}-{n}-{index}"


def _official_checker(required: bool) -> Any:
    try:
        from lightly.openapi_generated.swagger_client import models
    except ImportError:
        if required:
            raise
        return None

    def check(root: str, body: Any, case: str) -> None:
        cls = getattr(models, root)
        try:
            parsed = cls.from_json(json.dumps(body))
        except Exception as exc:
            raise SystemExit(f"lightly 1.5.20 refuses {root} {case}: {exc}") from None
        if parsed is None:
            raise SystemExit(f"lightly 1.5.20 parsed {root} {case} to None")

    return check


if __name__ == "__main__":
    main()
