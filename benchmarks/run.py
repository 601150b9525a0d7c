"""Run every benchmark in one go; print markdown tables and write the figures as JSON.

    python benchmarks/run.py [--json PATH] [--quick]
    python benchmarks/run.py --readme-from benchmarks/results.json   # runs nothing

A full run also writes its tables, with what each row measures, into benchmarks/README.md
(between the two markers there; the rest of that file is hand-written). ``--quick`` (one round
each, a smoke test) leaves the README and results.json alone (its figures go to
benchmarks/results/quick.json, ignored by git); ``--readme-from`` rewrites the README from
saved figures.

``nox -s bench`` runs this in an environment holding lightly_async as the README installs
it (``.[fake]``, no other extra), the official client (``lightly==1.5.20``) and, for the
transport table only, httpx and httpx-aiohttp. Every figure comes from this one run, against
servers on loopback in processes of their own: a minimal canned-answer server for the
client rows (`_loopback_server.py`), the fake for the memory rows.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import _official
import bench_api
import bench_first
import bench_local
import bench_process
import bench_shards
import bench_transport
from _common import load_average, log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="where the figures go (default: "
                        "results.json beside this file; with --quick results/quick.json)")
    parser.add_argument("--quick", action="store_true", help="one round each (a smoke test)")
    parser.add_argument("--readme", type=Path, default=README,
                        help="the markdown file whose latest-run section is rewritten")
    parser.add_argument("--readme-from", type=Path, metavar="JSON",
                        help="rewrite the README's latest run from saved figures; run nothing")
    args = parser.parse_args()
    if args.readme_from is not None:
        write_readme(json.loads(args.readme_from.read_text()), args.readme)
        log(f"{args.readme} rewritten from {args.readme_from}")
        return
    rounds = 1 if args.quick else 2
    if args.json is None:
        here = Path(__file__).parent
        args.json = here / "results" / "quick.json" if args.quick else here / "results.json"
        args.json.parent.mkdir(exist_ok=True)

    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine(), "load_before": load_average()}
    results["transport"] = bench_transport.run(rounds=rounds)
    results["default_transport"] = bench_api.default_transport_name()
    results["api"] = bench_api.run(rounds=rounds)
    results["first"] = bench_first.run(runs=2 if args.quick else 7)
    results["local"] = bench_local.run(rounds=3 if args.quick else 5)
    results["process"] = bench_process.run(import_runs=5 if args.quick else 9)
    results["shards"] = bench_shards.run(rounds=1)
    results["wall_s"] = time.perf_counter() - started
    results["load_after"] = load_average()
    results["goals"] = goals(results)

    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(render(results))
    log(f"figures written to {args.json} ({results['wall_s']:.0f} s)")
    if args.quick:
        log(f"--quick: {args.readme} left as it was (a smoke run's figures are not a result)")
    else:
        write_readme(results, args.readme)
        log(f"latest run written to {args.readme}")


def machine() -> dict[str, Any]:
    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {
        "date": datetime.date.today().isoformat(),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "packages": {name: version(name) for name in (
            "lightly-async", "httpx2", "httpcore2", "aiohttp", "httpx", "httpx-aiohttp",
            "cattrs", "lightly",
            "pydantic", "urllib3", "uvicorn", "starlette")},
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# -- goals ----------------------------------------------------------------------------------------
def goals(r: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per benchmark: our figure, theirs, the floor, the ratios and the verdicts."""
    api, local, proc = r["api"], r["local"], r["process"]
    bulk = api["bulk"]
    ours_bulk = bulk["seconds"]["lightly_async (default)"]
    theirs_bulk = bulk["seconds"]["official"]
    calls = api["per_call"]["seconds_per_call"]
    default = r["default_transport"]
    # What the default path's API calls run on: raw aiohttp on aiohttp's pool (they skip
    # httpx2 there), a bare httpx2 client on httpx2's.
    floor = bench_api.RAW if default == "aiohttp" else f"bare {default}"
    bare = calls[f"{floor} + json.loads"]
    ours_call = calls["lightly_async (default)"]
    pages = api["page"]["seconds_per_page"]
    ours_page = pages["lightly_async (default)"]
    bare_page = pages[f"{floor} + json.loads + structuring"]
    dec = local["decode"]["seconds"]
    bm = local["bitmask"]["seconds"]
    imp = proc["import"]["median_s"]
    mem = proc["memory"]
    big, small = mem["1000000"]["peak_rss_mb"], mem["100000"]["peak_rss_mb"]

    def row(name: str, ours: float, theirs: float | None, floor: float | None, unit: str,
            floor_name: str, checks: list[tuple[str, bool]], **extra: Any) -> dict[str, Any]:
        return {
            "benchmark": name, "unit": unit, "ours": ours, "official": theirs,
            "floor": floor, "floor_name": floor_name,
            "speedup_vs_official": None if theirs is None else theirs / ours,
            "ours_over_floor": None if floor is None else ours / floor,
            "goal": "; ".join(c for c, _ in checks) or NO_GOAL,
            "met": all(ok for _, ok in checks) if checks else None,
            "checks": [{"goal": c, "met": ok} for c, ok in checks], **extra,
        }

    rows = [
        row(f"1. Bulk: {bulk['n']:,} prediction upserts, {bulk['latency_s'] * 1000:g} ms "
            f"latency, concurrency {bulk['concurrency']}", ours_bulk, theirs_bulk,
            bulk["limit_s"], "s", "latency limit",
            [(">= 20x faster than official", theirs_bulk / ours_bulk >= 20),
             ("<= 1.3x the limit", ours_bulk / bulk["limit_s"] <= 1.3)],
            note=f"official timed on {bulk['official_subset']} sequential upserts, "
                 f"scaled per item"),
        row(f"2. Decode: one {local['decode']['rows']:,}-row raw-file page",
            dec["lightly_async"], dec["official"], dec["json.loads"], "s", "json.loads",
            [(">= 10x faster than official", dec["official"] / dec["lightly_async"] >= 10),
             ("<= 3x json.loads", dec["lightly_async"] / dec["json.loads"] <= 3)]),
        row(f"3. Per call: {api['per_call']['n']:,} sequential GET tag",
            ours_call, calls["official"], bare, "s", f"{floor} + json.loads",
            [("<= 1.0x official", ours_call / calls["official"] <= 1.0),
             ("<= 0.05 ms over the bare transport", ours_call - bare <= 50e-6)],
            overhead_s=ours_call - bare),
        row(f"7. Page, warm: one {api['page']['rows']:,}-row raw-file page over loopback",
            ours_page, pages["official"], bare_page, "s",
            f"{floor} + json.loads + structuring",
            [(">= 5x faster than official", pages["official"] / ours_page >= 5),
             ("<= 1.2x bare + json.loads + structuring", ours_page / bare_page <= 1.2)]),
    ]
    first = r.get("first")
    if first is not None:
        cold = first["cold_page"]
        cold_s, whole = cold["median_s"], cold["process_median_s"]
        rows.append(row(
            f"7. Page, cold: the first {cold['rows']:,}-row page of a new session "
            "(fresh process, median)", cold_s["lightly_async"], cold_s["official"],
            ours_page, "s", "lightly_async warm", [],
            note=f"the whole process to the first page, import included: lightly_async "
                 f"{_fmt(whole['lightly_async'], 's')}, official {_fmt(whole['official'], 's')}"))
    for key, label in (("to_hex", "indices -> hex"), ("to_indices", "hex -> indices")):
        ours, theirs = bm["lightly_async"][key], bm["official"][key]
        rows.append(row(f"4. BitMask {label}, {local['bitmask']['samples']:,} samples", ours,
                        theirs, None, "s", "", [(">= 100x faster than official",
                                                 theirs / ours >= 100)]))
    rows.append(row("5. Import (whole process, median)", imp["lightly_async"], imp["official"],
                    imp["python -c pass"], "s", "python -c pass",
                    [("<= 150 ms", imp["lightly_async"] <= 0.150),
                     (">= 8x faster than official", imp["official"] / imp["lightly_async"] >= 8)]))
    if first is not None:
        call = first["one_call"]["median_s"]
        for name, label in (("lightly_async", "async"), ("lightly_async (sync)", "sync facade")):
            rows.append(row(
                f"8. One call, whole process ({label}): import, session, one GET tag, exit",
                call[name], call["official"], call["python -c pass"], "s", "python -c pass",
                [("<= 0.5x official", call[name] / call["official"] <= 0.5)]))
    shards = r.get("shards")
    if shards is not None:
        key = f"shards={shards['shards']}"
        sharded, one = shards["seconds"][key], shards["seconds"]["one cursor"]
        limit = shards["rows"] / shards["page_size"] / shards["shards"] * shards["latency_s"]
        rows.append(row(
            f"9. list_raw_samples {shards['rows']:,} rows, {shards['latency_s'] * 1000:g} ms "
            f"per page: {key} vs one cursor", sharded, None, limit, "s",
            "latency limit of the windows",
            [(">= 5x faster than one cursor", one / sharded >= 5)],
            one_cursor_s=one, speedup_vs_one_cursor=one / sharded,
            note=f"one cursor {_fmt(one, 's')}: {one / sharded:.2f}x"))
    rows.append(row("6. Memory: peak RSS paging 1,000,000 rows "
                    f"({mem['page_size']:,}-row pages)", big, None, small, "MB",
                    "100,000 rows", [("<= 100 MB", big <= 100), ("<= 1.2x 100,000 rows",
                                                                 big / small <= 1.2)]))
    return rows


NO_GOAL = "— (reported, no goal)"


# -- benchmarks/README.md -------------------------------------------------------------------------
README = Path(__file__).with_name("README.md")
BEGIN = ("<!-- latest run: written by `nox -s bench` (benchmarks/run.py) from here to the end "
         "marker; edit outside the markers -->")
END = "<!-- end of the latest run -->"

# What each numbered row measures and why its goal is what it is (keyed by the row's number).
ROWS = {
    "1": "**Bulk**: `predictions.upsert_many` sends 2,000 upserts to a server that answers each "
         "after 20 ms, 32 in flight; the official client sends them one by one (timed on 200, "
         "scaled). Floor: the latency limit, N x latency / concurrency. Goals: at least 20x the "
         "official client, at most 1.3x the limit (what the client adds to the waiting).",
    "2": "**Decode**: one 10,000-row raw-file page, JSON bytes to models, no network. Floor: "
         "`json.loads` alone. Goals: at least 10x the official client, at most 3x `json.loads`.",
    "3": "**Per call**: sequential `tags.get` calls over loopback, the median of interleaved "
         "batches. Floor: the bare transport the default path runs on plus `json.loads`. "
         "Goals: no slower than the official client, at most 0.05 ms over the floor.",
    "4": "**BitMask**: 300,000 sample indices to the hex bitmask the API stores, and back. "
         "Goal: at least 100x the official client.",
    "5": "**Import**: a whole `python -c \"import lightly_async\"` process, the median of "
         "several. Floor: `python -c pass`. Goals: at most 150 ms, at least 8x the official "
         "client.",
    "6": "**Memory**: the peak RSS of a process paging through 1,000,000 raw-file rows of the "
         "fake in 1,000-row pages. Floor: the same for 100,000 rows. Goals: at most 100 MB, at "
         "most 1.2x the floor (memory does not grow with the listing).",
    "7": "**Page**: one 10,000-row raw-file page over loopback, request to models. *Warm*: "
         "a session's later pages (the session open, the connection made, the code loaded). "
         "Floor: the bare transport plus `json.loads` plus structuring the rows. Goals: at "
         "least 5x the official client, at most 1.2x the floor. *Cold*: the first page of a "
         "brand-new session in a fresh process, timed from just after the script's import "
         "line to the rows in hand: the session (`ApiWorkflowClient`, whose constructor asks "
         "the server for its minimum version first) built, the connection made, the code "
         "loaded on first use and lightly_async's decoder generated; the median of several "
         "processes. Its floor column is lightly_async's warm page. No goal: it is reported. "
         "The official client loads all its code at import (row 5), lightly_async on first "
         "use, so the cold page charges lightly_async for loading the official client did "
         "before; the note gives the whole process to the first page, import included.",
    "9": "**Listing fast**: `ds.datasource.list_raw_samples` over 100,000 raw files of the "
         "fake (its own process, 100-row pages), each page answered after 50 ms (a latency "
         "fault): `shards=8` (eight time windows read at once) "
         "against one cursor (one page after another), one round each; every listing checked "
         "(100,000 distinct files). Floor: the windows' latency limit (pages / 8 x 50 ms). "
         "Goal: at least 5x faster than one cursor. The fake serves on one thread, so its "
         "CPU per request (a few ms, more on a loaded machine) is paid eight times per step "
         "and caps the ratio below what a real, scaled-out API would give.",
    "8": "**One call, whole process**: the wall time of a script that imports the client, "
         "builds a session from the environment (`LIGHTLY_TOKEN`, `LIGHTLY_SERVER_LOCATION`), "
         "fetches one tag over loopback and exits: `asyncio.run` of `async with "
         "LightlySession()` and `tags.get`, the same with `lightly_async.sync`, and the "
         "official client's `ApiWorkflowClient(dataset_id=...).get_tag_by_id(...)`; the "
         "median of interleaved runs. Floor: `python -c pass`. Goal: at most 0.5x the "
         "official client.",
}
TABLES = (
    "The tables after the ratios: the pipeline's overhead on `httpx2.MockTransport` (no "
    "network at all); the peak memory of one answer far above `max_response_size` (the cap "
    "stops the read, the uncapped read holds it all); each HTTP stack on the same loopback "
    "server (the measurements behind the transport choice: aiohttp's pool on asyncio, httpx2's "
    "own under trio); and lightly_async by transport against the bare clients.")


def readme_section(r: dict[str, Any]) -> str:
    """The README's latest-run section: when and how, the tables, what each row measures."""
    numbers = dict.fromkeys(g["benchmark"].split(".")[0] for g in r["goals"])
    rows = [f"- {ROWS[n]}" for n in sorted(numbers, key=int) if n in ROWS]
    return "\n".join([
        render(r), "",
        "What each row measures:", "",
        *rows, "", TABLES])


def write_readme(r: dict[str, Any], path: Path = README) -> None:
    """Put the latest run between the markers of ``path``, leaving the rest as it is (a file
    without the markers gets the section appended; a missing file is created)."""
    block = f"{BEGIN}\n\n{readme_section(r)}\n\n{END}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    head, begin, rest = text.partition(BEGIN)
    _, end, tail = rest.partition(END)
    fresh = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(head + block + tail if begin and end else fresh)


# -- rendering -------------------------------------------------------------------------------------
def render(r: dict[str, Any]) -> str:
    m = r["machine"]
    pk = m["packages"]
    out = [
        f"Machine: {m['processor']}, {m['cpus']} CPUs, {m['platform']}, Python {m['python']}; "
        f"lightly_async {pk['lightly-async']} on {r['default_transport']} (httpx2 "
        f"{pk['httpx2']}, aiohttp {pk['aiohttp']}; compared: httpx {pk['httpx']}, "
        f"httpx-aiohttp {pk['httpx-aiohttp']}), official client "
        f"lightly {pk['lightly']} (pydantic {pk['pydantic']}, urllib3 {pk['urllib3']}); "
        f"{m['date']}; whole run {r['wall_s']:.0f} s.",
        "",
        f"Load average (1, 5, 15 min) before the run: {r['load_before']}; after: "
        f"{r['load_after']} ({m['cpus']} CPUs: a 1-minute figure above ~0.5 before the run "
        "means other work shared the machine).",
        "",
        f"Bulk, per-call, page and HTTP-stack rows: a minimal loopback server in its own "
        f"process (`_loopback_server.py` on {r['api']['server']['loop']}: canned answers, the "
        f"{r['api']['server']['page_bytes'] / 1e6:.1f} MB page encoded once; every bulk round "
        "checked there: all upserts arrived, each to its own sample). "
        + ("One-call and cold-page rows: the same server, every script in a fresh process. "
           if "first" in r else "") + "Memory rows: the fake.",
        "",
        "| benchmark | lightly_async | official 1.5.20 | floor | official ÷ ours "
        "| ours ÷ floor | goal | met |",
        "|---|---:|---:|---:|---:|---:|---|:-:|",
    ]
    for g in r["goals"]:
        floor = "—" if g["floor"] is None else f"{_fmt(g['floor'], g['unit'])} ({g['floor_name']})"
        out.append(
            f"| {g['benchmark']} | {_fmt(g['ours'], g['unit'])} | "
            f"{'—' if g['official'] is None else _fmt(g['official'], g['unit'])} | {floor} | "
            f"{_ratio(g['speedup_vs_official'])} | {_ratio(g['ours_over_floor'])} | "
            f"{g['goal']} | {_met(g['met'])} |")
    notes = [(g["benchmark"].split(":")[0], g["note"]) for g in r["goals"] if g.get("note")]
    out += ["", *(f"{name}: {note}." for name, note in notes)]
    out += ["", "The goals of issues 10 and 19 as ratios (a ratio <= 1 meets a `<=` goal, "
            ">= 1 a `>=` goal):",
            "", "| goal | ratio | met |", "|---|---:|:-:|"]
    for g in r["goals"]:
        for ratio_goal, value in _goal_ratios(g):
            out.append(f"| {g['benchmark'].split(':')[0]}: {ratio_goal} | {value} | "
                       f"{'met' if _check(g, ratio_goal) else '**not met**'} |")
    mock = r["local"].get("overhead")
    if mock:
        sec = mock["seconds_per_call"]
        extra = sec["lightly_async"] - sec["bare httpx2 + json.loads"]
        out += ["", f"Pipeline overhead without a network ({mock['n']:,} GET tag on "
                f"`httpx2.MockTransport`): lightly_async {sec['lightly_async'] * 1e6:.0f} µs, "
                f"bare httpx2 + json.loads {sec['bare httpx2 + json.loads'] * 1e6:.0f} µs per "
                f"call: {extra * 1e3:+.3f} ms ({'met' if extra <= 50e-6 else '**not met**'}: "
                "<= 0.05 ms)."]
    cap = r["process"].get("capped")
    if cap:
        out += ["", f"Capped answer: one `tags.list()` answered with a {cap[0]['body_mb']} MB "
                "body, peak RSS of a fresh process (MB):", "",
                "| max_response_size | raised | idle peak | peak |", "|---|---|---:|---:|"]
        for c in cap:
            out.append(f"| {c['cap']} | {c['error']} | {c['idle_peak_mb']:.0f} | "
                       f"{c['peak_mb']:.0f} |")

    t = r["transport"]
    concs = list(next(iter(t["bulk_s"].values())))
    out += [
        "",
        f"HTTP stacks: {t['n_bulk']} POSTs with {t['latency_ms']} ms server latency "
        f"at each concurrency (s), and sequential GETs (ms per call); near-zero-work server.",
        "",
        "| client | " + " | ".join(f"concurrency {c}" for c in concs) + " | per call |",
        "|---|" + "---:|" * (len(concs) + 1),
        "| latency limit | " + " | ".join(f"{t['limit_s'][c]:.2f}" for c in concs) + " | — |",
    ]
    for name, by_conc in t["bulk_s"].items():
        out.append(f"| {name} | " + " | ".join(f"{by_conc[c]:.2f}" for c in concs)
                   + f" | {t['sequential_s'][name] * 1000:.2f} |")

    api = r["api"]
    out += ["", "lightly_async against the loopback server, by transport (the `default` rows "
            "are what a plain `LightlySession` picks here):", "",
            "| contender | bulk (s) | per call (ms) |", "|---|---:|---:|"]
    bulk_s, call_s = api["bulk"]["seconds"], api["per_call"]["seconds_per_call"]
    for name in dict.fromkeys([*bulk_s, *call_s]):
        b = bulk_s.get(name)
        c = call_s.get(name)
        out.append(f"| {name} | {'—' if b is None else f'{b:.2f}'} | "
                   f"{'—' if c is None else f'{c * 1000:.3f}'} |")
    return "\n".join(out)


#: The goals the ratio table lists: issue 10's, and issue 19's one-call and import goals.
_RATIO_GOALS = ("<= 1.3x the limit", ">= 20x faster than official", "<= 1.0x official",
                "<= 0.05 ms over the bare transport", ">= 5x faster than official",
                "<= 1.2x bare + json.loads + structuring", "<= 0.5x official", "<= 150 ms")


def _goal_ratios(g: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for check in g["checks"]:
        goal = check["goal"]
        if goal not in _RATIO_GOALS:
            continue
        if goal.startswith(">="):
            value = f"{g['speedup_vs_official']:.2f}x"
        elif "official" in goal:
            value = f"{g['ours'] / g['official']:.2f}x"
        elif goal == "<= 150 ms":
            value = f"{g['ours'] * 1e3:.0f} ms ({g['ours'] / 0.150:.2f}x the budget)"
        elif goal.startswith("<= 0.05 ms"):
            value = f"{g['overhead_s'] * 1e3:.3f} ms ({g['overhead_s'] / 50e-6:.2f}x the budget)"
        else:
            value = f"{g['ours_over_floor']:.2f}x"
        out.append((goal, value))
    return out


def _check(g: dict[str, Any], goal: str) -> bool:
    return next(c["met"] for c in g["checks"] if c["goal"] == goal)


def _met(met: bool | None) -> str:
    return "—" if met is None else "yes" if met else "**no**"


def _fmt(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.1f} MB"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.001:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1e6:.0f} µs"


def _ratio(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f}x" if value >= 100 else f"{value:.2f}x"


if __name__ == "__main__":
    assert _official.VERSION == "1.5.20"
    main()
