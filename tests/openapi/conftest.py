"""The OpenAPI tools API teams use, run on the error document and on a merged sample API.

``nox -s openapi`` installs them (npm tools from the lockfile beside this file, Go tools with
``go run pkg@version``, Python tools pinned in tasks/openapi.py) and sets
ERRCODEGEN_REQUIRE_ALL; a plain pytest run skips when the npm tools are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from errcodegen.cli import main

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DOCUMENT = REPO / "spec/openapi/errors.openapi.yaml"
DOCUMENT_30 = REPO / "spec/openapi/errors.openapi-3.0.yaml"
SAMPLE = HERE / "sample-api.yaml"
BIN = HERE / "node_modules/.bin"


def require(tool: Path | str) -> str:
    """The tool's path; skipped (failed under nox) when it is not installed."""
    found = str(tool) if Path(tool).is_file() else shutil.which(str(tool))
    if found:
        return found
    message = f"{tool} is not installed: run `nox -s openapi`"
    if os.environ.get("ERRCODEGEN_REQUIRE_ALL"):
        pytest.fail(message)
    pytest.skip(message)


def run(
    args: Sequence[str | Path],
    cwd: Path | None = None,
    ok: bool = True,
    env: Mapping[str, str] | None = None,
) -> str:
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    output = result.stdout + result.stderr
    if ok:
        assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{output}"
    else:
        assert result.returncode != 0, f"{' '.join(map(str, args))} passed:\n{output}"
    return output


@pytest.fixture(scope="session")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample API merged with the error document by ``errcodegen openapi merge``."""
    out = tmp_path_factory.mktemp("merged") / "sample-merged.yaml"
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        assert main(["openapi", "merge", str(SAMPLE), "-o", str(out)]) == 0
    finally:
        os.chdir(cwd)
    return out
