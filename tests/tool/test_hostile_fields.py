"""Registry fields that reach generated code: restricted by a pattern with a located
error, or escaped by each output's escaper; every number bounded to what every client
holds (issue 18: the platform name, bounds)."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from errcodegen.cli import main
from errcodegen.lang import toml
from errcodegen.pipeline import prepare, render
from errcodegen.registry import RegistryError, load_registry
from errcodegen.targets import all_targets

from .conftest import SPEC, MakeRegistry, module_yaml

Edit = Callable[[dict[str, Any]], None]


def with_settings(make_registry: MakeRegistry, edit: Edit, module: str | None = None) -> Path:
    settings = yaml.safe_load((SPEC / "registry.yaml").read_text(encoding="utf-8"))
    edit(settings)
    return make_registry(
        {
            "registry.yaml": yaml.safe_dump(settings, sort_keys=False, allow_unicode=True),
            "modules/veid.yaml": module or module_yaml(),
        }
    )


def problems(root: Path) -> list[str]:
    with pytest.raises(RegistryError) as caught:
        load_registry(root)
    return [str(p).removeprefix(f"{p.file}:") for p in caught.value.problems]


def settings_line(root: Path, key: str) -> int:
    lines = (root / "registry.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if re.match(rf"\s*{key}:", line))


HOSTILE_PLATFORMS = [
    "VirtEngine */ export const PWNED = 1; /*",
    'Virt"""Engine',
    "Virt\\N{Engine",
    "Virt\nEngine",
    " VirtEngine",
    "VirtEngine ",
    "Virt\x1b]0;title\x07Engine",
    "V\u0456rtEngine",  # a Cyrillic i
    "Virt${Engine}",
    "Virt<script>",
    "",
    "V" * 65,
]


@pytest.mark.parametrize("platform", HOSTILE_PLATFORMS)
def test_hostile_platform_name_is_refused_where_it_stands(
    platform: str, make_registry: MakeRegistry
) -> None:
    root = with_settings(make_registry, lambda s: s.update(platform=platform))
    [problem] = problems(root)
    assert problem.startswith(f"{settings_line(root, 'platform')}:1: platform: ")
    assert "does not match the pattern" in problem


@pytest.mark.parametrize("platform", ["Société Générale", "VirtEngine", "Acme-2 Cloud_x.io"])
def test_legitimate_platform_names_reach_every_output_intact(
    platform: str, make_registry: MakeRegistry
) -> None:
    root = with_settings(make_registry, lambda s: s.update(platform=platform))
    run = prepare(root)
    render(run, [t for t in all_targets() if t.name in {"python", "typescript", "go", "alerts"}])
    python = run.outputs["clients/python"]
    project = tomllib.loads(str(python["pyproject.toml"]))["project"]
    assert (
        project["description"]
        == f"Typed errors, the code catalog and safe retries for {platform} APIs."
    )
    assert project["keywords"][0] == platform.lower()
    for name, content in python.items():
        if name.endswith(".py"):
            compile(str(content), name, "exec")
    package = json.loads(str(run.outputs["clients/typescript"]["package.json"]))
    assert platform in package["description"]
    yaml.safe_load(str(next(iter(run.outputs["deploy/prometheus"].values()))))


def test_toml_string_escapes_what_toml_needs() -> None:
    text = 'Société "Générale"\\ \n\t\x00\x7f\u2028'
    assert tomllib.loads(f"a = {toml.string(text)}")["a"] == text
    assert toml.string("Société") == '"Société"'


HOSTILE_TEXT = (
    'a */ export const PWNED = 1; /* """ \\N{x} ${x} {{ x }} </script> \x1b]0;t\x07 \u202e\nz'
)


def code_only(source: str) -> str:
    """TypeScript or Go source without its string literals and comments."""
    source = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', source)
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)


def test_code_only_sees_code() -> None:
    assert "PWNED" in code_only('/** a */ export const PWNED = "x"; // b')
    assert "PWNED" not in code_only('/** a *\\/ PWNED */ x = "\\" PWNED"; // PWNED')


def test_hostile_text_in_every_free_text_field_stays_text(make_registry: MakeRegistry) -> None:
    def edit(settings: dict[str, Any]) -> None:
        settings["description"] = HOSTILE_TEXT
        settings["categories"]["validation"]["description"] = HOSTILE_TEXT
        settings["categories"]["validation"]["context"][0]["description"] = HOSTILE_TEXT
        settings["reason_phrases"][400] = HOSTILE_TEXT

    code = {
        "number": 1000,
        "name": "invalid_scope",
        "message": HOSTILE_TEXT,
        "category": "validation",
        "description": HOSTILE_TEXT,
        "action": HOSTILE_TEXT,
        "retryable": True,
        "reason": HOSTILE_TEXT,
        "category_evidence": "review",
        "category_note": HOSTILE_TEXT,
    }
    root = with_settings(make_registry, edit, module_yaml(codes=[code]))
    sentinels = {
        "sentinels": [
            {"name": "odd", "message": HOSTILE_TEXT, "description": HOSTILE_TEXT, "statuses": [418]}
        ]
    }
    (root / "sentinels.yaml").write_text(yaml.safe_dump(sentinels), encoding="utf-8")
    run = prepare(root)
    render(run)  # the Go target runs gofmt: a syntax error fails here
    for folder, files in run.outputs.items():
        for name, content in files.items():
            text = content.decode() if isinstance(content, bytes) else content
            if name.endswith((".ts", ".go")):
                assert "PWNED" not in code_only(text), name
            assert "\x1b" not in text or name.endswith(".json"), (folder, name)
            if name.endswith(".py"):
                compile(text, name, "exec")
            elif name.endswith(".toml"):
                tomllib.loads(text)
            elif name.endswith(".json"):
                json.loads(text)
            elif name.endswith((".yaml", ".yml")):
                yaml.safe_load(text)


# Bounds.


def test_code_number_beyond_uint32_is_refused(make_registry: MakeRegistry) -> None:
    code = {"number": 2**32, "name": "a", "message": "m", "category": "validation"}
    root = make_registry({"modules/veid.yaml": module_yaml(end=2**32 + 5, codes=[code])})
    assert problems(root) == [
        "5:3: ranges[0].end: Input should be less than or equal to 4294967295 (got 4294967301)",
        "7:3: codes[0].number: Input should be less than or equal to 4294967295 (got 4294967296)",
    ]


def test_largest_uint32_code_number_loads(make_registry: MakeRegistry) -> None:
    code = {"number": 2**32 - 1, "name": "a", "message": "m", "category": "validation"}
    root = make_registry(
        {"modules/veid.yaml": module_yaml(start=2**32 - 100, end=2**32 - 1, codes=[code])}
    )
    assert [c.number for _, _, c in load_registry(root).codes()] == [2**32 - 1]


RETRY_BOUNDS = {
    "max_retry_after_ms": (10**16, 9223372036854),
    "base_delay_ms": (2**53 + 1, 9223372036854),
    "max_error_body_bytes": (2**63, 2147483647),
    "budget_capacity": (2**31, 2147483647),
    "retry_cost": (2**40, 2147483647),
    "success_refund": (2**53, 2147483647),
}


@pytest.mark.parametrize("field", sorted(RETRY_BOUNDS))
def test_retry_numbers_are_bounded_to_what_every_client_holds(
    field: str, make_registry: MakeRegistry
) -> None:
    value, bound = RETRY_BOUNDS[field]
    root = with_settings(make_registry, lambda s: s["retry"].update({field: value}))
    [problem] = problems(root)
    assert problem.endswith(
        f": retry.{field}: Input should be less than or equal to {bound} (got {value})"
    )


def test_alert_threshold_is_bounded(make_registry: MakeRegistry) -> None:
    root = with_settings(make_registry, lambda s: s["alerts"]["error_rate"][0].update(above=1e300))
    [problem] = problems(root)
    assert (
        "alerts.error_rate[0].above: Input should be less than or equal to 1000000000000" in problem
    )


@pytest.mark.parametrize("version", ["1.\u0660.0", "\u0661.0.0", "01.0.0", "1.0", "1.0.0-rc1"])
def test_version_is_three_ascii_numbers(version: str, make_registry: MakeRegistry) -> None:
    root = with_settings(make_registry, lambda s: s.update(version=version))
    [problem] = problems(root)
    assert problem.startswith(f"{settings_line(root, 'version')}:1: version: ")


def test_context_field_format_is_a_plain_word(make_registry: MakeRegistry) -> None:
    def edit(settings: dict[str, Any]) -> None:
        settings["categories"]["validation"]["context"][0]["format"] = 'x"); import os  #'

    [problem] = problems(with_settings(make_registry, edit))
    assert "categories.validation.context[0].format: " in problem
    assert "does not match the pattern" in problem


# explain prints registry text to a terminal.

TERMINAL_ATTACK = "ML \x1b]0;owned\x07failed\x9b31m\r\nforged line"


@pytest.mark.parametrize("as_json", [False, True])
def test_explain_shows_terminal_controls_escaped(
    as_json: bool, make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    code = {
        "number": 1000,
        "name": "invalid_scope",
        "message": TERMINAL_ATTACK,
        "description": TERMINAL_ATTACK,
        "category": "validation",
    }
    root = make_registry({"modules/veid.yaml": module_yaml(codes=[code])})
    args = ["explain", "--spec", str(root), "veid:1000"] + (["--format", "json"] if as_json else [])
    assert main(args) == 0
    out = capsys.readouterr().out
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", out)
    if as_json:
        assert json.loads(out)["message"] == TERMINAL_ATTACK
    else:
        assert "  message       ML \\x1b]0;owned\\x07failed\\x9b31m\\x0d\\x0aforged line\n" in out
        assert "\nforged line" not in out


def test_explain_suggestions_show_terminal_controls_escaped(
    make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    code = {"number": 1000, "name": "a", "message": TERMINAL_ATTACK, "category": "validation"}
    root = make_registry({"modules/veid.yaml": module_yaml(codes=[code])})
    assert main(["explain", "--spec", str(root), "veid:1001"]) == 1
    err = capsys.readouterr().err
    assert "veid:1000  a: ML \\x1b]0;owned" in err
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", err)
