"""The OpenAPI tools API teams use, on the error document and on a merged sample API.

npm tools (Redocly, Spectral, openapi-typescript, openapi-fetch, TypeScript) come from the
lockfile in tests/openapi/; datamodel-code-generator and mypy are the tool's own pinned
dependencies; oapi-codegen runs as `go run ...@version` through the Go module proxy (its
version is pinned in tests/openapi/test_oapi_codegen.py, the runtime it imports in
tests/openapi/go/go.mod); openapi-generator's jar comes from Maven Central, pinned by version
and SHA-256, run by Debian's Java (installed with apt when missing), and the Python client it
generates runs on the pinned packages below. test_shipped.py renders the three clients and
reads the error document from the Python wheel, the npm package's exports and the Go module.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path

import nox

from tasks.common import ROOT, ensure_system_tools, npm_ci, once

TOOLS = ROOT / "tests" / "openapi"
TESTS: tuple[Path, ...] = (TOOLS,)

OPENAPI_GENERATOR = "7.25.0"
OPENAPI_GENERATOR_SHA256 = "41ce4f6b07f196676439d710759fa1ced7a08066d06ff1bf314681470289efae"
OPENAPI_GENERATOR_URL = (
    "https://repo1.maven.org/maven2/org/openapitools/openapi-generator-cli/"
    f"{OPENAPI_GENERATOR}/openapi-generator-cli-{OPENAPI_GENERATOR}.jar"
)
# What openapi-generator's Python client imports besides pydantic (pinned in tasks.common).
GENERATED_PYTHON_CLIENT_PINS = ("urllib3==2.8.0", "python-dateutil==2.9.0.post0")
# The Python client's build backend (its pyproject.toml), for building its wheel without
# build isolation in tests/openapi/test_shipped.py.
WHEEL_BUILD_PINS = ("setuptools==80.9.0",)


def cache_dir() -> Path:
    if os.environ.get("ERRCODEGEN_CACHE_DIR"):
        return Path(os.environ["ERRCODEGEN_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "errcodegen"


def openapi_generator_jar(session: nox.Session) -> Path:
    """The pinned openapi-generator-cli jar, downloaded once and checked by its SHA-256."""
    jar = cache_dir() / f"openapi-generator-cli-{OPENAPI_GENERATOR}.jar"
    if jar.is_file() and hashlib.sha256(jar.read_bytes()).hexdigest() == OPENAPI_GENERATOR_SHA256:
        return jar
    session.log(f"downloading {OPENAPI_GENERATOR_URL}")
    with urllib.request.urlopen(OPENAPI_GENERATOR_URL, timeout=120) as response:
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != OPENAPI_GENERATOR_SHA256:
        session.error(f"{OPENAPI_GENERATOR_URL}: SHA-256 {digest}, expected the pinned one")
    jar.parent.mkdir(parents=True, exist_ok=True)
    partial = jar.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(jar)
    return jar


def prepare(session: nox.Session) -> None:
    """The npm tools, Java, openapi-generator's jar and the packages its client imports."""
    npm_ci(session, TOOLS)
    ensure_system_tools(session, {"default-jre-headless": "/usr/bin/java"})
    session.install(*GENERATED_PYTHON_CLIENT_PINS, *WHEEL_BUILD_PINS)
    jar = once(session, "openapi-generator-jar", lambda: openapi_generator_jar(session))
    session.env["OPENAPI_GENERATOR_JAR"] = str(jar)


def check(session: nox.Session) -> None:
    """Nothing beyond the tests (they run ``errcodegen openapi merge`` and every tool)."""
