"""Synthetic registries of any size that lint clean, for measuring generation at scale."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]

# Offset blocks of the sub-range convention, and the category each block holds.
BLOCKS = [
    "validation",
    "not_found",
    "conflict",
    "unauthorized",
    "state",
    "external",
    "internal",
    "validation",
    "rate_limit",
]


def write_synthetic_registry(root: Path, modules: int, codes_per_module: int) -> Path:
    """A registry under ``root`` with ``modules`` x ``codes_per_module`` codes (at most 90 a
    module keep to the convention; more spill into further 100-blocks of the same module)."""
    if root.exists():
        shutil.rmtree(root)
    (root / "modules").mkdir(parents=True)
    for name in ("registry.yaml", "lint.yaml"):
        shutil.copy(REPO / "spec" / name, root / name)
    blocks = -(-codes_per_module // 90)
    for m in range(modules):
        start = 10_000 + m * 100 * blocks
        numbers = [start + 100 * b + o for b in range(blocks) for o in range(90)]
        codes = [_code(number, number % 100) for number in numbers[:codes_per_module]]
        module = {
            "name": f"module_{m:04d}",
            "description": f"Synthetic module {m}.",
            "ranges": [{"start": start, "end": start + 100 * blocks - 1}],
            "codes": codes,
        }
        (root / "modules" / f"module_{m:04d}.yaml").write_text(
            yaml.safe_dump(module, sort_keys=False), encoding="utf-8"
        )
    return root


def _code(number: int, offset: int) -> dict[str, object]:
    category = BLOCKS[offset // 10]
    return {
        "number": number,
        "name": f"{category}_condition_{number}",
        "message": f"synthetic {category.replace('_', ' ')} condition {number}",
        "category": category,
        "description": f"Raised when synthetic condition {number} occurs.",
    }
