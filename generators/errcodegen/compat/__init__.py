"""Breaking-change check between two registries (``errcodegen compat``)."""

from __future__ import annotations

from pathlib import Path

from errcodegen.compat.report import CompatReport, rules_text
from errcodegen.compat.rules import RULES, Change, CompatRule, compare
from errcodegen.compat.source import SourceError, previous_spec
from errcodegen.ir.build import build_ir
from errcodegen.registry import load_registry

__all__ = [
    "RULES",
    "Change",
    "CompatReport",
    "CompatRule",
    "SourceError",
    "check_compat",
    "compare",
    "rules_text",
]


def check_compat(spec: Path, against: str) -> CompatReport:
    """Compare the registry in ``spec`` with the one ``against`` names (path or git revision).

    Raises SourceError when ``against`` names nothing usable, RegistryError when
    either registry is invalid.
    """
    current = build_ir(load_registry(spec))
    with previous_spec(against, spec) as folder:
        previous = build_ir(load_registry(folder))
    return CompatReport(
        against=against,
        previous_version=previous.version,
        current_version=current.version,
        changes=tuple(compare(previous, current)),
    )
