"""Collisions beyond code names (issue 18): every identifier a target names after the
platform, a category, a severity or a sentinel, against every other and against the
names each target's runtime defines; always an error, naming both entries."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

from errcodegen.lang import go, typescript
from errcodegen.lint import lint_registry
from errcodegen.registry import RegistryError, load_registry

from .conftest import REPO, SPEC, MakeRegistry, module_yaml


def category(severity: str = "error") -> dict[str, Any]:
    return {"description": "Odd.", "severity": severity, "retryable": False, "http_status": 400}


def registry(
    make_registry: MakeRegistry,
    *,
    platform: str | None = None,
    categories: tuple[str, ...] = (),
    severities: tuple[str, ...] = (),
    sentinels: tuple[str, ...] = (),
) -> Path:
    settings = yaml.safe_load((SPEC / "registry.yaml").read_text(encoding="utf-8"))
    settings["platform"] = platform or settings["platform"]
    settings["severities"] += list(severities)
    for name in categories:
        settings["categories"][name] = category()
    body = {"sentinels": [{"name": name, "message": name} for name in sentinels]}
    return make_registry(
        {
            "registry.yaml": yaml.safe_dump(settings, sort_keys=False),
            "sentinels.yaml": yaml.safe_dump(body),
            "modules/veid.yaml": module_yaml(),
        }
    )


def collisions(root: Path) -> list[str]:
    report = lint_registry(load_registry(root))
    found = [f for f in report.findings if f.rule == "IDENTIFIER_COLLISION"]
    assert all(f.level == "error" for f in found)
    return [f"{f.where.field}: {f.where.message}" for f in found]


CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "category connection": (
        {"categories": ("connection",)},
        [
            "categories.connection: Go identifier ConnectionError of category 'connection' "
            "collides with the Go runtime's ConnectionError",
            "categories.connection: Python identifier APIConnectionError of category "
            "'connection' collides with the Python runtime's APIConnectionError",
            "categories.connection: TypeScript identifier ConnectionError of category "
            "'connection' collides with the TypeScript runtime's ConnectionError",
            "categories.connection: TypeScript identifier isConnectionError of category "
            "'connection' collides with the TypeScript runtime's isConnectionError",
        ],
    ),
    "category api": (
        {"categories": ("api",)},
        [
            "categories.api: Go identifier APIError of category 'api' collides with the Go "
            "runtime's APIError"
        ],
    ),
    "category decode": (
        {"categories": ("decode",)},
        [
            "categories.decode: Go identifier DecodeError of category 'decode' collides with "
            "the Go runtime's DecodeError"
        ],
    ),
    "category read": (
        {"categories": ("read",)},
        [
            "categories.read: Go identifier ReadError of category 'read' collides with the Go "
            "runtime's ReadError"
        ],
    ),
    "category virt_engine": (
        {"categories": ("virt_engine",)},
        [
            "categories.virt_engine: Python identifier VirtEngineError of category "
            "'virt_engine' collides with platform 'VirtEngine'",
            "categories.virt_engine: TypeScript identifier VirtEngineError of category "
            "'virt_engine' collides with platform 'VirtEngine'",
            "categories.virt_engine: TypeScript identifier isVirtEngineError of category "
            "'virt_engine' collides with platform 'VirtEngine'",
        ],
    ),
    "category client": (
        {"categories": ("client",)},
        [
            "categories.client: Python identifier ClientError of category 'client' collides "
            "with the Python runtime's ClientError"
        ],
    ),
    "category typed": (
        {"categories": ("typed",)},
        [
            "categories.typed: OpenAPI identifier TypedErrorBody of category 'typed' collides "
            "with the OpenAPI runtime's TypedErrorBody"
        ],
    ),
    "categories x1 and x_1": (
        {"categories": ("x1", "x_1")},
        [
            "categories.x_1: Go identifier CategoryX1 of category 'x_1' collides with "
            "category 'x1'",
            "categories.x_1: Go identifier X1Error of category 'x_1' collides with category 'x1'",
            "categories.x_1: OpenAPI identifier X1Context of category 'x_1' collides with "
            "category 'x1'",
            "categories.x_1: OpenAPI identifier X1ErrorBody of category 'x_1' collides with "
            "category 'x1'",
            "categories.x_1: OpenAPI identifier X1ErrorEnvelope of category 'x_1' collides "
            "with category 'x1'",
            "categories.x_1: Python identifier X1Context of category 'x_1' collides with "
            "category 'x1'",
            "categories.x_1: Python identifier X1Error of category 'x_1' collides with "
            "category 'x1'",
            "categories.x_1: TypeScript identifier X1Context of category 'x_1' collides with "
            "category 'x1'",
            "categories.x_1: TypeScript identifier X1Error of category 'x_1' collides with "
            "category 'x1'",
            "categories.x_1: TypeScript identifier isX1Error of category 'x_1' collides with "
            "category 'x1'",
        ],
    ),
    "sentinel connection_error": (
        {"sentinels": ("connection_error",)},
        [
            "sentinels[0].name: TypeScript identifier isConnectionError of sentinel "
            "'connection_error' collides with the TypeScript runtime's isConnectionError"
        ],
    ),
    "sentinel known_code": (
        {"sentinels": ("known_code",)},
        [
            "sentinels[0].name: TypeScript identifier isKnownCode of sentinel 'known_code' "
            "collides with the TypeScript runtime's isKnownCode"
        ],
    ),
    "sentinel sentinels": (
        {"sentinels": ("sentinels",)},
        [
            "sentinels[0].name: Python identifier SENTINELS of sentinel 'sentinels' collides "
            "with the Python runtime's SENTINELS"
        ],
    ),
    "sentinels v2 and v_2": (
        {"sentinels": ("v2", "v_2")},
        [
            "sentinels[1].name: Go identifier ErrV2 of sentinel 'v_2' collides with sentinel 'v2'",
            "sentinels[1].name: TypeScript identifier isV2 of sentinel 'v_2' collides with "
            "sentinel 'v2'",
        ],
    ),
    "severities x1 and x_1": (
        {"severities": ("x1", "x_1")},
        ["severities[5]: Go identifier SeverityX1 of severity 'x_1' collides with severity 'x1'"],
    ),
    "platform Validation": (
        {"platform": "Validation"},
        [
            "categories.validation: TypeScript identifier ValidationError of category "
            "'validation' collides with platform 'Validation'",
            "categories.validation: TypeScript identifier isValidationError of category "
            "'validation' collides with platform 'Validation'",
        ],
    ),
}
for member in ("name", "value", "mro", "title"):
    CASES[f"category {member}"] = (
        {"categories": (member,)},
        [
            f"categories.{member}: Python identifier {member} of category {member!r} collides "
            f"with the Python runtime's {member}"
        ],
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_collision_is_a_located_error_naming_both_entries(
    case: str, make_registry: MakeRegistry
) -> None:
    settings, expected = CASES[case]
    assert sorted(collisions(registry(make_registry, **settings))) == sorted(expected)


def test_collision_cannot_be_lowered_nor_excepted(make_registry: MakeRegistry) -> None:
    root = registry(make_registry, categories=("read",))
    lint = yaml.safe_load((root / "lint.yaml").read_text(encoding="utf-8"))
    lint["levels"]["IDENTIFIER_COLLISION"] = "warning"
    (root / "lint.yaml").write_text(yaml.safe_dump(lint), encoding="utf-8")
    with pytest.raises(RegistryError, match="IDENTIFIER_COLLISION is always an error"):
        lint_registry(load_registry(root))


@pytest.mark.parametrize("spec", [SPEC, REPO / "tests/fixtures/hostile/spec"])
def test_project_and_hostile_fixture_registries_have_no_collision(spec: Path) -> None:
    assert collisions(spec) == []


def test_a_harmless_platform_category_and_sentinel_pass(make_registry: MakeRegistry) -> None:
    root = registry(
        make_registry,
        platform="Société Générale",
        categories=("quota", "x_2"),
        severities=("fatal",),
        sentinels=("quota_exceeded", "gone"),
    )
    assert collisions(root) == []


# The runtime names the rule knows are every name the targets' fixed sources define.

TARGETS = resources.files("errcodegen.targets")


def test_go_runtime_names_cover_every_exported_package_level_name() -> None:
    declared: set[str] = set()
    for folder, suffix in (("runtime", ".go"), ("templates", ".go.j2")):
        for source in (TARGETS / "go" / folder).iterdir():
            if source.name.endswith(suffix):
                declared |= _go_names(source.read_text(encoding="utf-8"))
    exported = {name for name in declared if name[0].isupper()}
    assert exported - go.RUNTIME_NAMES["package"] == set()


def _go_names(source: str) -> set[str]:
    names = set(re.findall(r"^(?:func|type|var|const) ([A-Za-z_]\w*)", source, re.M))
    for block in re.findall(r"^(?:var|const|type) \(\n(.*?)^\)", source, re.M | re.S):
        names |= set(re.findall(r"^\t([A-Za-z_]\w*)(?=[\s,=])", block, re.M))
    return names


def test_typescript_runtime_names_cover_every_exported_name() -> None:
    exported: set[str] = set()
    for folder, suffix in (("templates", ".ts.j2"), ("runtime", ".ts")):
        for source in (TARGETS / "typescript" / folder).iterdir():
            if source.name.endswith(suffix) and source.name != "decode.ts":
                exported |= _ts_exports(source.read_text(encoding="utf-8"))
    # the runtime's base error class is the platform's (generated_names names it)
    exported -= {"VirtEngineError", "isVirtEngineError"}
    assert exported - typescript.RUNTIME_NAMES["package"] == set()


def _ts_exports(source: str) -> set[str]:
    declaration = r"^export (?:declare )?(?:abstract )?(?:class|function|const|type|interface) "
    names = set(re.findall(declaration + r"([A-Za-z_$][\w$]*)(?![\w${])", source, re.M))
    for group in re.findall(r"^export (?:type )?\{([^}]*)\}", source, re.M):
        names |= {part.split()[-1] for part in group.split(",") if part.strip()}
    return names
