"""Malformed registries: every problem named by file, line, column and field, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from errcodegen.cli import main
from errcodegen.registry import RegistryError, load_registry

from .conftest import MakeRegistry, module_yaml

CODE = "  - number: 1000\n    name: invalid_scope\n    message: invalid scope\n"
HEAD = "name: veid\ndescription: Identity.\nranges:\n  - {start: 1000, end: 1099}\ncodes:\n"


def problems(root: Path) -> list[str]:
    with pytest.raises(RegistryError) as caught:
        load_registry(root)
    return [str(p) for p in caught.value.problems]


def lint_errors(root: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["lint", "--spec", str(root), "--errors-only"]) == 2
    return [line for line in capsys.readouterr().out.splitlines() if ": error " in line]


def where(root: Path, relative: str) -> str:
    return str(root / relative)


def test_the_project_registry_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = load_registry(Path(__file__).resolve().parents[2] / "spec")
    assert len(registry.modules) == 58  # 56 of the platform, sdk and undefined upstream
    assert sum(1 for _ in registry.codes()) == 1115
    assert sum(1 for _ in registry.platform_codes()) == 1072
    assert sum(1 for m in registry.modules if m.module.ranges) == 41


def test_yaml_syntax_error(make_registry: MakeRegistry) -> None:
    root = make_registry({"modules/veid.yaml": HEAD + CODE + "    category: [validation\n"})
    assert problems(root) == [
        f"{where(root, 'modules/veid.yaml')}:10:1: YAML syntax error: "
        "did not find expected ',' or ']'"
    ]


def test_unknown_field(make_registry: MakeRegistry) -> None:
    root = make_registry(
        {"modules/veid.yaml": HEAD + CODE + "    category: validation\n    retriable: true\n"}
    )
    assert problems(root) == [
        f"{where(root, 'modules/veid.yaml')}:10:5: codes[0].retriable: unknown field"
    ]


def test_wrong_type(make_registry: MakeRegistry) -> None:
    root = make_registry(
        {"modules/veid.yaml": HEAD + CODE + "    category: validation\n    retryable: sometimes\n"}
    )
    assert problems(root) == [
        f"{where(root, 'modules/veid.yaml')}:10:5: codes[0].retryable: "
        "Input should be a valid boolean (got 'sometimes')"
    ]


def test_missing_message(make_registry: MakeRegistry) -> None:
    text = HEAD + "  - number: 1000\n    name: invalid_scope\n    category: validation\n"
    root = make_registry({"modules/veid.yaml": text})
    assert problems(root) == [
        f"{where(root, 'modules/veid.yaml')}:6:5: codes[0].message: required field is missing"
    ]


def test_unknown_category(make_registry: MakeRegistry) -> None:
    root = make_registry({"modules/veid.yaml": HEAD + CODE + "    category: invalid\n"})
    assert problems(root) == [
        f"{where(root, 'modules/veid.yaml')}:9:5: codes[0].category: unknown category 'invalid' "
        "(known: conflict, external, internal, not_found, rate_limit, state, timeout, "
        "unauthorized, validation)"
    ]


def test_bad_name_and_all_problems_at_once(make_registry: MakeRegistry) -> None:
    text = HEAD + "  - number: 1000\n    name: 9lives\n    message: ''\n    category: state\n"
    other = module_yaml(
        "mfa", 1200, 1299, [{"number": "x", "name": "a", "message": "m", "category": "state"}]
    )
    root = make_registry({"modules/veid.yaml": text, "modules/mfa.yaml": other})
    assert problems(root) == [
        f"{where(root, 'modules/mfa.yaml')}:7:3: codes[0].number: Input should be a valid "
        "integer (got 'x')",
        f"{where(root, 'modules/veid.yaml')}:7:5: codes[0].name: '9lives' does not match the "
        "pattern ^[a-z][a-z0-9]*(_[a-z0-9]+)*$",
        f"{where(root, 'modules/veid.yaml')}:8:5: codes[0].message: String should have at "
        "least 1 character (got '')",
    ]


def test_duplicate_yaml_key(make_registry: MakeRegistry) -> None:
    root = make_registry(
        {"modules/veid.yaml": HEAD + CODE + "    category: validation\n    message: again\n"}
    )
    assert problems(root) == [
        f"{where(root, 'modules/veid.yaml')}:10:5: codes[0].message: duplicate key"
    ]


def test_duplicate_code(make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]) -> None:
    codes = [
        {"number": 1000, "name": "invalid_scope", "message": "m", "category": "validation"},
        {"number": 1000, "name": "invalid_salt", "message": "m", "category": "validation"},
    ]
    root = make_registry({"modules/veid.yaml": module_yaml(codes=codes)})
    assert lint_errors(root, capsys) == [
        f"{where(root, 'modules/veid.yaml')}:11:3: error DUPLICATE_CODE: code veid:1000 is "
        f"already defined at {where(root, 'modules/veid.yaml')}:7"
    ]


def test_duplicate_name(make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]) -> None:
    codes = [
        {"number": 1000, "name": "invalid_scope", "message": "m", "category": "validation"},
        {"number": 1001, "name": "invalid_scope", "message": "m", "category": "validation"},
    ]
    root = make_registry({"modules/veid.yaml": module_yaml(codes=codes)})
    assert lint_errors(root, capsys) == [
        f"{where(root, 'modules/veid.yaml')}:12:3: error DUPLICATE_NAME: name 'invalid_scope' "
        "is already used by veid:1000"
    ]


def test_out_of_range_code_at_level_error(
    make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    codes = [{"number": 1150, "name": "upstream_down", "message": "m", "category": "external"}]
    root = make_registry({"modules/veid.yaml": module_yaml(codes=codes)})
    assert lint_errors(root, capsys) == [
        f"{where(root, 'modules/veid.yaml')}:7:3: error CODE_OUTSIDE_RANGE: 1150 is outside "
        "veid's range 1000-1099"
    ]


def test_unknown_reference_in_sentinels(make_registry: MakeRegistry) -> None:
    sentinels = "sentinels:\n  - name: gone\n    message: gone\n    codes: ['veid:1099']\n"
    root = make_registry({"modules/veid.yaml": module_yaml(), "sentinels.yaml": sentinels})
    assert problems(root) == [
        f"{where(root, 'sentinels.yaml')}:4:13: sentinels[0].codes[0]: "
        "unknown code 'veid:1099' (known: veid:1000)"
    ]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["lint"], "codes[0].retriable: unknown field"),
        (["generate", "--check"], "codes[0].retriable: unknown field"),
    ],
)
def test_cli_exits_2_and_writes_nothing(
    make_registry: MakeRegistry,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    expected: str,
) -> None:
    root = make_registry(
        {"modules/veid.yaml": HEAD + CODE + "    category: validation\n    retriable: true\n"}
    )
    out = tmp_path / "out"
    out.mkdir()
    code = main([*argv, "--spec", str(root)] + (["--root", str(out)] if "generate" in argv else []))
    assert code == 2
    err = capsys.readouterr().err
    assert f"{root / 'modules/veid.yaml'}:10:5: {expected}" in err
    assert "nothing was written" in err
    assert list(out.iterdir()) == []
