"""Each lint rule: a registry that breaks it, a registry that passes it, levels, exceptions."""

from __future__ import annotations

from pathlib import Path

import pytest

from errcodegen.lint import lint_registry
from errcodegen.lint.rules import RULES
from errcodegen.registry import RegistryError, load_registry

from .conftest import MakeRegistry, module_yaml


def code(
    number: int, name: str, category: str = "validation", **extra: object
) -> dict[str, object]:
    return {
        "number": number,
        "name": name,
        "message": name.replace("_", " "),
        "category": category,
        **extra,
    }


VALID = {"modules/veid.yaml": module_yaml(codes=[code(1000, "invalid_scope")])}

# rule -> (files that break it, files that pass it); VALID passes every rule.
CASES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "DUPLICATE_CODE": (
        {"modules/veid.yaml": module_yaml(codes=[code(1000, "a"), code(1000, "b")])},
        {"modules/veid.yaml": module_yaml(codes=[code(1000, "a"), code(1001, "b")])},
    ),
    "DUPLICATE_NAME": (
        {"modules/veid.yaml": module_yaml(codes=[code(1000, "a"), code(1001, "a")])},
        {
            "modules/veid.yaml": module_yaml(codes=[code(1000, "a")]),
            "modules/mfa.yaml": module_yaml("mfa", 1200, 1299, [code(1200, "a")]),
        },
    ),
    "RANGE_OVERLAP": (
        {
            "modules/veid.yaml": module_yaml(codes=[]),
            "modules/mfa.yaml": module_yaml("mfa", 1050, 1149, []),
        },
        {
            "modules/veid.yaml": module_yaml(codes=[]),
            "modules/mfa.yaml": module_yaml("mfa", 1100, 1199, []),
        },
    ),
    "CODE_OUTSIDE_RANGE": (
        {"modules/veid.yaml": module_yaml(codes=[code(1100, "a")])},
        {"modules/veid.yaml": module_yaml(codes=[code(1099, "a", "state")])},
    ),
    "SENTINEL_MATCHES_NOTHING": (
        {**VALID, "sentinels.yaml": "sentinels:\n- name: canceled\n  message: canceled\n"},
        {
            **VALID,
            "sentinels.yaml": "sentinels:\n- name: canceled\n  message: canceled\n"
            "  failures: [cancelled]\n- name: unavailable\n  message: unavailable\n"
            "  statuses: [503]\n",
        },
    ),
    "MODULE_WITHOUT_RANGE": (
        {"modules/bme.yaml": "name: bme\ndescription: B.\ncodes: []\n"},
        VALID,
    ),
    "RESERVED_RANGE": (
        {"modules/veid.yaml": module_yaml(start=0, end=99, codes=[code(5, "a")])},
        {"modules/veid.yaml": module_yaml(start=0, end=99, codes=[code(51, "a", "external")])},
    ),
    "SUBRANGE_CONVENTION": (
        {"modules/veid.yaml": module_yaml(codes=[code(1010, "a", "validation")])},
        {"modules/veid.yaml": module_yaml(codes=[code(1010, "a", "not_found")])},
    ),
    "IDENTIFIER_COLLISION": (
        {
            "modules/veid.yaml": module_yaml(codes=[code(1000, "a_b"), code(1001, "ab")]),
            "modules/veid_a.yaml": module_yaml("veid_a", 1100, 1199, [code(1100, "b")]),
        },
        {
            "modules/veid.yaml": module_yaml(codes=[code(1000, "a_b")]),
            "modules/veid_a.yaml": module_yaml("veid_a", 1100, 1199, [code(1100, "c")]),
        },
    ),
    "OVERRIDE_WITHOUT_REASON": (
        {"modules/veid.yaml": module_yaml(codes=[code(1060, "a", "internal", retryable=True)])},
        {
            "modules/veid.yaml": module_yaml(
                codes=[
                    code(1060, "a", "internal", retryable=True, reason="the model server restarts")
                ]
            )
        },
    ),
    "CATEGORY_INFERRED": (
        {"modules/veid.yaml": module_yaml(codes=[code(1000, "a", category_inferred=True)])},
        VALID,
    ),
}


def findings(root: Path, rule: str) -> list[str]:
    return [
        f"{f.level} {f.where.message}"
        for f in lint_registry(load_registry(root)).findings
        if f.rule == rule
    ]


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == {rule.id for rule in RULES}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_fires_on_a_violation(rule: str, make_registry: MakeRegistry) -> None:
    assert findings(make_registry(CASES[rule][0]), rule)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_is_quiet_on_a_clean_registry(rule: str, make_registry: MakeRegistry) -> None:
    assert findings(make_registry(CASES[rule][1]), rule) == []


def test_messages_explain_the_violation(make_registry: MakeRegistry) -> None:
    assert findings(make_registry(CASES["RANGE_OVERLAP"][0]), "RANGE_OVERLAP") == [
        "error range 1050-1149 of mfa overlaps 1000-1099 of veid"
    ]
    assert findings(make_registry(CASES["IDENTIFIER_COLLISION"][0]), "IDENTIFIER_COLLISION") == [
        "error Go identifier ErrVeidAB of veid_a:1100 collides with veid:1000",
        "error Python identifier VEID_A_B of veid_a:1100 collides with veid:1000",
        "error TypeScript identifier VEID_A_B of veid_a:1100 collides with veid:1000",
    ]
    assert findings(make_registry(CASES["SUBRANGE_CONVENTION"][0]), "SUBRANGE_CONVENTION") == [
        "warning validation code at offset 10, where the convention puts not found (not_found)"
    ]


def test_levels_come_from_the_registry(make_registry: MakeRegistry) -> None:
    files = dict(CASES["CODE_OUTSIDE_RANGE"][0])
    root = make_registry(files)
    text = (root / "lint.yaml").read_text()
    (root / "lint.yaml").write_text(
        text.replace("CODE_OUTSIDE_RANGE: error", "CODE_OUTSIDE_RANGE: off")
    )
    assert findings(root, "CODE_OUTSIDE_RANGE") == []


def test_deployed_exceptions_are_warnings(make_registry: MakeRegistry) -> None:
    files = {
        **CASES["CODE_OUTSIDE_RANGE"][0],
        "lint-exceptions.yaml": "exceptions:\n  CODE_OUTSIDE_RANGE: ['veid:1100']\n",
    }
    report = lint_registry(load_registry(make_registry(files)))
    [finding] = [f for f in report.findings if f.rule == "CODE_OUTSIDE_RANGE"]
    assert (finding.level, finding.excepted) == ("warning", True)
    assert str(finding).endswith("(deployed exception)")
    assert report.errors == ()


@pytest.mark.parametrize(
    "rule",
    ["DUPLICATE_CODE", "DUPLICATE_NAME", "IDENTIFIER_COLLISION", "SENTINEL_MATCHES_NOTHING"],
)
@pytest.mark.parametrize("level", ["warning", "off"])
def test_fixed_rules_cannot_be_lowered(make_registry: MakeRegistry, rule: str, level: str) -> None:
    root = make_registry(VALID)
    text = (root / "lint.yaml").read_text()
    (root / "lint.yaml").write_text(text.replace(f"{rule}: error", f"{rule}: {level}"))
    with pytest.raises(RegistryError, match=f"{rule} is always an error"):
        lint_registry(load_registry(root))


def test_the_project_registry_lints_clean_of_errors() -> None:
    report = lint_registry(load_registry(Path(__file__).resolve().parents[2] / "spec"))
    assert report.errors == ()
    summary = report.summary()
    assert "CODE_OUTSIDE_RANGE" in summary and "veid" in summary
    counts = {f.rule for f in report.findings}
    assert {"CODE_OUTSIDE_RANGE", "MODULE_WITHOUT_RANGE", "RESERVED_RANGE"} <= counts
