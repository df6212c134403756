"""The Python client: install, checks, tests, conformance runner, benchmark, packaging."""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import tarfile
import tempfile
import zipfile
from pathlib import Path

import nox

from tasks.common import (
    CONFORMANCE,
    PYTHON_PINS,
    ROOT,
    last_line,
    once,
    source_date_epoch,
)

CLIENT = ROOT / "clients" / "python"
TESTS: tuple[Path, ...] = (ROOT / "tests" / "clients" / "python",)
RUNTIME = ROOT / "generators" / "errcodegen" / "targets" / "python" / "runtime"
INSTALL_TEST = ROOT / "tests" / "install" / "python"
PACKAGING_PINS = ("build==1.6.1", "twine==7.0.0")
MYPY_PIN = next(pin for pin in PYTHON_PINS if pin.startswith("mypy=="))
# The client's tests run async retries under trio through anyio (httpx's async backends),
# and the grpc extra against a grpcio server (mypy --strict reads grpcio's typeshed stubs).
CLIENT_TEST_PINS = (
    "anyio==4.16.0",
    "trio==0.31.0",
    "grpcio==1.85.1",
    "types-grpcio==1.85.0.20261028",
)


def install(session: nox.Session) -> None:
    """The generated package, installed as a user installs it (not editable), once per run."""

    def step() -> None:
        session.install(*PYTHON_PINS, *CLIENT_TEST_PINS)
        session.install("--force-reinstall", "--no-deps", f"{CLIENT}[httpx]")

    once(session, "python-client", step)


def check(session: nox.Session) -> None:
    """Lint, format and strict typing of the generated package."""
    install(session)
    config = str(CLIENT / "pyproject.toml")
    session.run("ruff", "check", "--config", config, str(CLIENT))
    session.run("ruff", "format", "--check", "--config", config, str(CLIENT))
    session.run("mypy", "--config-file", config, str(CLIENT / "src"))
    modules = "virtengine_errors, virtengine_errors.grpc, virtengine_errors.transport"
    session.run("python", "-c", f"import {modules}")
    check_runtime(session)


def check_runtime(session: nox.Session) -> None:
    """The runtime modules where they sit, under the client's own lint and typing rules
    (the ``.pyi`` beside them declare the generated modules they import)."""
    install(session)
    config = str(CLIENT / "pyproject.toml")
    session.run("ruff", "check", "--config", config, str(RUNTIME))
    session.run("ruff", "format", "--check", "--config", config, str(RUNTIME))
    session.run("mypy", "--config-file", config, str(RUNTIME))


def prepare(session: nox.Session) -> None:
    """What the client's tests (loopback servers, properties, hostile registry) import."""
    install(session)


def runner(session: nox.Session, root: Path = ROOT) -> list[str]:
    """The argv of the conformance runner on the client generated under ``root``.

    Outside the repository (a regenerated copy) the copy's sources go first on the path
    instead of being installed over the real client.
    """
    install(session)
    python = str(Path(session.bin) / "python")
    script = str(CONFORMANCE / "runners/python/runner.py")
    if root == ROOT:
        return [python, script]
    return ["env", f"PYTHONPATH={root / 'clients/python/src'}", python, script]


def scenario_runner(session: nox.Session) -> list[str]:
    """The argv of the live scenario runner (it takes --base-url, --prefix, FILE)."""
    return [runner(session)[0], str(CONFORMANCE / "runners/python/scenarios.py")]


def bench(session: nox.Session) -> list[str]:
    """The argv of the client benchmark on the installed client (prints one JSON line of
    samples: decode on benchmarks/shapes.json, success path on loopback, import time)."""
    script, shapes = ROOT / "benchmarks/python/bench.py", ROOT / "benchmarks/shapes.json"
    return [runner(session)[0], str(script), str(shapes)]


def run_vectors(session: nox.Session, files: list[str]) -> None:
    output = session.run(*runner(session), *files, silent=True)  # fails loudly
    session.log(f"python conformance runner: {last_line(output)}")


def package(session: nox.Session, out: Path) -> list[Path]:
    """Build the sdist and the wheel of the client into ``out``; return ``[sdist, wheel]``.

    Reproducible: with the same ``SOURCE_DATE_EPOCH`` (default: the time of the last
    commit) two builds give byte-identical files. The wheel is built from the sdist, as
    pip builds it; setuptools stamps the wheel's entries with ``SOURCE_DATE_EPOCH`` but
    not the sdist's, so the sdist is rewritten with sorted entries, that time, root
    ownership and plain modes. Both are checked with ``twine check --strict``.
    """
    readme = (CLIENT / "README.md").read_text(encoding="utf-8")
    if f"pip install {PACKAGING_PINS[0]}\n" not in readme:
        session.error(f"package: the client's README should pin {PACKAGING_PINS[0]} as we do")
    session.install(*PACKAGING_PINS)
    epoch = source_date_epoch()
    env = {"SOURCE_DATE_EPOCH": str(epoch), "PYTHONHASHSEED": "0"}
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="virtengine-errors-build-") as scratch_name:
        scratch = Path(scratch_name)
        source = scratch / "source"
        # a copy, so the checkout gets no build/ or *.egg-info and stale ones stay out
        ignore = shutil.ignore_patterns("*.egg-info", "build", "dist", "__pycache__", ".*")
        shutil.copytree(CLIENT, source, ignore=ignore)
        build = ["python", "-m", "build"]
        sdist_dir, wheel_dir = str(scratch / "sdist"), str(scratch / "wheel")
        session.run(*build, "--sdist", "--outdir", sdist_dir, str(source), env=env, silent=True)
        (built_sdist,) = (scratch / "sdist").glob("*.tar.gz")
        sdist = out / built_sdist.name
        _normalize_sdist(built_sdist, sdist, epoch)
        unpacked = scratch / "unpacked"
        with tarfile.open(sdist) as archive:
            archive.extractall(unpacked, filter="data")
        (project,) = unpacked.iterdir()
        session.run(*build, "--wheel", "--outdir", wheel_dir, str(project), env=env, silent=True)
        (built_wheel,) = (scratch / "wheel").glob("*.whl")
        wheel = out / built_wheel.name
        shutil.copyfile(built_wheel, wheel)
    _check_license_shipped(session, sdist, wheel)
    session.run("twine", "check", "--strict", str(sdist), str(wheel))
    return [sdist, wheel]


def _normalize_sdist(built: Path, target: Path, epoch: int) -> None:
    """Rewrite ``built`` as ``target`` with nothing that depends on when or by whom."""
    tar_bytes = io.BytesIO()
    with (
        tarfile.open(built) as source,
        tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.PAX_FORMAT) as normalized,
    ):
        for member in sorted(source.getmembers(), key=lambda m: m.name):
            member.mtime = epoch
            member.uid = member.gid = 0
            member.uname = member.gname = ""
            member.mode = 0o755 if member.isdir() or member.mode & 0o111 else 0o644
            member.pax_headers = {}
            content = source.extractfile(member) if member.isfile() else None
            normalized.addfile(member, content)
    with (
        open(target, "wb") as raw,
        gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, mtime=epoch, compresslevel=9
        ) as compressed,
    ):
        compressed.write(tar_bytes.getvalue())


def _check_license_shipped(session: nox.Session, sdist: Path, wheel: Path) -> None:
    with tarfile.open(sdist) as archive:
        in_sdist = [name for name in archive.getnames() if name.endswith("/LICENSE")]
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        in_wheel = [name for name in names if name.endswith(".dist-info/licenses/LICENSE")]
        metadata = next(name for name in names if name.endswith(".dist-info/METADATA"))
        fields = archive.read(metadata).decode().split("\n\n", 1)[0].splitlines()
    if len(in_sdist) != 1 or len(in_wheel) != 1:
        session.error(f"package: LICENSE missing (sdist: {in_sdist}, wheel: {in_wheel})")
    for wanted in ("License-Expression: Apache-2.0", "License-File: LICENSE"):
        if wanted not in fields:
            session.error(f"package: the wheel's METADATA lacks {wanted!r}")


def install_test(session: nox.Session, artifacts: list[Path]) -> None:
    """Install the built artifacts as a user does, outside the repository, and use them.

    The wheel goes with its ``httpx`` extra into a fresh virtualenv in a temporary
    folder; ``tests/install/python/app.py`` is type-checked there (``mypy --strict``) and
    run against ``server.py`` on 127.0.0.1: a 503 retried once (``RetryTransport`` and
    ``Retrier``), a 404 envelope raised as ``NotFoundError`` with its code, the license
    and metadata installed. The sdist goes into a second virtualenv (pip builds it) and
    is imported.
    """
    wheels = [a for a in artifacts if a.suffix == ".whl"]
    sdists = [a for a in artifacts if a.name.endswith(".tar.gz")]
    if len(wheels) != 1 or len(sdists) != 1:
        session.error(f"install_test: expected one wheel and one sdist, got {artifacts}")
    wheel, sdist = wheels[0].resolve(), sdists[0].resolve()
    python = str(Path(session.bin) / "python")
    with tempfile.TemporaryDirectory(prefix="virtengine-errors-install-") as scratch_name:
        scratch = Path(scratch_name).resolve()
        if scratch.is_relative_to(ROOT):
            session.error(f"install_test: {scratch} is inside the repository")
        app = scratch / "app"
        app.mkdir()
        for name in ("app.py", "server.py"):
            shutil.copyfile(INSTALL_TEST / name, app / name)

        venv = _fresh_venv(session, python, scratch / "wheel-venv")
        session.run(venv, "-m", "pip", "install", "-q", f"{wheel}[httpx]", MYPY_PIN, external=True)
        with session.chdir(app):
            session.run(venv, "-m", "mypy", "--strict", "--no-incremental", "app.py", external=True)
            _run_app(session, python, venv, app)

        venv = _fresh_venv(session, python, scratch / "sdist-venv")
        session.run(venv, "-m", "pip", "install", "-q", str(sdist), external=True)
        with session.chdir(scratch):
            probe = (
                "import virtengine_errors as ve; from importlib import metadata; "
                "assert ve.catalog.lookup('veid:1020') is not None; "
                "assert metadata.version('virtengine-errors') == ve.__version__; "
                "print('sdist install: imported virtengine_errors', ve.__version__)"
            )
            session.run(venv, "-c", probe, external=True)


def _fresh_venv(session: nox.Session, python: str, folder: Path) -> str:
    session.run(python, "-m", "venv", str(folder), external=True, silent=True)
    return str(folder / "bin" / "python")


def _run_app(session: nox.Session, python: str, venv: str, app: Path) -> None:
    """Start the loopback server (the session's interpreter), run the app against it."""
    server = subprocess.Popen(
        [python, str(app / "server.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        if not base_url.startswith("http://127.0.0.1:"):
            session.error(f"install_test: the loopback server did not start: {base_url!r}")
        app_run = subprocess.run(
            [venv, "app.py", base_url], cwd=app, capture_output=True, text=True, timeout=120
        )
    finally:
        log, errors = server.communicate(input="", timeout=30)
    session.log(app_run.stdout.strip())
    if app_run.returncode != 0:
        session.error(
            "install_test: the app failed against the installed wheel\n"
            f"{app_run.stdout}{app_run.stderr}\nserver:\n{log}{errors}"
        )
    session.log(f"loopback server requests: {'; '.join(log.split(chr(10))).strip('; ')}")
