"""Breaking-change check between two registries (``errcodegen compat``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from errcodegen.compat.report import CompatReport, rules_text
from errcodegen.compat.rules import RULES, Change, CompatRule, compare
from errcodegen.compat.source import TEMP_PREFIX, SourceError, previous_spec
from errcodegen.ir.build import build_ir
from errcodegen.registry import RegistryError, load_registry

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
        try:
            previous = build_ir(load_registry(folder))
        except RegistryError as exc:
            raise _named_after(exc, folder, against) from None
    return CompatReport(
        against=against,
        previous_version=previous.version,
        current_version=current.version,
        changes=tuple(compare(previous, current)),
    )


def _named_after(error: RegistryError, folder: Path, against: str) -> RegistryError:
    """Problems in an extracted revision name ``REV:file``, not a temporary folder."""
    temporary = [p for p in folder.parents if p.name.startswith(TEMP_PREFIX)]
    if Path(against).exists() or not temporary:
        return error
    prefix = str(temporary[0])
    return RegistryError(
        [
            dataclasses.replace(p, file=f"{against}:{p.file[len(prefix) + 1 :]}")
            if p.file.startswith(prefix)
            else p
            for p in error.problems
        ]
    )
