"""explain: every fact about a code, the ways to name one, suggestions, bad inputs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from errcodegen.cli import main

from .conftest import SPEC, MakeRegistry, module_yaml


def explain(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["explain", "--spec", str(SPEC), *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_code_with_evidence_alert_and_sentinels(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = explain(capsys, "veid:1036")
    assert status == 0
    assert out.splitlines() == [
        "veid:1036  ml_inference_failed",
        "  message       ML inference failed",
        "  log form      veid:1036: ML inference failed",
        "  description   Returned when ML scoring fails",
        "  module        veid: Identity verification and ML scoring (range 1000-1099)",
        "  category      external: A service the platform depends on failed or is unavailable.",
        "  evidence      review: x/veid/keeper/scoring.go:472: returned when the ML scorer "
        "(TensorFlow sidecar/model server) is unhealthy or its Score call fails",
        "  severity      error",
        "  retryable     yes",
        "  http status   502 Bad Gateway",
        "  client action Retry or report",
        "  go symbol     ErrMLInferenceFailed (x/veid/types/errors.go)",
        "  context       service (string), operation (string)",
        "  sentinels     external_service (by category external), inference_failed (by code)",
        "  alert         above 0.5/s for 5m (warning, set on the code)",
    ]


def test_an_override_names_its_reason(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = explain(capsys, "mfa:1231")
    assert (
        "  retryable     no (overrides the category's default: the platform's error catalog "
        "marks it not retryable)"
    ) in out.splitlines()


def test_a_deployed_exception_outside_its_range(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = explain(capsys, "config:1600")
    assert (
        "  module        config: On-chain configuration (range 2900-2999; this code lies "
        "outside it)" in out
    )
    assert "  category      validation: " in out
    assert "  evidence      review: x/config/" in out
    assert "  lint          CODE_OUTSIDE_RANGE (deployed exception)" in out


@pytest.mark.parametrize(
    "query",
    [
        "veid:1036: ML inference failed",
        "  veid:1036 ",
        "veid:ml_inference_failed",
        "ErrMLInferenceFailed",
        "ml_inference_failed",
        "1036",
    ],
)
def test_ways_to_name_a_code(capsys: pytest.CaptureFixture[str], query: str) -> None:
    status, out, _ = explain(capsys, query)
    assert status == 0
    assert out.startswith("veid:1036  ml_inference_failed\n")


def test_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = explain(capsys, "mfa:1231", "--format", "json")
    facts = json.loads(out)
    assert status == 0
    assert {k: facts[k] for k in ("code", "category", "retryable", "http_status", "overrides")} == {
        "code": "mfa:1231",
        "category": "rate_limit",
        "retryable": False,
        "http_status": 429,
        "overrides": ["retryable"],
    }
    assert facts["same_number_elsewhere"] == []
    assert facts["category_evidence"] == "review"
    assert facts["alert"] == {
        "scope": "category",
        "above": 20.0,
        "for": "15m",
        "severity": "warning",
    }
    assert [c["name"] for c in facts["context_fields"]] == ["limit", "remaining", "reset_at"]


def test_unknown_code_suggests_close_ones(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = explain(capsys, "vied:1036")
    assert (status, out) == (1, "")
    lines = err.splitlines()
    assert lines[:3] == [
        "unknown code 'vied:1036'",
        "did you mean:",
        "  veid:1036  ml_inference_failed: ML inference failed",
    ]
    status, _, err = explain(capsys, "veid:inference_faild")
    assert status == 1
    assert err.splitlines()[2] == "  veid:1036  ml_inference_failed: ML inference failed"
    status, _, err = explain(capsys, "veid:1999")
    assert status == 1
    assert err.splitlines()[2].startswith("  veid:1309 ")  # the module's nearest number


def test_unknown_code_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = explain(capsys, "vied:1036", "--format", "json")
    body = json.loads(out)
    assert status == 1
    assert (body["found"], body["matches"], body["suggestions"][0]) == (False, [], "veid:1036")


def test_ambiguous_name_lists_the_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = explain(capsys, "ErrInsufficientVEIDScore")
    assert status == 1
    assert err.splitlines() == [
        "'ErrInsufficientVEIDScore' matches 2 codes; name one:",
        "  market:2251  insufficient_veid_score: insufficient VEID identity score",
        "  provider:11  insufficient_veid_score: VEID score below required threshold for "
        "provider registration",
    ]


def test_deprecated_reviewed_code(
    make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    codes: list[dict[str, object]] = [
        {"number": 1000, "name": "old_scope", "message": "old scope", "category": "validation",
         "deprecated": True, "replaced_by": "veid:1001", "reviewed": True,
         "description": "Scopes of the first API version."},
        {"number": 1001, "name": "bad_scope", "message": "bad scope", "category": "validation"},
    ]  # fmt: skip
    spec = make_registry({"modules/veid.yaml": module_yaml(codes=codes)})
    assert main(["explain", "--spec", str(spec), "veid:1000"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "veid:1000  old_scope  [DEPRECATED]"
    assert "  description   Scopes of the first API version." in out
    assert "  replaced by   veid:1001" in out
    assert out[-1] == "  reviewed      yes"


def test_malformed_registry(
    make_registry: MakeRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = make_registry({"modules/veid.yaml": "name: veid\ndescription: x\ncodes: 3\n"})
    assert main(["explain", "--spec", str(spec), "veid:1"]) == 2
    err = capsys.readouterr().err
    assert "modules/veid.yaml:3:1: codes: Input should be a valid list (got 3)" in err


def test_the_same_number_in_other_modules(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = explain(capsys, "mfa:1211", "--format", "json")
    assert json.loads(out)["same_number_elsewhere"] == ["veid:1211"]


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """``errcodegen lint | head -1``: the lint report is far larger than a pipe's buffer."""
    command = [sys.executable, "-m", "errcodegen", "lint", "--spec", str(SPEC)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline()
        process.stdout.close()
        errors = process.stderr.read().decode()
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors
    assert process.returncode == 0
