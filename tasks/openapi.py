"""The OpenAPI tools API teams use, on the error document and on a merged sample API.

npm tools (Redocly, Spectral, openapi-typescript, TypeScript) come from the lockfile in
tests/openapi/; datamodel-code-generator and mypy are the tool's own pinned dependencies;
oapi-codegen runs as `go run ...@version` through the Go module proxy (its version is pinned
in tests/openapi/test_oapi_codegen.py, the runtime it imports in tests/openapi/go/go.mod).
"""

from __future__ import annotations

import nox

from tasks.common import ROOT, npm_ci

TOOLS = ROOT / "tests" / "openapi"


def test(session: nox.Session) -> None:
    """Expects the tool installed (``install_tool``): it runs ``errcodegen openapi merge``."""
    npm_ci(session, TOOLS)
    session.run("pytest", "-q", "-p", "no:cacheprovider", str(TOOLS))
