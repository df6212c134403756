"""Every benchmark in one run, written as one Markdown report (docs/benchmarks.md).

Usage: python benchmarks/report.py --out docs/benchmarks.md --lang NAME='ARGV' [...]

Each ``--lang`` command prints one JSON line of raw samples (see the benchmark programs
under ``benchmarks/<language>/``): ``decode`` (per shape, ns per call of the decoder and
of the JSON parser in each round), ``success`` (CPU and wall ns of every request, bare
and retrying, in rounds), and per language ``import_ms`` (Python), ``bundle``
(TypeScript), ``init`` (Go). This script computes every median, spread and verdict, so
the three languages are judged alike (``stats.py``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import amplification
import bench_generate
import import_scan
from stats import Spread, percent_text, ratio_text, verdict_of_value
from synthetic import REPO

DECODE_LIMIT = 2.0  # decode / JSON parse
OVERHEAD_LIMIT = 0.05  # retrying / bare - 1
BUNDLE_LIMIT_BYTES = 10_000  # gzipped; 10 KB read as 10,000 bytes (not 10,240)
GENERATION_LIMITS_S = {"virtengine": 3.0, "41x100": 6.0}
GENERATION_RUNS = 3  # of the sizes with a target; verdict by the range of the runs
CATALOG_MODULES = ("catalog",)  # bundle inputs whose file name starts so: the code catalog


def language_results(commands: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    results = []
    for name, argv in commands:
        run = subprocess.run(argv, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"{name} benchmark failed ({shlex.join(argv)}):\n{run.stderr}")
        line = next(text for text in reversed(run.stdout.splitlines()) if text.startswith("{"))
        results.append({**json.loads(line), "language": name})
    return results


def machine() -> dict[str, str]:
    model = platform.processor() or "unknown"
    if shutil.which("lscpu"):
        listing = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in listing.splitlines():
            if line.startswith("Model name:"):
                model = line.partition(":")[2].strip()
    return {
        "cores": str(os.cpu_count()),
        "cpu": model,
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
    }


def revision() -> str:
    """The commit measured, and whether the clients differed from it."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    if not head:
        return "outside a git checkout"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "clients", "generators"],
        cwd=REPO,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"commit {head}" + (" with uncommitted changes to the clients" if dirty else "")


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


# Decode ---------------------------------------------------------------------------------


def decode_figures(result: dict[str, Any]) -> list[dict[str, Any]]:
    figures = []
    for shape in result["decode"]:
        ratios = [d / p for d, p in zip(shape["decode_ns"], shape["parse_ns"], strict=True)]
        figures.append(
            {
                "shape": shape["shape"],
                "decoded_as": shape.get("decoded_as", ""),
                "decode_ns": statistics.median(shape["decode_ns"]),
                "parse_ns": statistics.median(shape["parse_ns"]),
                "ratio": Spread.of(ratios),
                "allocs": (shape.get("decode_allocs"), shape.get("parse_allocs")),
                "public_ns": (
                    statistics.median(shape["decode_public_ns"])
                    if "decode_public_ns" in shape
                    else None
                ),
            }
        )
    return figures


def decode_markdown(results: list[dict[str, Any]]) -> str:
    head = [
        "language",
        "shape",
        "decoded as",
        "decode ns",
        "JSON parse ns",
        "decode / parse: median (IQR; range)",
        "target",
        "verdict",
    ]
    lines = [_row(head), _rule(len(head))]
    allocs = []
    public = []
    for result in results:
        for f in decode_figures(result):
            if f["public_ns"] is not None:
                public.append(
                    f"{f['shape']} {f['public_ns']:,.0f} ns "
                    f"({f['public_ns'] / f['parse_ns']:.1f}x the parse)"
                )
            r = f["ratio"]
            lines.append(
                _row(
                    [
                        result["language"],
                        f["shape"],
                        f"`{f['decoded_as']}`",
                        f"{f['decode_ns']:,.0f}",
                        f"{f['parse_ns']:,.0f}",
                        f"**{r.median:.2f}x** ({r.q1:.2f}..{r.q3:.2f}; {r.low:.2f}..{r.high:.2f})",
                        f"<= {DECODE_LIMIT:.0f}x",
                        r.verdict(DECODE_LIMIT),
                    ]
                )
            )
            if f["allocs"][0] is not None:
                allocs.append(f"{f['shape']} {f['allocs'][0]:.0f} (parse {f['allocs'][1]:.0f})")
    if allocs:
        lines += ["", "Go allocations per call, decode (parse): " + "; ".join(allocs) + "."]
    if public:
        lines += [
            "",
            "The TypeScript figures above are the decode of an attempt, as the retry helper "
            "runs it on every failed response (no stack trace: the error may never reach the "
            "caller). Diagnostic (not judged): the public `decodeError`, whose error is a "
            "native `Error` with the caller's stack trace, and the error `createFetch` hands "
            "over gets its stack the same way, once per call (11 rounds, median): "
            + "; ".join(public)
            + ".",
        ]
    return "\n".join(lines)


# Success path ---------------------------------------------------------------------------


def success_figures(result: dict[str, Any]) -> dict[str, Any]:
    rounds = result["success"]["rounds"]

    def ratios(kind: str, estimator: Callable[[list[float]], float]) -> list[float]:
        return [
            estimator(r[f"retry_{kind}_ns"]) / estimator(r[f"bare_{kind}_ns"]) - 1 for r in rounds
        ]

    def per_request_us(side: str, kind: str, estimator: Callable[[list[float]], float]) -> float:
        return float(statistics.median(estimator(r[f"{side}_{kind}_ns"]) for r in rounds)) / 1000

    return {
        "rounds": len(rounds),
        "per_round": result["success"]["requests_per_round"],
        "typical": Spread.of(ratios("cpu", statistics.median)),
        "total": Spread.of(ratios("cpu", statistics.fmean)),
        "wall": Spread.of(ratios("wall", statistics.median)),
        "bare_cpu_us": per_request_us("bare", "cpu", statistics.median),
        "retry_cpu_us": per_request_us("retry", "cpu", statistics.median),
        "bare_mean_us": per_request_us("bare", "cpu", statistics.fmean),
        "retry_mean_us": per_request_us("retry", "cpu", statistics.fmean),
        "bare_wall_us": per_request_us("bare", "wall", statistics.median),
        "allocs": (result["success"].get("bare_allocs"), result["success"].get("retry_allocs")),
    }


def success_markdown(results: list[dict[str, Any]]) -> str:
    head = [
        "language",
        "rounds x pairs",
        "client CPU us/request, bare -> retrying (median request)",
        "overhead, median request: median (IQR; range)",
        "verdict",
        "client CPU us/request, bare -> retrying (mean)",
        "overhead, all CPU: median (IQR; range)",
        "verdict",
        "wall us/request (bare), overhead",
    ]
    lines = [_row(head), _rule(len(head))]
    allocs = []
    for result in results:
        f = success_figures(result)
        t, a, w = f["typical"], f["total"], f["wall"]
        lines.append(
            _row(
                [
                    result["language"],
                    f"{f['rounds']} x {f['per_round']}",
                    f"{f['bare_cpu_us']:.1f} -> {f['retry_cpu_us']:.1f}",
                    f"**{100 * t.median:+.1f}%** ({100 * t.q1:+.1f}..{100 * t.q3:+.1f}; "
                    f"{100 * t.low:+.1f}..{100 * t.high:+.1f})",
                    t.verdict(OVERHEAD_LIMIT),
                    f"{f['bare_mean_us']:.1f} -> {f['retry_mean_us']:.1f}",
                    f"**{100 * a.median:+.1f}%** ({100 * a.q1:+.1f}..{100 * a.q3:+.1f}; "
                    f"{100 * a.low:+.1f}..{100 * a.high:+.1f})",
                    a.verdict(OVERHEAD_LIMIT),
                    f"{f['bare_wall_us']:.0f}, {100 * w.median:+.1f}% "
                    f"({100 * w.q1:+.1f}..{100 * w.q3:+.1f})",
                ]
            )
        )
        if f["allocs"][0] is not None:
            allocs.append(
                f"{result['language']}: {f['allocs'][0]:.0f} bare, {f['allocs'][1]:.0f} retrying"
            )
    if allocs:
        lines += ["", "Allocations per request: " + "; ".join(allocs) + "."]
    return "\n".join(lines)


# Bundle, init, import scan ----------------------------------------------------------------


def bundle_figures(bundle: dict[str, Any]) -> dict[str, Any]:
    catalog = [i for i in bundle["inputs"] if Path(i["path"]).name.startswith(CATALOG_MODULES)]
    catalog_bytes = sum(i["bytes"] for i in catalog)
    return {**bundle, "catalog_bytes": catalog_bytes, "catalog_inputs": catalog}


def bundle_markdown(bundle: dict[str, Any]) -> str:
    b = bundle_figures(bundle)
    share = b["catalog_bytes"] / b["minified_bytes"] if b["minified_bytes"] else 0.0
    lines = [
        f"esbuild {b['esbuild']}, `--bundle --minify --format=esm --platform=browser`, "
        "gzip level 9. The app: `benchmarks/typescript/src/bundle-app.ts` (`createFetch` "
        "and `instanceof NotFoundError`). Before it is measured, the bundle is run with a "
        "`fetch` that answers as the chain gateway does for a not-found code of the catalog "
        "(HTTP 500, gRPC Unknown, `codespace <module> code <number>`, no text): the run "
        "fails unless the bundle decodes it to `NotFoundError` with the registry's message, "
        "so a smaller bundle cannot pass by dropping a lookup the decoder needs.",
        "",
        _row(["minified bytes", "gzipped bytes", "target (gzipped)", "verdict", "code catalog"]),
        _rule(5),
        _row(
            [
                f"{b['minified_bytes']:,}",
                f"{b['gzipped_bytes']:,}",
                f"<= {BUNDLE_LIMIT_BYTES:,}",
                verdict_of_value(b["gzipped_bytes"], BUNDLE_LIMIT_BYTES),
                f"{b['catalog_bytes']:,} minified bytes ({100 * share:.0f}% of the bundle)",
            ]
        ),
        "",
        "Each module's bytes in the minified output (esbuild metafile `bytesInOutput`); "
        "the code catalog is the modules whose file name starts with `catalog`: "
        + ", ".join(f"`{i['path']}` {i['bytes']:,}" for i in b["inputs"])
        + ".",
    ]
    return "\n".join(lines)


def init_allocs(init: dict[str, Any]) -> int:
    """The allocations judged: at init, or at the first decode if more (a lazy catalog)."""
    first = init.get("first_decode", {}).get("allocs", 0)
    return max(int(init["allocs"]), int(first))


def init_markdown(init: dict[str, Any], codes: int) -> str:
    allocs = init["allocs"]
    clock = statistics.median(init["clock_ms"])
    first = init.get("first_decode")
    lines = [
        _row(["package", "allocations", "bytes", "clock ms", "codes", "target", "verdict"]),
        _rule(7),
        _row(
            [
                f"`{init['package']}`",
                f"{allocs:,}",
                f"{init['bytes']:,}",
                f"{clock:.3f} ({len(init['clock_ms'])} runs)",
                f"{codes:,}",
                f"no per-code allocations: fewer than {codes:,}",
                verdict_of_value(init_allocs(init), codes - 1),
            ]
        ),
        "",
        (
            f"The first `DecodeError` of a fresh process (a gateway status naming `veid:1036`, "
            f"so the catalog is looked up) makes {first['allocs']:,} allocations "
            f"({first['bytes']:,} bytes): a catalog built lazily on first use would show "
            "here, and the verdict counts the larger of the two."
            if first
            else ""
        ),
        "",
        f"The runtime's line: `{init['line'] or '(no init work: the runtime prints no line)'}`."
        + go_regexp_note(),
    ]
    return "\n".join(lines)


def go_regexp_note() -> str:
    if not shutil.which("go"):
        return ""
    deps = subprocess.run(
        ["go", "list", "-deps", "."], cwd=REPO / "clients" / "go", capture_output=True, text=True
    )
    if deps.returncode != 0:
        return ""
    links = "regexp" in deps.stdout.split()
    return " The client package " + ("imports" if links else "does not import") + " `regexp`."


def scan_markdown(scan: dict[str, Any]) -> str:
    head = [
        "tree",
        "Go files (read)",
        "registrations",
        "wall s: median (range)",
        "CPU s: median (range)",
        "target (wall)",
        "verdict",
    ]
    lines = [_row(head), _rule(len(head))]
    for r in scan["rows"]:
        wall, cpu = r["wall_s"], r["cpu_s"]
        target = r["tree"].startswith("synthetic")
        verdict = range_verdict(wall, import_scan.TARGET_S)
        lines.append(
            _row(
                [
                    r["tree"],
                    f"{r['files']:,} ({r['files_read']:,})",
                    f"{r['registrations']:,}",
                    f"{statistics.median(wall):.2f} ({min(wall):.2f}..{max(wall):.2f})",
                    f"{statistics.median(cpu):.2f} ({min(cpu):.2f}..{max(cpu):.2f})",
                    f"< {import_scan.TARGET_S:.0f} s" if target else "none (information)",
                    verdict if target else "",
                ]
            )
        )
    return "\n".join([*lines, "", scan["note"]])


def amplification_markdown(rows: list[amplification.Result]) -> str:
    head = [
        "scenario",
        "policy",
        "requests",
        "attempts / request",
        "success rate",
        "simulated time s",
        "target",
        "verdict",
    ]
    lines = [_row(head), _rule(len(head))]
    for r in rows:
        lines.append(
            _row(
                [
                    r.scenario,
                    r.policy,
                    str(r.requests),
                    f"{r.attempts_per_request:.3f}",
                    f"{100 * r.success_rate:.2f}%",
                    f"{r.simulated_seconds:.1f}",
                    r.target,
                    r.verdict,
                ]
            )
        )
    return "\n".join(lines)


# Summary ----------------------------------------------------------------------------------


def summary_markdown(
    generation: list[dict[str, Any]],
    results: list[dict[str, Any]],
    scan: dict[str, Any],
    retries: list[amplification.Result],
) -> str:
    rows: list[list[str]] = []
    for g in generation:
        if g["registry"] in GENERATION_LIMITS_S:
            limit = GENERATION_LIMITS_S[g["registry"]]
            rows.append(
                [
                    f"generation, {g['registry']} ({g['codes']:,} codes)",
                    f"{g['total_s']:.2f} s wall ({min(g['runs_s']):.2f}..{max(g['runs_s']):.2f}, "
                    f"{len(g['runs_s'])} runs), {statistics.median(g['cpu_s']):.2f} s CPU",
                    f"< {limit:.0f} s",
                    range_verdict(g["runs_s"], limit),
                ]
            )
    for result in results:
        for f in decode_figures(result):
            rows.append(
                [
                    f"{result['language']} decode / JSON parse, {f['shape']}",
                    ratio_text(f["ratio"]),
                    f"<= {DECODE_LIMIT:.0f}x",
                    f["ratio"].verdict(DECODE_LIMIT),
                ]
            )
    for result in results:
        s = success_figures(result)
        for label, spread in (("median request", s["typical"]), ("all CPU", s["total"])):
            rows.append(
                [
                    f"{result['language']} success-path overhead, client CPU, {label}",
                    percent_text(spread),
                    f"<= {100 * OVERHEAD_LIMIT:.0f}%",
                    spread.verdict(OVERHEAD_LIMIT),
                ]
            )
    codes = next((g["codes"] for g in generation if g["registry"] == "virtengine"), 0)
    for result in results:
        if "bundle" in result:
            b = bundle_figures(result["bundle"])
            rows.append(
                [
                    "browser bundle (createFetch + NotFoundError), gzipped",
                    f"{b['gzipped_bytes']:,} bytes ({b['minified_bytes']:,} minified, "
                    f"catalog {b['catalog_bytes']:,})",
                    f"<= {BUNDLE_LIMIT_BYTES:,} bytes",
                    verdict_of_value(b["gzipped_bytes"], BUNDLE_LIMIT_BYTES),
                ]
            )
        if "init" in result:
            i = result["init"]
            rows.append(
                [
                    "Go package init",
                    f"{i['allocs']:,} allocations, {i['bytes']:,} bytes"
                    + (
                        f"; first decode {i['first_decode']['allocs']:,} allocations"
                        if "first_decode" in i
                        else ""
                    ),
                    f"no per-code allocations (< {codes:,})",
                    verdict_of_value(init_allocs(i), codes - 1),
                ]
            )
    for r in scan["rows"]:
        if r["tree"].startswith("synthetic"):
            wall = r["wall_s"]
            verdict = range_verdict(wall, import_scan.TARGET_S)
            rows.append(
                [
                    f"import scan, {r['files']:,} files, {r['registrations']:,} registrations",
                    f"{statistics.median(wall):.2f} s wall ({min(wall):.2f}..{max(wall):.2f}), "
                    f"{statistics.median(r['cpu_s']):.2f} s CPU",
                    f"< {import_scan.TARGET_S:.0f} s wall",
                    verdict,
                ]
            )
    for a in retries:
        if a.policy == "ours":
            rows.append(
                [
                    f"retry amplification, {a.scenario}",
                    f"{a.attempts_per_request:.3f} attempts/request, "
                    f"{100 * a.success_rate:.2f}% success",
                    a.target,
                    a.verdict,
                ]
            )
    head = ["figure", "measured", "target", "verdict"]
    return "\n".join([_row(head), _rule(4), *(_row(r) for r in rows)])


def range_verdict(values: list[float], limit: float) -> str:
    """A few runs of a wall-time figure: met if all are under the limit, MISSED if none."""
    if max(values) < limit:
        return "met"
    return "MISSED" if min(values) >= limit else "not shown"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _rule(n: int) -> str:
    return "|" + "---|" * n


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--lang",
        action="append",
        default=[],
        type=lambda t: (t.partition("=")[0], shlex.split(t.partition("=")[2])),
    )
    parser.add_argument("--sizes", default="virtengine,41x100,200x100")
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.UTC)
    measured = revision()
    load_before = load()
    host = machine()
    retries = amplification.run_all()  # quick, and fails fast on a client API change
    results = language_results(args.lang)  # first: right after the session built the clients
    with tempfile.TemporaryDirectory() as tmp:
        repeats = dict.fromkeys(GENERATION_LIMITS_S, GENERATION_RUNS)
        generation = bench_generate.measure(args.sizes.split(","), Path(tmp), repeats)
        scan = import_scan.measure(Path(tmp))
    minutes = (datetime.datetime.now(datetime.UTC) - started).total_seconds() / 60
    runtimes = "; ".join(f"{r['language']}: {r['runtime']}" for r in results if "runtime" in r)
    imports = [f"{r['language']} {r['import_ms']:.1f} ms" for r in results if "import_ms" in r]
    go = next((r for r in results if "init" in r), None)
    codes = next((g["codes"] for g in generation if g["registry"] == "virtengine"), 0)
    typescript = next((r for r in results if "bundle" in r), None)
    decode_rounds = "/".join(
        str(n) for n in sorted({len(s["decode_ns"]) for r in results for s in r["decode"]})
    )
    import_note = ""
    if imports:
        import_note = "Import time of the generated Python package (fastest of 7, bytecode "
        import_note += "cached): " + "; ".join(imports) + "."
    report = f"""<!-- Code generated by nox -s bench. DO NOT EDIT. -->
# Benchmarks

Measured on {started:%Y-%m-%d} (UTC, {minutes:.1f} minutes) on {host["cores"]} cores,
{host["cpu"]}, {host["system"]}; Python {host["python"]}; {runtimes};
{measured}.
Load average (1, 5, 15 min) {load_before} at the start and {load()} at the end: the
machine is shared, so every client figure below is CPU time of the client process, in
alternating rounds, reported as the median of the rounds with its interquartile range
(IQR) and range. A verdict is **met** when the whole IQR is within the target,
**MISSED** when the whole IQR is beyond it, and **not shown** when the IQR straddles the
target. Regenerate with `nox -s bench` (the platform's own tree is scanned too when
`{import_scan.PLATFORM_ENV}` names it).

## Every figure beside its target

{summary_markdown(generation, results, scan, retries)}

## Decode cost against the JSON parser

Each shape's bytes and headers as the platform's servers send them (`benchmarks/shapes.json`:
the envelope; the chain REST gateway's status `{{"code":2,"message":"codespace veid code
1036: ML inference failed","details":[]}}`; the rate-limit middleware's 429 with
`Retry-After` and `X-RateLimit-*`; the portal's `{{"error": "..."}}`; a `text/plain`
body) decoded into the typed error, against the language's JSON parser on the same bytes
(the text body: the same text as a JSON string). Python `json.loads`; TypeScript
`JSON.parse` after UTF-8 decoding (the decoder gets bytes too); Go `encoding/json` into a
struct of the shape's members. {decode_rounds} rounds per shape, decoder and parser alternating
(the order flips every round), each side about 20 ms of CPU a round; ns per call are
the medians of the rounds, the ratio is taken per round.

{decode_markdown(results)}

## Success-path overhead of the retrying client

GETs answered 200 by a keep-alive server on loopback that runs in another process (its
CPU is not counted), through the bare client (Python `httpx.Client`, TypeScript global
`fetch`, Go `http.Transport`) and through the retrying one (`RetryTransport`,
`createFetch()`, `veerrors.Transport` over its own `http.Transport`). After a warm-up,
the two take turns request by request (the order flips every pair, so both see the same
load from the machine's other processes); every request's client CPU time is read
(Python `time.process_time_ns`, Node `process.cpuUsage()`, Go
`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`: the whole client process, all threads). Per
round, the overhead is retrying / bare - 1 of the **median request** (what the retrying
path adds to a request) and of the **mean** (all CPU, including garbage-collector and JIT
bursts, which land on either side; Python's cyclic collector is off during the rounds).
The verdict of record is the median request's; the all-CPU figure is shown beside it
with its own verdict. Wall time is information only.

{success_markdown(results)}

## Browser bundle

{bundle_markdown(typescript["bundle"]) if typescript else "Not measured: no TypeScript result."}

## Go package init

The benchmark binary run with `GODEBUG=inittrace=1` (it exits at once); the runtime
prints the client package's init cost. Target: no allocation per code beyond the catalog
itself, read as fewer allocations than the registry has codes ({codes:,}).

{init_markdown(go["init"], codes) if go else "Not measured: no Go result."}

## Import scan

`errcodegen drift --go-src TREE --format json` (the shipped Go scanner, built and cached
before the timed runs) on a generated tree shaped like the platform's
(`benchmarks/synthetic.py`: 55 modules of 20 registrations in `types/errors.go` in the
three registration shapes, with keeper, CLI, simulation, test and library files around
them); the run fails if it does not read all 1,100 registrations. {import_scan.RUNS} timed
runs; CPU is user + system time of the command and the scanner it waits for.

{scan_markdown(scan)}

## Generation

Wall time of the full `generate` pipeline per stage (the median of {GENERATION_RUNS} runs
for the sizes with a target, one run otherwise), and the third-party tools alone on the
same OpenAPI document; `virtengine` is the registry in `spec/` at its real size. The
targets are wall time, judged on the range of the runs (met when every run is under it).

{bench_generate.markdown(generation)}

Cost per code (ms): {", ".join(f"{g['registry']} {g['ms_per_code']:.2f}" for g in generation)}.
{import_note}

## Retry amplification

{amplification.DESCRIPTION}

{amplification_markdown(retries)}
"""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
