"""A hostile registry through the Python target (issue 8): the generated client lints,
type-checks, imports, and gives back every registry string byte for byte.

Messages, descriptions and actions push every escaping path; code and module names are
Python keywords, soft keywords and builtins. The check of the strings goes through the
``lookup``/``decode`` vectors the ``vectors`` target writes from the same registry, run
by the conformance runner against the generated package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
RUNNER = REPO / "tests/conformance/runners/python/runner.py"

HOSTILE = [
    'say "hi" and \'bye\' and """triple"""',
    "back\\slash\\ and \\n and \\u0041 stay",
    "*/ /* --> <!-- {{ x }} {% y %} ${z} `tick` %s %d %v",
    "line\nbreak\r\nCRLF\rCR\ttab",
    "rtl \u202e override, zero\u200bwidth, bom \ufeff",
    "emoji \U0001f600 and \U0001d518 and \u2028 sep \u2029",
    "ends with a backslash \\",
    'ends with a quote "',
    "x" * 3000,
    "#!/bin/sh; rm -rf / # ''' \"\"\" '",
]
NAMES = ["class", "def", "import", "none", "print", "type", "match", "case", "lambda", "self"]


def _hostile_spec(root: Path) -> Path:
    spec = root / "spec"
    (spec / "modules").mkdir(parents=True)
    for name in ("registry.yaml", "lint.yaml"):
        shutil.copy(REPO / "spec" / name, spec / name)
    for start, module in ((1000, "class"), (2000, "import")):
        codes = [
            {
                "number": start + index,
                "name": name,
                "message": HOSTILE[index % len(HOSTILE)],
                "category": "validation",
                "description": HOSTILE[(index + 3) % len(HOSTILE)],
                "action": HOSTILE[(index + 5) % len(HOSTILE)],
            }
            for index, name in enumerate(NAMES)
        ]
        body = {
            "name": module,
            "description": HOSTILE[0],
            "ranges": [{"start": start, "end": start + 99}],
            "codes": codes,
        }
        text = yaml.safe_dump(body, allow_unicode=True, sort_keys=False)
        (spec / "modules" / f"{module}.yaml").write_text(text, encoding="utf-8")
    sentinels = {
        "sentinels": [
            {
                "name": "none",
                "message": HOSTILE[1],
                "description": HOSTILE[2],
                "codes": ["class:1000"],
            },
        ]
    }
    (spec / "sentinels.yaml").write_text(yaml.safe_dump(sentinels, allow_unicode=True))
    return spec


@pytest.fixture(scope="module")
def hostile_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    spec = _hostile_spec(root)
    out = root / "out"
    generate = [sys.executable, "-m", "errcodegen", "generate", "--spec", str(spec)]
    result = subprocess.run(
        [*generate, "--root", str(out), "--only", "python", "--only", "vectors"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _run(argv: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, capture_output=True, text=True, check=False, env={**os.environ, **env}
    )


def test_the_generated_client_lints_and_type_checks(hostile_output: Path) -> None:
    client = hostile_output / "clients/python"
    config = str(client / "pyproject.toml")
    ruff = _run([sys.executable, "-m", "ruff", "check", "--config", config, str(client)])
    assert ruff.returncode == 0, ruff.stdout[-3000:]
    mypy = _run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            config,
            "--no-incremental",
            str(client / "src"),
        ]
    )
    assert mypy.returncode == 0, mypy.stdout[-3000:]


def test_runtime_strings_equal_the_registry_byte_for_byte(hostile_output: Path) -> None:
    vectors = hostile_output / "tests/conformance/generated"
    source = str(hostile_output / "clients/python/src")
    run = _run(
        [sys.executable, str(RUNNER), str(vectors / "lookup.json"), str(vectors / "decode.json")],
        PYTHONPATH=source,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert run.stdout.strip().splitlines()[-1] == f"{4 * len(NAMES)} passed, 0 failed"
    probe = _run(
        [
            sys.executable,
            "-c",
            "import virtengine_errors as v, sys; sys.stdout.write(v.catalog.CLASS_CLASS.message)",
        ],
        PYTHONPATH=source,
    )
    assert probe.stdout == HOSTILE[0]
