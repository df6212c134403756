"""Prove the cross-language table catches a wrong client.

Runs the retry vectors through the real runners, with the first one wrapped by a
mutant that behaves as a client ignoring the idempotency gate would on one case
(it reports the POST as retried and successful, and claims a pass). The comparison
must fail and name that case in its table.

Usage: python tests/conformance/check_mutant.py --runner NAME='ARGV' [...]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shlex
import subprocess
import sys
from pathlib import Path

from compare import main as compare
from compare import parse_runner

MUTATED_CASE = "retry/gate/post-503-no-key"
VECTORS = Path(__file__).with_name("vectors") / "retry.json"


def mutate(argv: list[str]) -> int:
    """Run the real runner, then rewrite its line for MUTATED_CASE."""
    process = subprocess.run(argv, capture_output=True, text=True, check=False)
    for line in process.stdout.splitlines():
        if line.startswith("{") and json.loads(line)["id"] == MUTATED_CASE:
            case = json.loads(line)
            case["got"].update(outcome="success", attempts=2, sleeps_ms=[250], error=None)
            case["pass"] = True
            line = json.dumps(case)
        print(line)
    return process.returncode


def main() -> int:
    if sys.argv[1:2] == ["--mutate"]:
        return mutate(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runner", action="append", type=parse_runner, required=True)
    runners = parser.parse_args().runner
    (victim, argv), *others = runners
    mutant = [sys.executable, __file__, "--mutate", *argv]
    flags = [f"--runner={victim}-mutant={shlex.join(mutant)}"]
    flags += [f"--runner={name}={shlex.join(command)}" for name, command in others]
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        status = compare([*flags, str(VECTORS)])
    report = output.getvalue()
    caught = status != 0 and any(
        line.startswith(MUTATED_CASE) and "attempts" in line for line in report.splitlines()
    )
    print(report)
    verdict = "caught" if caught else "NOT caught"
    print(f"mutant {verdict}: {victim} ignoring the idempotency gate on {MUTATED_CASE}")
    return 0 if caught else 1


if __name__ == "__main__":
    sys.exit(main())
