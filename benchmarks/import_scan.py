"""Import scan speed: ``errcodegen drift --go-src TREE`` on a synthetic Go tree of 2,000
files with 1,100 registrations, and on the platform's own tree when
``ERRCODEGEN_BENCH_PLATFORM_SRC`` names it (optional: skipped when unset or absent).

Each tree is scanned once untimed (it builds the shipped Go scanner if the cache lacks
it, and fills the page cache), then ``RUNS`` times; wall time and the CPU time of the
command and everything it waited for (the Go scanner) come from ``os.wait4``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from synthetic import REPO, write_synthetic_go_tree

RUNS = 3
FILES = 2000
REGISTRATIONS = 1100
TARGET_S = 10.0
PLATFORM_ENV = "ERRCODEGEN_BENCH_PLATFORM_SRC"


def drift(tree: Path) -> tuple[float, float, dict[str, Any]]:
    """Wall s, CPU s (user + system, children included) and the JSON report of one run."""
    argv = [sys.executable, "-m", "errcodegen", "drift", "--spec", str(REPO / "spec")]
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            [*argv, "--go-src", str(tree), "--format", "json"], stdout=stdout, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)  # the rusage of it and its children
        wall = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        if code not in (0, 1):  # 1: the tree and the registry differ, as a synthetic tree does
            raise RuntimeError(f"errcodegen drift exited {code}:\n{stderr.read().decode()}")
        return wall, usage.ru_utime + usage.ru_stime, json.loads(stdout.read())


def time_tree(name: str, tree: Path, expect_registrations: int | None) -> dict[str, Any]:
    drift(tree)  # untimed: scanner build, page cache
    walls, cpus = [], []
    report: dict[str, Any] = {}
    for _ in range(RUNS):
        wall, cpu, report = drift(tree)
        walls.append(wall)
        cpus.append(cpu)
    found = report["registrations"]
    if expect_registrations is not None and found != expect_registrations:
        raise RuntimeError(f"{name}: drift read {found} registrations, want {expect_registrations}")
    return {
        "tree": name,
        "files": report["files_read"] + len(report["skipped"]),
        "files_read": report["files_read"],
        "registrations": found,
        "wall_s": walls,
        "cpu_s": cpus,
    }


def measure(scratch: Path) -> dict[str, Any]:
    tree = scratch / "synthetic-go"
    counts = write_synthetic_go_tree(tree, FILES, REGISTRATIONS)
    rows = [time_tree(f"synthetic ({counts['modules']} modules)", tree, REGISTRATIONS)]
    platform = os.environ.get(PLATFORM_ENV, "")
    note = f"{PLATFORM_ENV} not set: the platform's tree was not scanned."
    if platform:
        if Path(platform).is_dir():
            rows.append(time_tree("platform", Path(platform), None))
            note = f"The platform's tree from {PLATFORM_ENV}."
        else:
            note = f"{PLATFORM_ENV} names no folder: the platform's tree was not scanned."
    return {"rows": rows, "note": note}
