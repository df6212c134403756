"""Hostile registries: every one is refused with exit 2, a located problem and nothing
written, in bounded time and memory (issue 18: YAML constructs, special files)."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest

from errcodegen.cli import main
from errcodegen.registry import yamlsource

from .conftest import MakeRegistry

HEAD = "name: veid\ndescription: Identity.\nranges:\n  - {start: 1000, end: 1099}\ncodes:\n"
CODE = "  - number: 1000\n    name: invalid_scope\n    message: invalid scope\n"


def refused(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run ``generate`` on ``root``: it must exit 2 and write nothing; the problems printed."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    started = time.monotonic()
    assert main(["generate", "--spec", str(root), "--root", str(out)]) == 2
    assert time.monotonic() - started < 10
    assert list(out.iterdir()) == []
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1].endswith("problem(s); nothing was written")
    return lines[:-1]


def module_problem(
    text: str, make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> str:
    root = make_registry({"modules/veid.yaml": text})
    [line] = refused(root, tmp_path, capsys)
    prefix = f"{root / 'modules/veid.yaml'}:"
    assert line.startswith(prefix)
    return line.removeprefix(prefix)


YAML_CASES = {
    "merge key": (
        HEAD + CODE + "    category: validation\n  - <<: {category: validation}\n"
        "    number: 1001\n",
        "10:5: codes[1]: merge keys (<<) are not allowed: write every field out",
    ),
    "custom tag": (
        HEAD + CODE + "    category: !env CATEGORY\n",
        "9:15: codes[0].category: tag !env is not allowed",
    ),
    "self-referencing alias": (
        HEAD + CODE + "    category: validation\n    context: &loop [*loop]\n",
        "10:14: codes[0].context: anchors are not allowed (&loop)",
    ),
    "alias without anchor in this file": (
        HEAD + CODE + "    category: *validation\n",
        "9:15: codes[0].category: aliases are not allowed (*validation)",
    ),
    "octal number": (
        HEAD + "  - number: 02131\n    name: a\n    message: m\n    category: validation\n",
        "6:13: codes[0].number: '02131' is a YAML 1.1 number form (octal, hex, sexagesimal "
        "or with '_'); write the number in decimal, or quote it to make it a string",
    ),
    "sexagesimal number": (
        HEAD + "  - number: 18:34\n    name: a\n    message: m\n    category: validation\n",
        "6:13: codes[0].number: '18:34' is a YAML 1.1 number form (octal, hex, sexagesimal "
        "or with '_'); write the number in decimal, or quote it to make it a string",
    ),
    "hexadecimal number": (
        HEAD + "  - number: 0x10\n    name: a\n    message: m\n    category: validation\n",
        "6:13: codes[0].number: '0x10' is a YAML 1.1 number form (octal, hex, sexagesimal "
        "or with '_'); write the number in decimal, or quote it to make it a string",
    ),
    "number with underscores": (
        HEAD + "  - number: 1_000\n    name: a\n    message: m\n    category: validation\n",
        "6:13: codes[0].number: '1_000' is a YAML 1.1 number form (octal, hex, sexagesimal "
        "or with '_'); write the number in decimal, or quote it to make it a string",
    ),
    "number of 5000 digits": (
        HEAD + "  - number: " + "9" * 5000 + "\n",
        "6:13: codes[0].number: '9999999999999999999999999999999999999999...' has more "
        "than 20 digits",
    ),
    "infinite float": (
        HEAD + CODE + "    category: validation\n    alert: {above: .inf, for: 5m}\n",
        "10:20: codes[0].alert.above: '.inf' is not a plain decimal number; write it in "
        "decimal, or quote it",
    ),
    "timestamp": (
        HEAD + CODE + "    category: validation\n    description: 2024-01-01\n",
        "10:18: codes[0].description: '2024-01-01' is read as a YAML timestamp; quote it to "
        "make it a string",
    ),
    "python tag": (
        HEAD + CODE + "    category: !!python/name:os.system validation\n",
        "9:15: codes[0].category: tag tag:yaml.org,2002:python/name:os.system is not allowed",
    ),
    "collection key": (
        HEAD + CODE + "    ? [category]\n    : validation\n",
        "9:7: codes[0]: a mapping key must be a scalar",
    ),
    "nested 100,000 deep": (
        HEAD + CODE + "    context: " + "[" * 100_000 + "]" * 100_000 + "\n",
        "9:" + str(14 + 29) + ": codes[0].context" + "[0]" * 29 + ": nested deeper than 32 levels",
    ),
    "two documents": (
        HEAD + CODE + "    category: validation\n---\nname: x\n",
        "10:1: a registry file holds one YAML document",
    ),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_yaml_construct_is_refused_where_it_stands(
    case: str, make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = YAML_CASES[case]
    assert module_problem(text, make_registry, tmp_path, capsys) == expected


def test_billion_laughs_is_refused_at_once_in_little_memory(
    make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    text = HEAD + CODE + "    category: validation\n    context:\n"
    text += "".join(f"      {line}\n" for line in lines)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    problem = module_problem(text, make_registry, tmp_path, capsys)
    assert problem == "11:11: codes[0].context.a0: anchors are not allowed (&a0)"
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 50_000


def test_invalid_utf8_is_located_at_the_byte(
    make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_registry()
    (root / "modules/veid.yaml").write_bytes(
        (HEAD + CODE).encode() + b"    category: valid\xe9tion\n"
    )
    [line] = refused(root, tmp_path, capsys)
    assert line == f"{root / 'modules/veid.yaml'}:9:20: not UTF-8: byte(s) e9"


def test_control_character_is_located(
    make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = HEAD + CODE + "    category: valid\x00ation\n"
    assert module_problem(text, make_registry, tmp_path, capsys) == (
        "9:20: YAML syntax error: control characters are not allowed"
    )


def test_duplicate_key_keeps_the_first_value_and_its_positions(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: {b: 1}\nc: 2\na: {b: 3, d: 4}\n", encoding="utf-8")
    document, problems = yamlsource.read_yaml(path, "a.yaml")
    assert document is not None
    assert document.data == {"a": {"b": 1}, "c": 2}
    assert document.positions[("a", "b")] == (1, 5)
    assert ("a", "d") not in document.positions
    assert [str(p) for p in problems] == ["a.yaml:3:1: a: duplicate key"]


def test_plain_yaml_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "a: 1\nb: [-2, 2.5, 'x', true, null, off]\n400: x\nc: {d: '02131', e: 1.0e+3}\n",
        encoding="utf-8",
    )
    document, problems = yamlsource.read_yaml(path, "a.yaml")
    assert problems == []
    assert document is not None
    assert document.data == {
        "a": 1,
        "b": [-2, 2.5, "x", True, None, False],
        400: "x",
        "c": {"d": "02131", "e": 1000.0},
    }
    assert document.positions[("c", "e")] == (4, 17)


# Special files: only regular files of bounded size are read.


def test_symlink_to_dev_zero_is_refused(
    make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_registry()
    (root / "modules/zero.yaml").symlink_to("/dev/zero")
    [line] = refused(root, tmp_path, capsys)
    assert line == f"{root / 'modules/zero.yaml'}: not a regular file (a device)"


def test_fifo_is_refused_without_blocking(
    make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_registry()
    os.mkfifo(root / "modules/pipe.yaml")
    [line] = refused(root, tmp_path, capsys)
    assert line == f"{root / 'modules/pipe.yaml'}: not a regular file (a FIFO)"


def test_directory_is_refused(
    make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_registry()
    (root / "modules/folder.yaml").mkdir()
    [line] = refused(root, tmp_path, capsys)
    assert line == f"{root / 'modules/folder.yaml'}: not a regular file (a directory)"


def test_huge_file_is_refused_unread(
    make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_registry()
    with open(root / "modules/huge.yaml", "wb") as handle:
        handle.truncate(64 * 1024**3)  # sparse: 64 GiB that take no disk
    [line] = refused(root, tmp_path, capsys)
    limit = yamlsource.MAX_FILE_BYTES
    assert line == f"{root / 'modules/huge.yaml'}: file is larger than {limit} bytes"


def test_unreadable_registry_yaml_is_refused(
    make_registry: MakeRegistry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_registry()
    (root / "registry.yaml").unlink()
    (root / "registry.yaml").symlink_to("/dev/zero")
    [line] = refused(root, tmp_path, capsys)
    assert line == f"{root / 'registry.yaml'}: not a regular file (a device)"
