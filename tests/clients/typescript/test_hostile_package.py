"""A hostile registry through the TypeScript target (issue 8).

Messages, descriptions and actions push every escaping path (quotes, backslashes, `*/`,
backticks, `${`, line and paragraph separators, bidi overrides, astral characters);
module, code and sentinel names are JavaScript keywords and Object.prototype members.
The generated package must pass `tsc --noEmit` (strict) and ESLint, compile, and give back every
registry string exactly: the conformance runner checks the `lookup`/`decode` vectors the
`vectors` target writes from the same registry against the generated package.

It needs the client, these tests and the conformance runner built (`nox -s typescript`
does it); without them it is skipped, or fails under ERRCODEGEN_REQUIRE_ALL.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
CLIENT = REPO / "clients/typescript"
RUNNER = REPO / "tests/conformance/runners/typescript"
TESTS = Path(__file__).resolve().parent

HOSTILE = [
    "say \"hi\" and 'bye' and `tick` and ${injected} and `${x}`",
    "back\\slash\\ and \\n and \\u0041 and \\x41 stay",
    "*/ /* --> <!-- </script> {{ x }} {% y %} %s",
    "line\nbreak\r\nCRLF\rCR\ttab",
    "rtl \u202e override, zero\u200bwidth, bom \ufeff",
    "emoji \U0001f600 and \U0001d518 and \u2028 sep \u2029",
    "ends with a backslash \\",
    'ends with a quote "',
    "x" * 3000,
    "#!/usr/bin/env node\n// @ts-nocheck\nprocess.exit(1)",
]
NAMES = [
    "class",
    "function",
    "constructor",
    "prototype",
    "proto",
    "to_string",
    "has_own_property",
    "default",
    "await",
    "value_of",
]


def hostile_spec(root: Path) -> Path:
    spec = root / "spec"
    (spec / "modules").mkdir(parents=True)
    for name in ("registry.yaml", "lint.yaml"):
        shutil.copy(REPO / "spec" / name, spec / name)
    for start, module in ((1000, "class"), (2000, "constructor")):
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
    sentinels = [
        {
            "name": "constructor",
            "message": HOSTILE[1],
            "description": HOSTILE[2],
            "codes": ["class:1000"],
        },
        {
            "name": "default",
            "message": HOSTILE[2],
            "description": HOSTILE[9],
            "categories": ["validation"],
        },
    ]
    (spec / "sentinels.yaml").write_text(
        yaml.safe_dump({"sentinels": sentinels}, allow_unicode=True), encoding="utf-8"
    )
    return spec


def run(argv: list[str], cwd: Path | None = None) -> str:
    result = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, (
        f"{' '.join(argv)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    return result.stdout


def require_built() -> None:
    needed = [
        CLIENT / "node_modules/typescript/bin/tsc",
        TESTS / "node_modules/eslint/bin/eslint.js",
        RUNNER / "dist/runner.js",
    ]
    missing = [str(path.relative_to(REPO)) for path in needed if not path.is_file()]
    if missing:
        message = f"not built: {', '.join(missing)} (run `nox -s typescript`)"
        if os.environ.get("ERRCODEGEN_REQUIRE_ALL"):
            pytest.fail(message)
        pytest.skip(message)


def test_hostile_strings_compile_lint_and_round_trip(tmp_path: Path) -> None:
    require_built()
    node = shutil.which("node") or "node"
    root = tmp_path
    spec = hostile_spec(root)
    out = root / "out"
    run(
        [
            sys.executable,
            "-m",
            "errcodegen",
            "generate",
            "--spec",
            str(spec),
            "--root",
            str(out),
            "--only",
            "typescript",
            "--only",
            "vectors",
        ]
    )
    client = out / "clients/typescript"
    os.symlink(CLIENT / "node_modules", client / "node_modules")
    tsc = str(CLIENT / "node_modules/typescript/bin/tsc")
    run([node, tsc, "-p", str(client), "--noEmit"])
    run([node, tsc, "-p", str(client)])
    eslint = str(TESTS / "node_modules/eslint/bin/eslint.js")
    config = str(TESTS / "eslint.config.js")
    run([node, eslint, "--max-warnings", "0", "-c", config, "src"], cwd=client)
    # The runner, compiled once, resolving @virtengine/errors to the hostile package.
    runner = root / "runner"
    shutil.copytree(RUNNER / "dist", runner / "dist")
    (runner / "package.json").write_text(json.dumps({"type": "module"}))
    (runner / "node_modules/@virtengine").mkdir(parents=True)
    os.symlink(client, runner / "node_modules/@virtengine/errors")
    vectors = out / "tests/conformance/generated"
    output = run(
        [
            node,
            str(runner / "dist/runner.js"),
            str(vectors / "lookup.json"),
            str(vectors / "decode.json"),
        ]
    )
    assert output.strip().splitlines()[-1] == f"{4 * len(NAMES)} passed, 0 failed"
    probe = (
        "import * as v from '@virtengine/errors';"
        "process.stdout.write(JSON.stringify([v.lookup('class:1000')?.message,"
        " v.ERR_CONSTRUCTOR.message, Object.keys(v.Codes).length]))"
    )
    got = json.loads(run([node, "--input-type=module", "-e", probe], cwd=runner))
    assert got == [HOSTILE[0], HOSTILE[1], 2 * len(NAMES)], "strings changed on the way"
