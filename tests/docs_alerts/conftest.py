"""Outside tools these tests drive: a headless Chromium (through Playwright) and promtool.

`nox -s docs` (and `nox -s tests`) installs both (tasks/docs.py); there a missing tool fails
the test with what to install. Plain `pytest` skips these tests, with the reason, when the
Python packages are missing.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from errcodegen.pipeline import generate
from errcodegen.targets import alerts, docs

if not os.environ.get("ERRCODEGEN_REQUIRE_ALL"):  # nox sets it: there a missing tool fails
    for module in ("playwright", "markdown_it"):
        pytest.importorskip(module, reason=f"{module} is not installed (nox -s docs)")

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Registry text written to break out of every format the catalog and the rules use.
HOSTILE_MESSAGE = (
    "<script>window.pwned = 1</script> | pipe `tick` --> <!-- {{ $value }} {{ .Foo }}\n"
    "# heading\n- item *em* _u_ [link](javascript:alert(1)) &amp; $x$ \"q\" 'a' \\"
)
HOSTILE_ACTION = '<img src=x onerror="window.pwned = 2"> 1. step'
HOSTILE_CATEGORY = 'Dependency failed: {{ range . }}x{{ end }} -- "quoted" #'


def require_tool(path: str | None, what: str) -> str:
    if path is None:
        pytest.fail(f"{what} is not installed: run `nox -s tests` (it installs it)")
    return path


@pytest.fixture(scope="session")
def promtool() -> str:
    return require_tool(shutil.which("promtool"), "promtool (Debian package prometheus)")


@pytest.fixture(scope="session")
def chromium() -> str:
    return require_tool(str(CHROMIUM) if CHROMIUM.exists() else None, "chromium")


@pytest.fixture(scope="session")
def hostile_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Docs and alert rules generated from a registry full of hostile text."""
    spec = tmp_path_factory.mktemp("hostile") / "spec"
    (spec / "modules").mkdir(parents=True)
    settings = yaml.safe_load((SPEC / "registry.yaml").read_text(encoding="utf-8"))
    settings["categories"]["external"]["description"] = HOSTILE_CATEGORY
    (spec / "registry.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    shutil.copy(SPEC / "lint.yaml", spec / "lint.yaml")
    module = {
        "name": "hostile",
        "description": "-- <b>bold</b> module",
        "ranges": [{"start": 1000, "end": 1099}],
        "codes": [
            {
                "number": 1050,
                "name": "backend_down",
                "message": HOSTILE_MESSAGE,
                "category": "external",
                "category_evidence": "review",
                "category_note": HOSTILE_MESSAGE,
                "action": HOSTILE_ACTION,
                "alert": {"above": 0.1, "for": "5m"},
            },
            {"number": 1051, "name": "quiet", "message": "quiet", "category": "external"},
        ],
    }
    (spec / "modules" / "hostile.yaml").write_text(yaml.safe_dump(module), encoding="utf-8")
    root = spec.parent / "out"
    generate(spec, root, [docs.TARGET, alerts.TARGET])
    return root


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[[Path], str]]:
    """``serve(folder)`` -> base URL of a loopback HTTP server for that folder."""
    servers: list[ThreadingHTTPServer] = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
