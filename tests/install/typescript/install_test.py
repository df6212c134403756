"""Install the packed @virtengine/errors tarball as a user does, and use it.

Usage: python install_test.py TARBALL  (after `npm ci` in this folder; chromium at
/usr/bin/chromium and Playwright for Python for the browser check)

1. publint --strict and @arethetypeswrong/cli on the tarball (node10, node16 from CJS and
   from ESM, bundler: no problem allowed).
2. `npm install TARBALL` into a scratch project in a temporary folder outside the repository,
   then, against a loopback server whose /flaky answers 503 (`Retry-After: 0`) once and
   then 200, and whose /missing answers 404 with an error envelope:
   - apps/esm/app.mjs under node (the ESM build must be the one loaded);
   - apps/cjs/app.cjs under `node --no-experimental-require-module` (the CommonJS build);
   - apps/ts/app.ts compiled with `tsc --strict` as a `module: node16` CommonJS project, a
     `module: nodenext` ESM project and a `moduleResolution: bundler` project, each with
     lib ES2022 and no DOM (the matching declarations must be the ones read), then run;
   - apps/bare/check.ts compiled with neither the DOM lib nor @types/node;
   - apps/browser/app.ts type-checked, bundled with `esbuild --bundle --minify` and loaded
     in headless Chromium from one origin against the API on another port (CORS), and
     against a second API that sends CORS headers but refuses every preflight: the
     default client's retry (its `Retry-Attempt` needs a preflight) fails as a
     ConnectionError that keeps the 503 as `lastApiError`; with `retryAttemptHeader:
     false` the retry is a simple request and succeeds. Error names survive minifying.
   Each app prints what it saw; the server records what it was sent; both are checked.

Every failure is reported with its reason; the exit status is 1 if any check failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
APPS = HERE / "apps"
TOOLS = HERE / "node_modules"
CHROMIUM = "/usr/bin/chromium"
NODE = shutil.which("node") or "node"
NPM = shutil.which("npm") or "npm"

CODE = "artifact_store:2503"
MESSAGE = "artifact not found"
ENVELOPE = {"error": {"code": CODE, "message": MESSAGE, "category": "not_found"}}
ALLOW_HEADERS = "Idempotency-Key, Retry-Attempt, Content-Type"
EXPOSE_HEADERS = (
    "Retry-After, Retry-After-Ms, X-Request-Id, "
    "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
)
TIMEOUT = 180


class Failure(Exception):
    """A check failed; the message says what was expected and what happened."""


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Api:
    """The scripted API: per app, /APP/flaky fails once with 503, /APP/missing is a 404."""

    cors_origin: str | None = None
    # False: CORS headers on responses, none on a preflight (so every preflight fails)
    preflight: bool = True
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def requests(self, path: str, method: str = "GET") -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path and s.method == method]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _record(self) -> int:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with api.lock:
                    api.seen.append(Seen(self.command, self.path, headers))
                    key = (self.command, self.path)
                    return len([s for s in api.seen if (s.method, s.path) == key])

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                if api.cors_origin is not None:
                    self.send_header("Access-Control-Allow-Origin", api.cors_origin)
                    self.send_header("Access-Control-Expose-Headers", EXPOSE_HEADERS)
                    self.send_header("Vary", "Origin")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self) -> None:
                self._record()
                if api.cors_origin is None or not api.preflight:
                    self.send_response(405)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._send(
                    204,
                    b"",
                    {
                        "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE",
                        "Access-Control-Allow-Headers": ALLOW_HEADERS,
                        "Access-Control-Max-Age": "0",
                    },
                )

            def do_GET(self) -> None:
                count = self._record()
                app = self.path.strip("/").split("/")[0]
                if self.path.endswith("/flaky") and count == 1:
                    headers = {"Retry-After": "0", "X-Request-Id": f"{app}-flaky-1"}
                    self._send(503, b"busy", {"Content-Type": "text/plain", **headers})
                elif self.path.endswith("/flaky"):
                    body = json.dumps({"ok": True, "attempt": count}).encode()
                    headers = {"Content-Type": "application/json", "X-Request-Id": f"{app}-ok"}
                    self._send(200, body, headers)
                elif self.path.endswith("/missing"):
                    headers = {"Content-Type": "application/json", "X-Request-Id": f"{app}-missing"}
                    self._send(404, json.dumps(ENVELOPE).encode(), headers)
                else:
                    self._send(500, b"unexpected path", {"Content-Type": "text/plain"})

        return Handler


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run(argv: list[str], cwd: Path, what: str) -> str:
    env = {**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"}
    try:
        result = subprocess.run(
            argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise Failure(f"{what}: no answer within {TIMEOUT} s ({' '.join(argv)})") from error
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()[-4000:]
        raise Failure(f"{what}: exit status {result.returncode} ({' '.join(argv)})\n{output}")
    return result.stdout


def tool(name: str) -> str:
    path = TOOLS / ".bin" / name
    if not path.exists():
        raise Failure(f"{path} is missing: run `npm ci` in {HERE.relative_to(REPO)} first")
    return str(path)


def expect(what: str, got: object, wanted: object) -> None:
    if got != wanted:
        raise Failure(f"{what}: expected {wanted!r}, got {got!r}")


def last_json(output: str, what: str) -> dict[str, Any]:
    lines = output.strip().splitlines()
    try:
        document = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise Failure(f"{what}: printed no JSON result:\n{output[-2000:]}") from error
    if not isinstance(document, dict):
        raise Failure(f"{what}: printed {document!r}, not an object")
    return document


def check_result(app: str, result: dict[str, Any], api: Api) -> None:
    """What every app must have seen, and what the server must have been sent."""
    expect(f"{app}: status of /flaky after the retry", result.get("status"), 200)
    expect(f"{app}: body of /flaky", result.get("body"), {"ok": True, "attempt": 2})
    retries = result.get("retries")
    if not isinstance(retries, list) or len(retries) != 1:
        raise Failure(f"{app}: expected one retry (after the 503), onRetry saw {retries!r}")
    expect(f"{app}: the retried attempt", retries[0].get("attempt"), 2)
    expect(f"{app}: the status that was retried", retries[0].get("status"), 503)
    expect(f"{app}: the 404 is a NotFoundError (instanceof)", result.get("notFound"), True)
    expect(f"{app}: the 404 is an APIError (instanceof)", result.get("apiError"), True)
    expect(f"{app}: err.code", result.get("code"), CODE)
    expect(f"{app}: String(err)", result.get("text"), f"{CODE}: {MESSAGE}")
    flaky = api.requests(f"/{app}/flaky")
    expect(f"{app}: GET /flaky requests the server got", len(flaky), 2)
    attempts = [s.headers.get("retry-attempt") for s in flaky]
    expect(f"{app}: Retry-Attempt of the first request and of the retry", attempts, [None, "1"])
    keys = [s.headers.get("idempotency-key") for s in flaky]
    expect(f"{app}: the same Idempotency-Key on both attempts", keys[0], keys[1])
    missing = api.requests(f"/{app}/missing")
    expect(f"{app}: GET /missing requests (a 404 is not retried)", len(missing), 1)


def lint_package(tarball: Path, work: Path) -> None:
    publint = run([tool("publint"), "--strict", str(tarball)], work, "publint")
    print(publint.strip())
    # The OpenAPI document's YAML exports are assets, not modules TypeScript resolves.
    assets = ["--exclude-entrypoints", "./openapi.yaml", "./openapi-3.0.yaml"]
    attw = run([tool("attw"), "--format", "ascii", str(tarball), *assets], work, "attw")
    print(attw.strip())


def install(tarball: Path, scratch: Path) -> None:
    tools = json.loads((HERE / "package.json").read_text())["devDependencies"]
    (scratch / "package.json").write_text(
        json.dumps({"name": "scratch-app", "private": True, "version": "0.0.0"}) + "\n"
    )
    argv = [NPM, "install", "--no-audit", "--no-fund", str(tarball)]
    run([*argv, f"@types/node@{tools['@types/node']}"], scratch, "npm install of the tarball")
    installed = scratch / "node_modules/@virtengine/errors"
    if installed.is_symlink() or not (installed / "dist/esm/index.js").is_file():
        raise Failure(f"npm install {tarball.name}: no compiled code in {installed}")


def copy_app(name: str, scratch: Path) -> Path:
    folder = scratch / name
    shutil.copytree(APPS / name, folder)
    return folder


def node_apps(scratch: Path, api: Api, base: str) -> Iterator[tuple[str, Callable[[], None]]]:
    def esm() -> None:
        folder = copy_app("esm", scratch)
        check_js(folder, "app.mjs", "esm")
        result = last_json(run([NODE, "app.mjs", f"{base}/esm"], folder, "esm app"), "esm app")
        check_result("esm", result, api)
        resolved = str(result.get("resolved"))
        if not resolved.endswith("/node_modules/@virtengine/errors/dist/esm/index.js"):
            raise Failure(f"esm: import resolved to {resolved}, not the ESM build")

    def cjs() -> None:
        folder = copy_app("cjs", scratch)
        check_js(folder, "app.cjs", "cjs")
        argv = [NODE, "--no-experimental-require-module", "app.cjs", f"{base}/cjs"]
        result = last_json(run(argv, folder, "cjs app"), "cjs app")
        check_result("cjs", result, api)
        resolved = str(result.get("resolved"))
        if not resolved.endswith("/node_modules/@virtengine/errors/dist/cjs/index.js"):
            raise Failure(f"cjs: require resolved to {resolved}, not the CommonJS build")

    def typescript(name: str, build: str, emitted: str) -> Callable[[], None]:
        def step() -> None:
            folder = copy_app(name, scratch)
            shutil.copy(APPS / "ts/app.ts", folder / "app.ts")
            files = tsc(folder, name)
            declarations = f"node_modules/@virtengine/errors/dist/{build}/index.d.ts"
            if not any(f.endswith(declarations) for f in files):
                raise Failure(f"{name}: tsc did not read {declarations}")
            js = (folder / "dist/app.js").read_text()
            if emitted not in js:
                raise Failure(f"{name}: compiled app.js lacks {emitted!r}")
            result = last_json(run([NODE, "dist/app.js", f"{base}/{name}"], folder, name), name)
            check_result(name, result, api)

        return step

    def bare() -> None:
        files = tsc(copy_app("bare", scratch), "bare")
        if not any(f.endswith("@virtengine/errors/dist/esm/web.d.ts") for f in files):
            raise Failure("bare: tsc did not read the package's declarations")
        if any("@types/node" in f for f in files):
            raise Failure("bare: @types/node was loaded; the check needs a project without it")

    yield "esm app (node)", esm
    yield "cjs app (node --no-experimental-require-module)", cjs
    yield "TypeScript, module node16 (CommonJS)", typescript("node16", "cjs", "require(")
    yield "TypeScript, module nodenext (ESM)", typescript("nodenext", "esm", "import {")
    yield "TypeScript, moduleResolution bundler", typescript("bundler", "esm", "import {")
    yield "TypeScript without DOM or @types/node (types only)", bare


def check_js(folder: Path, app: str, what: str) -> None:
    """Type-check a JavaScript app against the package's declarations (strict, no DOM)."""
    options = ["--noEmit", "--allowJs", "--checkJs", "--strict", "--skipLibCheck", "false"]
    node = ["--module", "nodenext", "--target", "es2022", "--lib", "es2022", "--types", "node"]
    compiler = [NODE, str(TOOLS / "typescript/bin/tsc"), *options, *node, app]
    run(compiler, folder, f"{what}: tsc --checkJs {app}")


def tsc(folder: Path, what: str) -> list[str]:
    """Compile with the pinned tsc (strict, libraries checked); the files it read."""
    compiler = [NODE, str(TOOLS / "typescript/bin/tsc"), "-p", "."]
    run([*compiler, "--strict"], folder, f"{what}: tsc --strict")
    files = run([*compiler, "--listFilesOnly"], folder, f"{what}: tsc --listFilesOnly").splitlines()
    if what != "browser" and any(f.endswith("lib.dom.d.ts") for f in files):
        raise Failure(f"{what}: the DOM lib was loaded (lib ES2022 only expected)")
    return files


def browser(scratch: Path) -> None:
    folder = copy_app("browser", scratch)
    tsc(folder, "browser")
    esbuild = [tool("esbuild"), "app.ts", "--bundle", "--minify", "--format=iife"]
    run([*esbuild, "--platform=browser", "--target=es2020", "--outfile=app.js"], folder, "esbuild")
    if not Path(CHROMIUM).exists():
        raise Failure(f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise Failure("Playwright for Python is missing: pip install playwright==1.65.2") from error

    class Page(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serving(Page) as page_origin:
        api = Api(cors_origin=page_origin)
        refusing = Api(cors_origin=page_origin, preflight=False)
        with serving(api.handler()) as api_origin, serving(refusing.handler()) as strict_origin:
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
                try:
                    page = chromium.new_page()
                    errors: list[str] = []
                    page.on("pageerror", lambda error: errors.append(str(error)))
                    query = f"api={api_origin}/browser&strict={strict_origin}"
                    page.goto(f"{page_origin}/index.html?{query}")
                    page.wait_for_function("document.body.dataset.result", timeout=30_000)
                    text = page.evaluate("document.body.dataset.result")
                finally:
                    chromium.close()
            result = json.loads(text)
            if "failed" in result or errors:
                raise Failure(f"browser: the app failed: {result.get('failed')} {errors}")
            check_result("browser", result, api)
            # Only exposed headers reach the client across origins.
            hint = result["retries"][0]["retryAfterMs"]
            expect("browser: Retry-After read across origins", hint, 0)
            expect("browser: X-Request-Id of the 200", result.get("requestId"), "browser-ok")
            expect("browser: err.requestId", result.get("errorRequestId"), "browser-missing")
            preflights = api.requests("/browser/flaky", "OPTIONS")
            asked = " ".join(
                s.headers.get("access-control-request-headers", "") for s in preflights
            )
            for header in ("idempotency-key", "retry-attempt"):
                if header not in asked:
                    raise Failure(f"browser: no CORS preflight asked for {header} ({asked!r})")
            check_strict(result, refusing)
    bundle = (folder / "app.js").read_text()
    if "class NotFoundError" in bundle or "class ConnectionError" in bundle:
        raise Failure("browser: esbuild --minify kept the class names: the name check is void")


def check_strict(result: dict[str, Any], api: Api) -> None:
    """Minified names, and a server whose CORS policy refuses preflights (issue 17)."""
    expect("browser: name of the 404 error (minified)", result.get("name"), "NotFoundError")
    strict = result.get("strict") or {}
    expect("strict CORS: the retry fails below HTTP", strict.get("connectionError"), True)
    expect("strict CORS: name of that error (minified)", strict.get("name"), "ConnectionError")
    expect("strict CORS: attempts", strict.get("attempts"), 3)
    expect("strict CORS: lastApiError is the 503", strict.get("lastApiStatus"), 503)
    expect("strict CORS: lastApiError's name", strict.get("lastApiName"), "ExternalError")
    expect(
        "strict CORS: lastApiError's X-Request-Id",
        strict.get("lastApiRequestId"),
        "strict-default-flaky-1",
    )
    expect("strict CORS: GETs that got through", len(api.requests("/strict-default/flaky")), 1)
    if not api.requests("/strict-default/flaky", "OPTIONS"):
        raise Failure("strict CORS: the default client's retry sent no preflight")
    expect("retryAttemptHeader false: status after the retry", strict.get("quietStatus"), 200)
    quiet = api.requests("/strict-quiet/flaky")
    expect("retryAttemptHeader false: GETs", len(quiet), 2)
    expect(
        "retryAttemptHeader false: Retry-Attempt sent",
        [s.headers.get("retry-attempt") for s in quiet],
        [None, None],
    )
    expect(
        "retryAttemptHeader false: preflights",
        len(api.requests("/strict-quiet/flaky", "OPTIONS")),
        0,
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].endswith(".tgz"):
        print(__doc__.splitlines()[2], file=sys.stderr)
        return 2
    tarball = Path(argv[0]).resolve()
    failures: list[str] = []

    def check(name: str, step: Callable[[], None]) -> None:
        try:
            step()
        except Failure as failure:
            failures.append(f"{name}: {failure}")
            print(f"FAIL {name}\n  {failure}", flush=True)
        else:
            print(f"ok   {name}", flush=True)

    if Path(tempfile.gettempdir()).resolve().is_relative_to(REPO):
        # nox points TMPDIR into its own folder, which is inside the repository: use the
        # system's temporary folder instead (tempfile skips empty variables).
        for name in ("TMPDIR", "TEMP", "TMP"):
            os.environ[name] = ""
        tempfile.tempdir = None
    with tempfile.TemporaryDirectory(prefix="virtengine-errors-npm-") as temporary:
        scratch = Path(temporary).resolve()
        if scratch.is_relative_to(REPO):
            raise SystemExit(f"the scratch folder {scratch} is inside the repository")
        check("publint and attw", lambda: lint_package(tarball, scratch))
        try:
            install(tarball, scratch)
        except Failure as failure:
            print(f"FAIL install\n  {failure}")
            return 1
        print(f"ok   npm install {tarball.name} in {scratch}")
        api = Api()
        with serving(api.handler()) as base:
            for name, step in node_apps(scratch, api, base):
                check(name, step)
        bundle = "browser bundle (esbuild --bundle --minify) in headless Chromium"
        check(bundle, lambda: browser(scratch))
    if failures:
        print(f"\n{len(failures)} install check(s) failed:", file=sys.stderr)
        for reason in failures:
            print(f"- {reason.splitlines()[0]}", file=sys.stderr)
        return 1
    print("every install check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
