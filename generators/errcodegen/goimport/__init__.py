"""Go importer and drift report (``errcodegen import-go`` and ``errcodegen drift``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from errcodegen.goimport.merge import Difference, ImportPlan, apply_import, plan_import
from errcodegen.goimport.source import GoCode, GoSourceError, Scan, scan_go
from errcodegen.lint import lint_registry
from errcodegen.registry import load_registry

__all__ = [
    "Difference",
    "GoCode",
    "GoSourceError",
    "ImportPlan",
    "Scan",
    "drift",
    "import_go",
    "lint_hint",
    "scan_go",
]


def drift(spec: Path, sources: Sequence[Path]) -> ImportPlan:
    """What ``import_go`` would change; writes nothing."""
    return plan_import(load_registry(spec), scan_go(sources))


def import_go(spec: Path, sources: Sequence[Path]) -> tuple[ImportPlan, list[Path]]:
    """Merge the registrations under ``sources`` into the registry; return the files written."""
    registry = load_registry(spec)
    plan = plan_import(registry, scan_go(sources))
    return plan, apply_import(registry, plan)


def lint_hint(spec: Path) -> str | None:
    """A line pointing at lint errors the imported codes brought, if any.

    The importer records what is deployed, so a new code may break a numbering rule;
    ``generate`` refuses such a registry until the code is fixed or listed as a
    deployed exception.
    """
    errors = lint_registry(load_registry(spec)).errors
    if not errors:
        return None
    rules = sorted({f.rule for f in errors})
    return (
        f"lint: {len(errors)} error(s) ({', '.join(rules)}); see `errcodegen lint`, and record "
        "deployed codes with `errcodegen lint --write-exceptions`"
    )
