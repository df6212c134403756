"""The Go client: vet, gofmt, tests, fuzzing, conformance runner, benchmark, release."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import nox
from nox.command import CommandFailed

from tasks.common import CONFORMANCE, ROOT, last_line, once, source_date_epoch

CLIENT = ROOT / "clients" / "go"
RUNNERS = CONFORMANCE / "runners" / "go"
CLIENT_TESTS = ROOT / "tests" / "clients" / "go"
TESTS: tuple[Path, ...] = ()  # the Go tests are go test's
INSTALL = ROOT / "tests" / "install" / "go"


def prepare(session: nox.Session) -> None:
    """Nothing: go test builds what it tests."""


def check(session: nox.Session) -> None:
    """go vet and gofmt on the client, its grpcerrors module and its black-box tests
    (tests/clients/go, a module that replaces both with clients/go), the tests with -race
    (loopback HTTP and gRPC servers) and a bounded fuzz run of the decoder."""
    for folder in (CLIENT, CLIENT / "grpcerrors", CLIENT_TESTS):  # grpcerrors: a module of its own
        with session.chdir(folder):
            session.run("go", "vet", "./...", external=True)
            unformatted = session.run("gofmt", "-l", ".", external=True, silent=True)
            if str(unformatted).strip():
                session.error(f"gofmt -l lists files in {folder}:\n{unformatted}")
    with session.chdir(CLIENT_TESTS):
        session.run("go", "test", "-race", "./...", external=True)
        fuzz = ["-run=^$", "-fuzz=FuzzDecodeError", "-fuzztime=10000x"]
        session.run("go", "test", *fuzz, ".", external=True)


def _command(session: nox.Session, name: str, root: Path) -> str:
    folder = root / RUNNERS.relative_to(ROOT)

    def step() -> str:
        with session.chdir(folder):
            session.run("go", "vet", "./...", external=True)
            session.run("go", "build", "-o", f"build/{name}", f"./cmd/{name}", external=True)
        return str(folder / "build" / name)

    return once(session, f"go-{name}:{root}", step)


def runner(session: nox.Session, root: Path = ROOT) -> list[str]:
    """Build the conformance runner against the module generated under ``root``; its argv."""
    return [_command(session, "runner", root)]


def scenario_runner(session: nox.Session) -> list[str]:
    """Build the live scenario runner (the real Transport); its argv."""
    return [_command(session, "scenarios", ROOT)]


def bench(session: nox.Session) -> list[str]:
    """Vet and build the client benchmark; its argv (prints one JSON line of samples:
    decode on benchmarks/shapes.json, success path on loopback, package init cost)."""
    folder = ROOT / "benchmarks/go"
    with session.chdir(folder):
        session.run("go", "vet", ".", external=True)
        session.run("go", "build", "-o", "build/bench", ".", external=True)
    return [str(folder / "build" / "bench"), str(ROOT / "benchmarks/shapes.json")]


def run_vectors(session: nox.Session, files: list[str]) -> None:
    for vectors in files:
        output = session.run(*runner(session), vectors, silent=True)  # fails loudly
        session.log(f"go runner, {vectors}: {last_line(output)}")


# Release: the module as a module proxy serves it, and the tests that fetch it as a user.


# The client's import path in the repository's own Go code, with its major version suffix.
CLIENT_IMPORT = re.compile(
    r"github\.com/virtengine/virtengine-errors/clients/go(/v[0-9]+)?(?![\w/.-])"
)


def retarget(text: str, module: str) -> str:
    """``text`` with every mention of the client's module path replaced by ``module``."""
    return CLIENT_IMPORT.sub(module, text)


def retarget_repository() -> list[Path]:
    """After a major version bump (``version: 2.0.0`` gives ``.../clients/go/v2``), point
    the repository's Go modules (runners, benchmark, tests) at the generated module path:
    ``python3 -c "from tasks import go; go.retarget_repository()"``. Returns the files changed."""
    module = module_path((CLIENT / "go.mod").read_text())
    changed = []
    for folder in (ROOT / "tests", ROOT / "benchmarks"):
        for path in sorted(folder.rglob("*")):
            if path.suffix not in {".go", ".mod"} or "fixtures" in path.parts or not path.is_file():
                continue
            text = path.read_text()
            if retarget(text, module) != text:
                path.write_text(retarget(text, module))
                changed.append(path)
    return changed


def module_path(go_mod: str) -> str:
    found = re.search(r"(?m)^module\s+(\S+)\s*$", go_mod)
    if not found:
        raise ValueError("go.mod declares no module path")
    return found.group(1)


def registry_version() -> str:
    found = re.search(
        r"(?m)^version:\s*(\d+\.\d+\.\d+)\s*$", (ROOT / "spec/registry.yaml").read_text()
    )
    if not found:
        raise ValueError("spec/registry.yaml has no version X.Y.Z")
    return found.group(1)


def escape_path(path: str) -> str:
    """The module path as the module proxy protocol spells it (``!`` before upper case)."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), path)


def _timestamp() -> str:
    """SOURCE_DATE_EPOCH, or the time of the commit checked out: the .info file's Time."""
    return datetime.fromtimestamp(source_date_epoch(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _module_files() -> list[str]:
    """The client's files as ``git add clients/go`` would commit them (tracked or new, not
    ignored), relative to the client folder."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
        cwd=CLIENT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return sorted({name for name in listed.split("\0") if name and (CLIENT / name).is_file()})


def package(session: nox.Session, out: Path) -> list[Path]:
    """Write the Go module as the tag ``clients/go/vX.Y.Z`` would be served by a module
    proxy: ``out/go/<escaped module path>/@v/vX.Y.Z.{zip,mod,info}`` and ``list``, a folder
    that works as ``GOPROXY=file://<out>/go``. The zip is made by golang.org/x/mod/zip
    (the format's name, size and layout rules) from the files the tag would hold; it has
    no timestamps, so two runs give the same bytes. Returns the four paths."""
    version = "v" + registry_version()
    tool = INSTALL / "zipmodule"

    def build() -> str:
        with session.chdir(tool):
            session.run("go", "vet", "./...", external=True)
            session.run("go", "build", "-o", "build/zipmodule", ".", external=True)
        return str(tool / "build" / "zipmodule")

    zipmodule = once(session, "go-zipmodule", build)
    with tempfile.TemporaryDirectory(prefix="veerrors-go-module-") as scratch:
        staged = Path(scratch) / "go"
        for name in _module_files():
            (staged / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(CLIENT / name, staged / name)
        # The go command adds the repository's LICENSE to a subfolder module without one.
        if (ROOT / "LICENSE").is_file() and not (staged / "LICENSE").exists():
            shutil.copyfile(ROOT / "LICENSE", staged / "LICENSE")
        args = ["-dir", str(staged), "-version", version, "-time", _timestamp()]
        output = session.run(zipmodule, *args, "-out", str(out / "go"), silent=True, external=True)
    artifacts = [Path(line) for line in str(output).split()]
    for artifact in artifacts:
        session.log(f"go module: {artifact} ({artifact.stat().st_size} bytes)")
    return artifacts


def _proxy_root(zip_file: Path, module: str) -> Path:
    root = zip_file.parent.parent  # .../<escaped module path>/@v/vX.Y.Z.zip
    for _ in escape_path(module).split("/"):
        root = root.parent
    return root


def _readme_blocks(readme: str) -> list[str]:
    return re.findall(r"(?ms)^```sh\n(.*?)^```$", readme)


def install_test(session: nox.Session, artifacts: list[Path]) -> None:
    """Use the packaged module as a user would, in scratch modules outside the repository:
    fetched with the README's ``go get`` through ``GOPROXY=file://`` (the package's
    output), and from a checkout (the module zip unpacked) with the README's ``replace``
    recipe and its ``go work`` recipe. Each copies tests/install/go/app (a program and its
    tests against loopback servers: a 503 retried to a 200, a 404 envelope as errors.Is /
    errors.As) and runs go vet, go test and the program."""
    by_suffix = {path.suffix: path for path in artifacts if path.suffix in {".zip", ".mod"}}
    if set(by_suffix) != {".zip", ".mod"}:
        session.error(f"go install test: no .zip and .mod among {[str(a) for a in artifacts]}")
    module = module_path(by_suffix[".mod"].read_text())
    version = by_suffix[".zip"].stem
    proxy = _proxy_root(by_suffix[".zip"], module).resolve()
    prefix = f"{module}@{version}/"

    scratch = Path(tempfile.mkdtemp(prefix="veerrors-go-install-")).resolve()
    if scratch.is_relative_to(ROOT):
        session.error(f"go install test: scratch folder {scratch} is inside the repository")
    checkout = scratch / "virtengine-errors" / "clients" / "go"
    with zipfile.ZipFile(by_suffix[".zip"]) as archive:
        for entry in archive.infolist():
            if not entry.filename.startswith(prefix):
                session.error(f"go install test: zip entry {entry.filename} outside {prefix}")
            target = checkout / entry.filename.removeprefix(prefix)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(entry))
    blocks = _readme_blocks((checkout / "README.md").read_text())
    go_get = [b for b in blocks if b.startswith("go get ")]
    replace = [b for b in blocks if "go mod edit" in b and "-replace=" in b]
    workspace = [b for b in blocks if "go work use" in b]
    if not (len(go_get) == len(replace) == len(workspace) == 1):
        session.error(
            "go install test: the README lacks one of its go get, replace, go work recipes"
        )

    base_env = {
        "GOPROXY": f"file://{proxy}",
        "GOSUMDB": "off",  # a local proxy: nothing to check against sum.golang.org
        "GOMODCACHE": str(scratch / "modcache"),  # fresh: no earlier build of this version
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-modcacherw -buildvcs=false",
    }
    users = {
        # name: (recipe from the README, extra environment, how go list -m must see it)
        "proxy": (
            go_get[0],
            {"GOWORK": "off", "GOFLAGS": "-mod=mod -modcacherw -buildvcs=false"},
            f"{module} {version} {scratch / 'modcache'}",
        ),
        "replace": (
            replace[0],
            {"GOWORK": "off", "GOFLAGS": "-mod=mod -modcacherw -buildvcs=false"},
            f"{module} {version} {checkout}",
        ),
        "workspace": (workspace[0], {"GOWORK": ""}, f"{module}  {checkout}"),
    }
    for name, (recipe, extra, expected) in users.items():
        folder = scratch / f"{name}-user"
        folder.mkdir()
        for source in (INSTALL / "app").glob("*.go"):  # importing the packaged path
            (folder / source.name).write_text(retarget(source.read_text(), module))
        env = {**base_env, **extra}
        steps: list[tuple[str, list[str]]] = [
            ("go mod init", ["go", "mod", "init", f"example.com/{name}user"]),
            ("the README's recipe", ["sh", "-ec", recipe]),
            ("go list -m", ["go", "list", "-m", "-f", "{{.Path}} {{.Version}} {{.Dir}}", module]),
            ("go vet", ["go", "vet", "./..."]),
            ("go test", ["go", "test", "-count=1", "./..."]),
            ("go run", ["go", "run", "."]),
        ]
        with session.chdir(folder):
            for step, argv in steps:
                try:
                    output = str(session.run(*argv, external=True, env=env, silent=True))
                except CommandFailed:
                    session.error(
                        f"go install test ({name}): {step} failed in {folder} ({shlex.join(argv)})"
                    )
                if step == "go list -m" and not output.strip().startswith(expected):
                    session.error(
                        f"go install test ({name}): the client resolved as {output.strip()!r}, "
                        f"want {expected!r}"
                    )
        session.log(f"go install test ({name}): vet, tests and the program pass")
    shutil.rmtree(scratch)
