"""Run every language's conformance runner on the same vector files and compare them.

Usage: python tests/conformance/compare.py --runner NAME='ARGV' [--runner ...] FILE...

Each runner prints one JSON line per case (``{"id", "pass", "got", "why"}``) and a
closing ``N passed, N failed`` line (FORMAT.md, "Runners"). This script prints each
language's counts, then a table of every case whose ``got`` values differ between
languages, member by member, and exits non-zero if any case failed, any runner
crashed, or any two languages disagree.
"""

from __future__ import annotations

import argparse
import json
import math
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

TOLERANCE = 0.001


@dataclass
class RunnerResult:
    name: str
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary: str = ""
    exit_code: int = 0
    stderr: str = ""

    @property
    def failed(self) -> list[str]:
        return [case_id for case_id, case in self.cases.items() if not case.get("pass")]


def run_runner(name: str, argv: list[str], files: list[str]) -> RunnerResult:
    process = subprocess.run([*argv, *files], capture_output=True, text=True, check=False)
    result = RunnerResult(name, exit_code=process.returncode, stderr=process.stderr)
    for line in process.stdout.splitlines():
        if line.startswith("{"):
            case = json.loads(line)
            result.cases[case["id"]] = case
        elif line.strip():
            result.summary = line.strip()
    return result


def same(a: Any, b: Any) -> bool:
    """Equality of JSON values, numbers compared within TOLERANCE (250 == 250.0).

    Iterative: a vector may hold a context nested hundreds of levels deep."""
    pending = [(a, b)]
    while pending:
        x, y = pending.pop()
        if isinstance(x, dict) and isinstance(y, dict):
            if x.keys() != y.keys():
                return False
            pending.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list) and isinstance(y, list):
            if len(x) != len(y):
                return False
            pending.extend(zip(x, y, strict=True))
        elif not _same_scalar(x, y):
            return False
    return True


def _same_scalar(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=0, abs_tol=TOLERANCE) or a == b
    return bool(a == b)


def disagreements(results: list[RunnerResult]) -> list[tuple[str, str, list[Any]]]:
    """(case id, member, value per language) wherever two languages' ``got`` differ."""
    rows: list[tuple[str, str, list[Any]]] = []
    missing = object()
    ids = sorted(set().union(*(r.cases for r in results)))
    for case_id in ids:
        gots = [r.cases.get(case_id, {}).get("got", missing) for r in results]
        if any(g is missing for g in gots):
            rows.append((case_id, "(case)", ["missing" if g is missing else "ran" for g in gots]))
            continue
        members = sorted(set().union(*(g.keys() for g in gots if isinstance(g, dict))))
        for member in members:
            values = [g.get(member, "(absent)") if isinstance(g, dict) else g for g in gots]
            if not all(same(values[0], v) for v in values[1:]):
                rows.append((case_id, member, values))
    return rows


def print_report(results: list[RunnerResult]) -> bool:
    ok = True
    for result in results:
        print(f"{result.name}: {result.summary or '(no summary line)'} (exit {result.exit_code})")
        for case_id in result.failed:
            print(f"  FAIL {case_id}: {result.cases[case_id].get('why', '')}")
        if result.exit_code != 0 and not result.failed:
            print(f"  runner error: {result.stderr.strip()[-2000:]}")
        ok = ok and result.exit_code == 0 and not result.failed and bool(result.cases)
    rows = disagreements(results)
    if rows:
        ok = False
        print(f"\n{len(rows)} disagreement(s) between languages:")
        print(format_table(["case", "member", *(r.name for r in results)], rows))
    else:
        print(f"\nall {len(results)} languages agree on every case")
    return ok


def format_table(header: list[str], rows: list[tuple[str, str, list[Any]]]) -> str:
    cells = [header] + [
        [case, member, *(_cell(v) for v in values)] for case, member, values in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_runner(text: str) -> tuple[str, list[str]]:
    name, _, command = text.partition("=")
    if not name or not command:
        raise argparse.ArgumentTypeError(f"expected NAME=COMMAND, got {text!r}")
    return name, shlex.split(command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runner", action="append", type=parse_runner, required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    results = [run_runner(name, command, args.files) for name, command in args.runner]
    return 0 if print_report(results) else 1


if __name__ == "__main__":
    sys.exit(main())
