"""The Go program that reads registrations (``scanner/``), built with the local ``go``.

The program ships with the tool as source. It is built once per version of its
source into the user's cache (``$ERRCODEGEN_CACHE_DIR``, else
``$XDG_CACHE_HOME/errcodegen``, else ``~/.cache/errcodegen``) and reused until the
source changes; Go is needed only to build it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

SCANNER_SOURCE = Path(__file__).parent / "scanner"
GO_MISSING = (
    "Go is not installed (no `go` on PATH): import-go and drift read Go source with the "
    "Go toolchain's own parser and type checker; install Go 1.22 or newer from "
    "https://go.dev/dl/ and run the command again"
)


class GoSourceError(Exception):
    """Go source the importer cannot read; the message is one line naming the file."""


class ToolchainError(GoSourceError):
    """The scanner cannot be built or run; the message is one line."""


def cache_dir() -> Path:
    if os.environ.get("ERRCODEGEN_CACHE_DIR"):
        return Path(os.environ["ERRCODEGEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "errcodegen"


def source_digest() -> str:
    """A digest of the scanner's source files: a new version builds a new binary."""
    digest = hashlib.sha256()
    for path in sorted(SCANNER_SOURCE.iterdir()):
        if path.suffix == ".go" or path.name == "go.mod":
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def scanner_binary() -> Path:
    """The built scanner, building it first when this version is not in the cache."""
    binary = cache_dir() / f"goscanner-{source_digest()}" / "scanner"
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary
    go = shutil.which("go")
    if go is None:
        raise ToolchainError(GO_MISSING)
    binary.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=binary.parent, prefix=".build-") as tmp:
        built = Path(tmp) / "scanner"
        env = {**os.environ, "GOWORK": "off", "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
        result = subprocess.run(
            [go, "build", "-trimpath", "-o", str(built), "."],
            cwd=SCANNER_SOURCE,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            detail = " ".join(result.stderr.split())
            raise ToolchainError(f"cannot build the Go scanner with {go}: {detail}")
        os.replace(built, binary)  # atomic: a concurrent build leaves one complete binary
    return binary


def run_scanner(paths: list[str]) -> str:
    """The scanner's JSON output for ``paths``."""
    binary = scanner_binary()
    result = subprocess.run(
        [str(binary), *paths], capture_output=True, text=True, check=False, encoding="utf-8"
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise ToolchainError(
            lines[-1] if lines else f"the Go scanner failed with exit status {result.returncode}"
        )
    return result.stdout
