"""The TypeScript target on in-memory IRs: registry data reaches the client, output is
deterministic, and names that would collide in TypeScript are rejected clearly."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from errcodegen import pipeline
from errcodegen.ir import IR
from errcodegen.targets.typescript import TARGET

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def ir() -> IR:
    return pipeline.prepare(REPO / "spec").ir


def test_a_changed_retry_default_changes_the_client(ir: IR) -> None:
    changed = dataclasses.replace(ir, retry=dataclasses.replace(ir.retry, base_delay_ms=777))
    registry = TARGET.render(changed)["src/registry.ts"]
    assert "export const BASE_DELAY_MS = 777;" in str(registry)
    assert "export const BASE_DELAY_MS = 777;" not in str(TARGET.render(ir)["src/registry.ts"])


def test_package_json_carries_the_registry_version(ir: IR) -> None:
    package = str(TARGET.render(dataclasses.replace(ir, version="9.8.7"))["package.json"])
    assert '"version": "9.8.7"' in package
    assert f'"name": "{ir.packages.npm}"' in package


def test_output_is_deterministic(ir: IR) -> None:
    assert TARGET.render(ir) == TARGET.render(ir)


def test_colliding_constant_names_are_rejected(ir: IR) -> None:
    first = dataclasses.replace(ir.codes[0], module="a_b", number=1, name="c")
    second = dataclasses.replace(ir.codes[0], module="a", number=2, name="b_c")
    with pytest.raises(ValueError, match=r"a_b:1 and a:2 both map to .*Codes\.A_B_C"):
        TARGET.render(dataclasses.replace(ir, codes=(first, second)))


def test_package_ships_esm_and_commonjs_with_declarations(ir: IR) -> None:
    files = TARGET.render(ir)
    package = json.loads(str(files["package.json"]))
    entry = package["exports"]["."]
    assert entry["import"] == {"types": "./dist/esm/index.d.ts", "default": "./dist/esm/index.js"}
    assert entry["require"] == {"types": "./dist/cjs/index.d.ts", "default": "./dist/cjs/index.js"}
    assert (package["main"], package["types"]) == ("./dist/cjs/index.js", "./dist/cjs/index.d.ts")
    assert package["scripts"]["prepack"] == "npm run build"
    assert "dist/cjs/package.json" in package["scripts"]["build"]
    assert list(package.get("dependencies", {})) == []
    esm = json.loads(str(files["tsconfig.json"]))["compilerOptions"]
    cjs = json.loads(str(files["tsconfig.cjs.json"]))
    assert (esm["outDir"], esm["declaration"], "DOM" in esm["lib"]) == ("dist/esm", True, True)
    assert cjs["extends"] == "./tsconfig.json"
    assert cjs["compilerOptions"]["module"] == "CommonJS"
    assert cjs["compilerOptions"]["outDir"] == "dist/cjs"


def test_the_grpc_status_table_comes_from_the_registry(ir: IR) -> None:
    """The decoder reads the gRPC code -> category mapping from registry.ts, which holds
    exactly the registry's rows; no gRPC name or mapping is written into decode.ts."""
    assert ir.grpc_statuses, "the registry has a grpc_status table"
    changed = tuple(
        dataclasses.replace(g, category="conflict") if g.name == "NotFound" else g
        for g in ir.grpc_statuses
    )
    files = TARGET.render(dataclasses.replace(ir, grpc_statuses=changed))
    registry = str(files["src/registry.ts"])
    assert '[5, { name: "NotFound", category: "conflict" }],' in registry
    assert '[5, { name: "NotFound", category: "not_found" }],' in str(
        TARGET.render(ir)["src/registry.ts"]
    )
    rows = [line for line in registry.splitlines() if line.startswith("  [") and "name:" in line]
    assert len(rows) == len(ir.grpc_statuses)
    decode = str(files["src/decode.ts"])
    assert "GRPC_STATUS_TABLE.get(" in decode
    for status in ir.grpc_statuses:
        assert status.name not in decode
