"""Fixtures: small registries written to a temporary folder, built on the real settings."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"

MakeRegistry = Callable[..., Path]


def module_yaml(
    name: str = "veid",
    start: int = 1000,
    end: int = 1099,
    codes: list[dict[str, object]] | None = None,
) -> str:
    """A module file; codes default to one valid code."""
    body = {
        "name": name,
        "description": f"The {name} module.",
        "ranges": [{"start": start, "end": end}],
        "codes": codes
        if codes is not None
        else [
            {
                "number": start,
                "name": "invalid_scope",
                "message": "invalid scope",
                "category": "validation",
            },
        ],
    }
    return yaml.safe_dump(body, sort_keys=False)


@pytest.fixture
def make_registry(tmp_path: Path) -> MakeRegistry:
    """``make_registry(files={"modules/veid.yaml": text, ...})`` -> a registry folder.

    registry.yaml and lint.yaml are the project's own unless ``files`` replaces them;
    lint exceptions start empty so that rules report at their configured level.
    """

    made = 0

    def make(files: dict[str, str] | None = None) -> Path:
        nonlocal made
        made += 1
        root = tmp_path / f"spec{made}" / "spec"
        (root / "modules").mkdir(parents=True)
        shutil.copy(SPEC / "registry.yaml", root / "registry.yaml")
        shutil.copy(SPEC / "lint.yaml", root / "lint.yaml")
        for relative, text in (files or {"modules/veid.yaml": module_yaml()}).items():
            (root / relative).write_text(text, encoding="utf-8")
        return root

    return make
