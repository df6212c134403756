"""The registry's categories against a held-out, hand-labelled sample.

``data/category_sample.tsv`` holds 60 codes drawn at random (seed 20261129) from those
whose category a review decides, each labelled from the platform's Go source alone (the
use site that decided it is in ``where``) by someone who did not see the registry's
category. It measures whether the registry's categories can be trusted: the agreement
must stay at 90% or more, and every disagreement is printed.
"""

from __future__ import annotations

import csv
from pathlib import Path

from errcodegen.ir.build import build_ir
from errcodegen.registry import load_registry

HERE = Path(__file__).resolve().parent
SPEC = HERE.parents[1] / "spec"
SAMPLE = HERE / "data/category_sample.tsv"


def test_the_registry_agrees_with_the_held_out_sample() -> None:
    ir = build_ir(load_registry(SPEC))
    categories = {code.key: code.category for code in ir.codes}
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        sample = list(csv.DictReader(f, delimiter="\t"))
    assert len(sample) == 60
    settings = {category.name for category in ir.categories}
    assert {row["category"] for row in sample} <= settings
    disagreements = [
        f"{key}: registry {categories[key]}, sample {row['category']} ({row['where']}: "
        f"{row['reason']})"
        for row in sample
        if categories[key := f"{row['module']}:{row['number']}"] != row["category"]
    ]
    agreement = 1 - len(disagreements) / len(sample)
    print(f"agreement {agreement:.1%}", *disagreements, sep="\n  ")
    assert agreement >= 0.90, disagreements
