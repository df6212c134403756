"""Where outputs live, for the targets whose files link to another target's files."""

from __future__ import annotations

import re

from errcodegen.ir import IR

ALERTS_FOLDER = "deploy/prometheus"
CATALOG_FOLDER = "docs/errors"


def slug(platform: str) -> str:
    """``virtengine`` for ``VirtEngine``, as the platform spells its metric names."""
    return re.sub(r"[^a-z0-9]+", "-", platform.lower()).strip("-") or "platform"


def rules_file(ir: IR) -> str:
    """``virtengine-errors.rules.yaml``: named after the platform."""
    return f"{slug(ir.name)}-errors.rules.yaml"
