"""``errcodegen openapi merge``: an API's own document gains the error responses, headers and
Idempotency-Key on every operation, and nothing of its own changes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from errcodegen.cli import main
from errcodegen.ir import IR
from errcodegen.ir.build import build_ir
from errcodegen.openapi_merge import MergeError, merge_errors
from errcodegen.registry import load_registry
from errcodegen.targets.openapi.build import build_openapi, error_statuses

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "tests/openapi/sample-api.yaml"

Document = dict[str, Any]


@pytest.fixture(scope="module")
def ir() -> IR:
    return build_ir(load_registry(REPO / "spec"))


@pytest.fixture()
def api() -> Document:
    loaded: Document = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    return loaded


def test_every_operation_gets_responses_and_a_default(api: Document, ir: IR) -> None:
    merged = merge_errors(api, ir)
    validate(merged)
    create = merged["paths"]["/scopes"]["post"]["responses"]
    assert create["201"] == api["paths"]["/scopes"]["post"]["responses"]["201"]
    assert create["404"] == {"$ref": "#/components/responses/NotFound"}
    assert create["429"] == {"$ref": "#/components/responses/TooManyRequests"}
    assert create["default"] == {"$ref": "#/components/responses/Error"}
    assert set(create) == {"201", "default"} | {str(s) for s in error_statuses(ir)}


def test_declared_codes_give_only_their_statuses_with_links(api: Document, ir: IR) -> None:
    merged = merge_errors(api, ir)
    get = merged["paths"]["/scopes/{id}"]["get"]
    assert set(get["responses"]) == {"200", "400", "404", "502", "default"}
    not_found = get["responses"]["404"]
    assert (
        "[`veid:1019`](https://github.com/virtengine/virtengine-errors/blob/main/"
        in (not_found["description"])
    )
    assert "docs/errors/veid.md#veid-1019) scope not found" in not_found["description"]
    assert "veid:1036" not in not_found["description"]
    assert not_found["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AnyErrorBody"
    }
    assert not_found["headers"]["X-Request-Id"] == {"$ref": "#/components/headers/RequestId"}
    assert get["x-error-codes"] == ["veid:1019", "veid:1000", "veid:1036"]


def test_what_the_api_wrote_is_kept(api: Document, ir: IR) -> None:
    before = copy.deepcopy(api)
    merged = merge_errors(api, ir)
    assert api == before  # the input is not modified
    delete = merged["paths"]["/scopes/{id}"]["delete"]["responses"]
    assert delete["404"] == {"description": "Our own not-found answer, kept as written."}
    assert delete["204"] == before["paths"]["/scopes/{id}"]["delete"]["responses"]["204"]
    assert merged["components"]["schemas"]["Scope"] == before["components"]["schemas"]["Scope"]
    assert merged["info"] == before["info"]
    assert list(merged["paths"]) == list(before["paths"])
    # Merging again changes nothing.
    assert merge_errors(merged, ir) == merged


def test_idempotency_key_on_operations_the_clients_do_not_retry_alone(
    api: Document, ir: IR
) -> None:
    merged = merge_errors(api, ir)
    key = {"$ref": "#/components/parameters/IdempotencyKey"}
    assert merged["paths"]["/scopes"]["post"]["parameters"] == [key]
    assert "parameters" not in merged["paths"]["/scopes/{id}"]["get"]
    assert "parameters" not in merged["paths"]["/scopes/{id}"]["delete"]  # DELETE is idempotent
    own = copy.deepcopy(api)
    own["paths"]["/scopes"]["post"]["parameters"] = [
        {"name": "idempotency-key", "in": "header", "schema": {"type": "string"}}
    ]
    assert len(merge_errors(own, ir)["paths"]["/scopes"]["post"]["parameters"]) == 1


def test_the_components_match_the_api_version(api: Document, ir: IR) -> None:
    merged_30 = merge_errors(api, ir)
    assert "example" in merged_30["components"]["schemas"]["ErrorCode"]
    api_31 = {**api, "openapi": "3.1.0"}
    merged_31 = merge_errors(api_31, ir)
    validate(merged_31)
    assert (
        merged_31["components"]["schemas"]["ErrorCode"]
        == (build_openapi(ir)["components"]["schemas"]["ErrorCode"])
    )
    with pytest.raises(MergeError, match=r"not an OpenAPI 3\.0 or 3\.1"):
        merge_errors({**api, "openapi": "2.0"}, ir)


def test_conflicting_component_and_unknown_code_are_refused(api: Document, ir: IR) -> None:
    clash = copy.deepcopy(api)
    clash["components"]["schemas"]["Problem"] = {"type": "object"}
    with pytest.raises(MergeError, match=r"components\.schemas\.Problem"):
        merge_errors(clash, ir)
    unknown = copy.deepcopy(api)
    unknown["paths"]["/scopes/{id}"]["get"]["x-error-codes"] = ["veid:1019", "veid:999999"]
    with pytest.raises(MergeError, match=r"GET /scopes/\{id\}: .*veid:999999"):
        merge_errors(unknown, ir)


def test_command_writes_yaml_or_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "merged.yaml"
    assert main(["openapi", "merge", str(SAMPLE), "-o", str(out)]) == 0
    merged = yaml.safe_load(out.read_text(encoding="utf-8"))
    validate(merged)
    assert "AnyErrorBody" in merged["components"]["schemas"]
    as_json = tmp_path / "api.json"
    as_json.write_text(json.dumps(yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))))
    assert main(["openapi", "merge", str(as_json)]) == 0
    assert json.loads(capsys.readouterr().out) == merged
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\ninfo: [\n")
    assert main(["openapi", "merge", str(broken), "-o", str(tmp_path / "x.yaml")]) == 2
    assert not (tmp_path / "x.yaml").exists()
    assert "nothing was written" in capsys.readouterr().err


def test_only_what_the_operations_reach_is_added(api: Document, ir: IR) -> None:
    """Linters report unused components: the per-category responses and the statuses no
    operation uses stay out; everything the added references need comes in."""
    merged = merge_errors(api, ir)
    responses = merged["components"]["responses"]
    assert "NotFoundError" not in responses  # per category: nothing refers to it
    assert "NotFound" in responses and "Error" in responses
    assert "KnownErrorCode" in merged["components"]["schemas"]
    only_get = copy.deepcopy(api)
    del only_get["paths"]["/scopes"]
    del only_get["paths"]["/scopes/{id}"]["delete"]
    small = merge_errors(only_get, ir)
    assert set(small["components"]["responses"]) == {"Error"}  # 400/404/500 are inline
    assert "IdempotencyKey" not in small["components"]["parameters"]
