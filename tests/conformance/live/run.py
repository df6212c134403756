"""Run every language's real transport through the live scenarios and compare.

Usage: python tests/conformance/live/run.py --runner NAME='ARGV' [...] [SCENARIO_FILE]

One scripted server on loopback serves all languages (a URL prefix per language).
Each scenario's outcome, and the requests that reached the server (count, method,
body, ``Idempotency-Key``, ``Retry-Attempt``), must match the scenario's ``expect``
and be the same in every language. Only the members an ``expect`` names are checked;
``max_elapsed_ms`` is a bound, not a value: the call (the body read included) must end
within it, as each runner measured it (``elapsed_ms``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compare import format_table, parse_runner
from live.server import ScriptedServer

DEFAULT_SCENARIOS = Path(__file__).with_name("scenarios.json")


def observe(
    server: ScriptedServer, prefix: str, scenario: dict[str, Any], line: dict[str, Any]
) -> dict[str, Any]:
    """What one language did in one scenario, in the shape of the scenario's ``expect``."""
    requests = server.requests_for(prefix, scenario["id"])
    keys = [r.headers.get("idempotency-key") for r in requests]
    wanted_body = scenario["request"].get("body", "").encode()
    error = line.get("error")
    return {
        "outcome": line.get("outcome"),
        "status": line.get("status"),
        "requests": len(requests),
        "retry_attempt": [r.headers.get("retry-attempt") for r in requests],
        "idempotency_key": _key_pattern(keys),
        "methods_ok": all(r.method == scenario["request"]["method"] for r in requests),
        "bodies_ok": all(r.body == wanted_body for r in requests),
        "error": None if error is None else {k: error.get(k) for k in ("type", "code", "attempts")},
        "phase": None if error is None else error.get("phase"),
        "stop_reason": line.get("stop_reason"),
        "max_elapsed_ms": line.get("elapsed_ms"),
    }


def matches(member: str, seen: Any, want: Any) -> bool:
    if member == "max_elapsed_ms":  # a bound: the call ended in time
        return isinstance(seen, (int, float)) and seen <= want
    return bool(seen == want)


def _key_pattern(keys: list[str | None]) -> str:
    if all(k is None for k in keys):
        return "absent"
    if keys and keys[0] and all(k == keys[0] for k in keys):
        return "same"
    return "differs: " + ", ".join(repr(k) for k in keys)


def expected(scenario: dict[str, Any]) -> dict[str, Any]:
    return {**scenario["expect"], "methods_ok": True, "bodies_ok": True}


def run_language(
    name: str, argv: list[str], server: ScriptedServer, file: Path
) -> dict[str, dict[str, Any]]:
    process = subprocess.run(
        [*argv, "--base-url", server.base_url, "--prefix", name, str(file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    lines = {}
    for text in process.stdout.splitlines():
        if text.startswith("{"):
            line = json.loads(text)
            lines[line["id"]] = line
    if process.returncode != 0:
        print(
            f"{name}: scenario runner exited {process.returncode}: {process.stderr.strip()[-2000:]}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runner", action="append", type=parse_runner, required=True)
    parser.add_argument("scenarios", nargs="?", type=Path, default=DEFAULT_SCENARIOS)
    args = parser.parse_args(argv)
    scenarios = json.loads(args.scenarios.read_text())["scenarios"]
    rows: list[tuple[str, str, list[Any]]] = []
    names = [name for name, _ in args.runner]
    with ScriptedServer(scenarios) as server:
        outputs = {
            name: run_language(name, command, server, args.scenarios)
            for name, command in args.runner
        }
        for scenario in scenarios:
            want = expected(scenario)
            seen = {
                n: observe(server, n, scenario, outputs[n].get(scenario["id"], {})) for n in names
            }
            for member in want:
                values = [seen[n][member] for n in names]
                if not all(matches(member, v, want[member]) for v in values):
                    rows.append((scenario["id"], member, [*values, want[member]]))
    for name in names:
        bad = {row[0] for row in rows if not matches(row[1], row[2][names.index(name)], row[2][-1])}
        print(f"{name}: {len(scenarios) - len(bad)} passed, {len(bad)} failed (live scenarios)")
    if rows:
        print(f"\n{len(rows)} live mismatch(es):")
        print(format_table(["scenario", "member", *names, "expected"], rows))
        return 1
    count = len(scenarios)
    print(f"\nall {len(names)} languages: same requests, expected outcome, {count} scenarios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
