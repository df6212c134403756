"""Generation at scale: wall time per stage of the full pipeline, and the third-party tools
alone on the same OpenAPI documents. Prints a Markdown table."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from synthetic import REPO, write_synthetic_registry

from errcodegen.pipeline import generate


def run_pipeline(spec: Path, out: Path) -> tuple[int, dict[str, float], float, float, Path]:
    """Codes, wall s per stage, wall s and CPU s (this process) of the whole pipeline."""
    started, cpu = time.perf_counter(), time.process_time()
    run, _ = generate(spec, out)
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    document = out / "spec/openapi/errors.openapi.yaml"
    return len(run.ir.codes), run.timings, total, cpu, document


def time_validator(document_path: Path) -> float:
    document = yaml.safe_load(document_path.read_text())
    started = time.perf_counter()
    validate(document)
    return time.perf_counter() - started


def time_datamodel_codegen(document_path: Path, scratch: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).parent / "datamodel-codegen"),
            "--input",
            str(document_path),
            "--input-file-type",
            "openapi",
            "--output-model-type",
            "pydantic_v2.BaseModel",
            "--disable-timestamp",
            "--output",
            str(scratch / "models.py"),
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def measure(
    sizes: list[str], scratch: Path, repeats: dict[str, int] | None = None
) -> list[dict[str, Any]]:
    """Each size generated ``repeats[size]`` times (default once); the median run counts."""
    repeats = repeats or {}
    rows = []
    for size in sizes:
        if size == "virtengine":
            spec = REPO / "spec"
        else:
            modules, per = (int(n) for n in size.split("x"))
            spec = write_synthetic_registry(scratch / f"spec-{size}", modules, per)
        runs = [
            run_pipeline(spec, scratch / f"out-{size}-{n}") for n in range(repeats.get(size, 1))
        ]
        codes, stages, total, _, document = sorted(runs, key=lambda r: r[2])[len(runs) // 2]
        rows.append(
            {
                "registry": size,
                "codes": codes,
                "total_s": total,  # the median run's (its stages are those below)
                "runs_s": [r[2] for r in runs],
                "cpu_s": [r[3] for r in runs],
                "stages_s": stages,
                "ms_per_code": 1000 * total / codes,
                "openapi_spec_validator_s": time_validator(document),
                "datamodel_codegen_s": time_datamodel_codegen(document, scratch),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--sizes", default="virtengine,41x100,200x100")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = measure(args.sizes.split(","), Path(tmp))
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


def markdown(rows: list[dict[str, object]]) -> str:
    stages = sorted({s for r in rows for s in r["stages_s"]}, key=_stage_order)  # type: ignore[attr-defined]
    head = [
        "registry",
        "codes",
        "total s",
        "ms/code",
        *[f"{s} s" for s in stages],
        "openapi-spec-validator alone s",
        "datamodel-codegen alone s",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [
            r["registry"],
            r["codes"],
            f"{r['total_s']:.2f}",
            f"{r['ms_per_code']:.2f}",
            *[f"{r['stages_s'].get(s, 0):.2f}" for s in stages],  # type: ignore[attr-defined]
            f"{r['openapi_spec_validator_s']:.2f}",
            f"{r['datamodel_codegen_s']:.2f}",
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def _stage_order(stage: str) -> tuple[int, str]:
    return (0 if stage == "load+lint" else 2 if stage == "write" else 1, stage)


if __name__ == "__main__":
    main()
