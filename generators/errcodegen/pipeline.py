"""The whole run: load, validate, lint, build the IR, render every target, write."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from errcodegen.ir import IR
from errcodegen.ir.build import build_ir
from errcodegen.lint import LintReport, lint_registry
from errcodegen.registry import Registry, load_registry
from errcodegen.targets import Target, all_targets
from errcodegen.writer import Files, generation_lock, outdated_files, write_outputs


class LintFailed(Exception):
    """The registry has findings at level error; nothing was generated."""

    def __init__(self, report: LintReport) -> None:
        self.report = report
        super().__init__("\n".join(str(f) for f in report.errors))


class TargetFailed(Exception):
    """A target could not render; nothing was written."""

    def __init__(self, target: str, cause: Exception) -> None:
        self.target = target
        super().__init__(f"target {target} failed: {type(cause).__name__}: {cause}")


@dataclass
class Run:
    registry: Registry
    report: LintReport
    ir: IR
    outputs: dict[str, Files] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds


def prepare(spec: Path) -> Run:
    """Load, lint and build the IR; raise RegistryError or LintFailed."""
    started = time.perf_counter()
    registry = load_registry(spec)
    report = lint_registry(registry)
    if report.errors:
        raise LintFailed(report)
    ir = build_ir(registry)
    return Run(registry, report, ir, timings={"load+lint": time.perf_counter() - started})


def render(run: Run, targets: Sequence[Target] | None = None) -> None:
    """Render every target in memory; any failure raises before anything is written."""
    for target in targets if targets is not None else all_targets():
        started = time.perf_counter()
        try:
            run.outputs[target.folder] = target.render(run.ir)
        except Exception as exc:
            raise TargetFailed(target.name, exc) from exc
        run.timings[target.name] = time.perf_counter() - started


def generate(
    spec: Path, root: Path, targets: Sequence[Target] | None = None, check_only: bool = False
) -> tuple[Run, list[Path]]:
    """Regenerate under ``root``. Returns the run and the files changed (or, with
    ``check_only``, the files that would change)."""
    run = prepare(spec)
    render(run, targets)
    started = time.perf_counter()
    try:
        with generation_lock(root):
            if check_only:
                changed = outdated_files(root, run.outputs)
            else:
                changed = write_outputs(root, run.outputs)
    except OSError as exc:  # an output path unreadable or unwritable: all was undone
        raise TargetFailed("write", exc) from exc
    run.timings["write"] = time.perf_counter() - started
    return run, changed
