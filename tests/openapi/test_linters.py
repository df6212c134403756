"""Redocly and Spectral with the configurations shipped beside this file (their recommended
rulesets): no error on the error document (3.1 and 3.0.3) nor on the merged sample API, no
warning on the merged API, and on the document alone only the warnings a component library
gets (its responses, headers and parameter wait for an API's operations; it names no
server), never one about a schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import BIN, DOCUMENT, DOCUMENT_30, HERE, require, run

DOCUMENTS = pytest.mark.parametrize("document", [DOCUMENT, DOCUMENT_30], ids=["3.1", "3.0.3"])
# The registry names no contact for the document; the sample API has one.
LIBRARY_ONLY = {"no-unused-components", "oas3-unused-component", "oas3-api-servers", "info-contact"}


def redocly(document: Path, ok: bool = True) -> list[dict[str, Any]]:
    tool = require(BIN / "redocly")
    output = run(
        [tool, "lint", "--format", "json", "--config", HERE / "redocly.yaml", document], ok=ok
    )
    problems: list[dict[str, Any]] = json.JSONDecoder().raw_decode(output, output.index("{"))[0][
        "problems"
    ]
    return problems


@pytest.fixture(scope="module")
def spectral(merged: Path) -> dict[Path, list[dict[str, Any]]]:
    """Spectral's results for the two documents and the merged API, from one run (a run
    costs seconds of start-up), by document."""
    tool = require(BIN / "spectral")
    documents = [DOCUMENT, DOCUMENT_30, merged]
    ruleset = ["--ruleset", HERE / ".spectral.yaml"]
    output = run([tool, "lint", *ruleset, "--format", "json", "--quiet", "--fail-severity",
                  "error", *documents])  # fmt: skip
    results: list[dict[str, Any]] = json.JSONDecoder().raw_decode(output, output.index("["))[0]
    by_document: dict[Path, list[dict[str, Any]]] = {document: [] for document in documents}
    for result in results:
        by_document[Path(result["source"]).resolve()].append(result)
    return by_document


@DOCUMENTS
def test_redocly_lint_document(document: Path) -> None:
    problems = redocly(document)
    assert problems, "the library's entry points are reported as unused"
    for problem in problems:
        assert problem["severity"] == "warn", problem
        assert problem["ruleId"] in LIBRARY_ONLY, problem
        pointer = problem["location"][0]["pointer"]
        assert pointer.startswith(
            ("#/components/responses/", "#/components/parameters/", "#/components/headers/")
        ), problem


def test_redocly_lint_merged(merged: Path) -> None:
    assert redocly(merged) == []


def test_redocly_lint_fails_on_a_broken_document(tmp_path: Path) -> None:
    """The run can fail: a response without a description is an error."""
    broken = tmp_path / "broken.yaml"
    text = DOCUMENT.read_text(encoding="utf-8")
    broken.write_text(text.replace("    description: Any other", "    summary: Any other", 1))
    problems = redocly(broken, ok=False)
    assert any(p["severity"] == "error" for p in problems)


@DOCUMENTS
def test_spectral_oas_document(spectral: dict[Path, list[dict[str, Any]]], document: Path) -> None:
    assert spectral[document.resolve()], "the library's entry points are reported as unused"
    for result in spectral[document.resolve()]:
        assert result["code"] in LIBRARY_ONLY, result
        assert result["path"][:2] != ["components", "schemas"], result


def test_spectral_oas_merged(spectral: dict[Path, list[dict[str, Any]]], merged: Path) -> None:
    assert spectral[merged.resolve()] == []
