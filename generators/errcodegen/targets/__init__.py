"""Output targets. Each renders the IR into files under one folder of the repository."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from errcodegen.ir import IR
from errcodegen.writer import Files


@dataclass(frozen=True)
class Target:
    name: str
    folder: str  # relative to the repository root
    render: Callable[[IR], Files]


def all_targets() -> list[Target]:
    """Every target, in the order they run."""
    from errcodegen.targets import alerts, docs, go, openapi, python, typescript, vectors

    return [
        openapi.TARGET,
        vectors.TARGET,
        python.TARGET,
        typescript.TARGET,
        go.TARGET,
        docs.TARGET,
        alerts.TARGET,
    ]
