"""Each language's literal escaper gives back the registry's string byte for byte, and its
comment helpers leave no way to end a comment early."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from errcodegen.lang import go, python, typescript
from errcodegen.lang.words import pascal, safe_text_lines, upper_snake, words
from errcodegen.lint.identifiers import CLIENT_LANGUAGES

HOSTILE = [
    'say "hi"',
    "it's",
    "back\\slash\\",
    "*/ /* --> <!--",
    "`${process.exit(1)}`",
    "{{ x }}",
    "%s %d %v",
    "line\nbreak\r\nCRLF\rCR",
    "tab\there",
    "nul\x00byte",
    "bell\x07",
    "rtl \u202e override",
    "zero\u200bwidth",
    "emoji 😀 and \U0001d518nicode",
    "\u2028sep\u2029",
    "del\x7f",
    "nbsp\u00a0",
    "\\u0041 stays",
    "\\n stays",
    "x" * 5000,
    "",
]


def test_python_literals_round_trip() -> None:
    for text in HOSTILE:
        literal = python.string(text)
        assert "\n" not in literal and "\r" not in literal
        assert ast.literal_eval(literal) == text


@pytest.mark.skipif(shutil.which("node") is None, reason="node is part of the machine")
def test_typescript_literals_round_trip(tmp_path: Path) -> None:
    script = "const v = [" + ",".join(typescript.string(t) for t in HOSTILE) + "];\n"
    script += "process.stdout.write(JSON.stringify(v));\n"
    (tmp_path / "check.js").write_text(script, encoding="utf-8")
    out = subprocess.run(["node", str(tmp_path / "check.js")], check=True, capture_output=True)
    assert json.loads(out.stdout) == HOSTILE


def _one_of_every_category() -> list[str]:
    """The first, a middle and the last code point of every general category (surrogates,
    category Cs, aside: a JSON document cannot carry them back)."""
    seen: dict[str, list[int]] = {}
    for code in range(0x110000):
        category = unicodedata.category(chr(code))
        if category != "Cs":
            seen.setdefault(category, []).append(code)
    picks = [(codes[0], codes[len(codes) // 2], codes[-1]) for codes in seen.values()]
    return [chr(code) for pick in picks for code in pick]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is part of the machine")
def test_typescript_literals_hold_every_code_point(tmp_path: Path) -> None:
    """`\\U0001xxxx` is not JavaScript (it read as `U0001xxxx`); every character survives."""
    assert typescript.string("tag\U000e0001x") == '"tag\\u{e0001}x"'
    every = _one_of_every_category()
    texts = ["tag\U000e0001x", "".join(every), *every, "".join(map(chr, range(0, 0xD800, 37)))]
    texts.append("".join(chr(c) for c in range(0xE000, 0x110000, 101)))
    script = "const v = [" + ",".join(typescript.string(t) for t in texts) + "];\n"
    script += "process.stdout.write(JSON.stringify(v));\n"
    (tmp_path / "check.js").write_text(script, encoding="utf-8")
    out = subprocess.run(["node", str(tmp_path / "check.js")], check=True, capture_output=True)
    assert json.loads(out.stdout) == texts


@pytest.mark.skipif(shutil.which("go") is None, reason="go is part of the machine")
def test_go_literals_round_trip(tmp_path: Path) -> None:
    values = ",\n".join("\t" + go.string(t) for t in HOSTILE)
    (tmp_path / "main.go").write_text(
        'package main\n\nimport (\n\t"encoding/json"\n\t"os"\n)\n\n'
        f"var values = []string{{\n{values},\n}}\n\n"
        "func main() { _ = json.NewEncoder(os.Stdout).Encode(values) }\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        ["go", "run", "main.go"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env=_go_env(),
    )
    assert json.loads(out.stdout) == HOSTILE


def _go_env() -> dict[str, str]:
    """A module-less build that shares the user's build cache (a fresh cache compiles the
    standard library again: ten seconds for nothing)."""
    return {**os.environ, "GO111MODULE": "off", "GOFLAGS": ""}


@pytest.mark.parametrize("name", sorted(CLIENT_LANGUAGES))
def test_every_language_names_safely(name: str) -> None:
    """The shared interface (errcodegen.lang.Language) holds for every client language:
    identifiers never are a reserved word or start with a digit, doc comments keep one
    line per line of text."""
    lang = CLIENT_LANGUAGES[name]
    awkward = [("type",), ("class",), ("9", "lives"), ("string",), ("error",), ("",)]
    for parts in awkward:
        for ident in (lang.constant(*parts), lang.type_name(*parts)):
            assert ident and ident not in lang.RESERVED and not ident[0].isdigit(), (parts, ident)
    for text in HOSTILE:
        assert len(lang.doc_lines(text)) == len(safe_text_lines(text))
        assert lang.string(text).startswith('"')


def test_comment_lines_cannot_break_out() -> None:
    for text in HOSTILE:
        for line in safe_text_lines(text):
            assert not any(c in line for c in "\n\r\u2028\u2029\x00")
        for line in typescript.doc_lines(text):
            assert "*/" not in line
        for line, shown in zip(python.doc_lines(text), safe_text_lines(text), strict=True):
            assert ast.literal_eval('"""' + line + '"""') == shown
    assert safe_text_lines("a\u202eb") == ["aU+202Eb"]


def test_names() -> None:
    assert words("ErrMLInferenceFailed") == ["err", "ml", "inference", "failed"]
    assert upper_snake("verification/audit", "bad_nonce") == "VERIFICATION_AUDIT_BAD_NONCE"
    assert pascal("settlement-ibc", "x") == "SettlementIbcX"
    assert go.type_name("veid", "ml_inference_failed") == "VeidMLInferenceFailed"
    assert go.type_name("config", "invalid_client_id") == "ConfigInvalidClientID"
    assert go.unexported("type") == "type_"
    assert python.constant("class") == "CLASS"
    assert python.attribute("class") == "class_"
    assert typescript.member("delete") == "delete_"
    assert typescript.constant("veid", "ml_inference_failed") == "VEID_ML_INFERENCE_FAILED"


def test_python_exception_class_names() -> None:
    assert python.exception_class("timeout", "error") == "TimeoutError"
    assert python.exception_class("rate_limit", "error") == "RateLimitError"
    assert python.type_name("timeout", "error") == "TimeoutError_"
    assert python.exception_class("9lives") == "_9lives"


def test_python_import_order_is_isorts() -> None:
    names = ["lookup", "VirtEngineError", "APIError", "ERROR_TYPES", "APIConnectionError"]
    assert python.import_order([*names, "catalog"]) == [
        "ERROR_TYPES",
        "APIConnectionError",
        "APIError",
        "VirtEngineError",
        "catalog",
        "lookup",
    ]
