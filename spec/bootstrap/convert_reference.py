"""One-off conversion of the platform's reference data into the registry.

Run once to create ``spec/modules/*.yaml`` and ``spec/sentinels.yaml`` from the
TSV files in ``shared/reference/virtengine``. From then on the YAML is the
hand-maintained source of truth and this script is kept only as a record of how
the first registry was derived (category inference rules, naming of duplicate
symbols). ``errcodegen import-go`` is the tool for later imports.

    python spec/bootstrap/convert_reference.py ../shared/reference/virtengine spec
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from errcodegen.lang.words import words

CATEGORY_DEFAULTS = {  # (severity, retryable, http_status), as spec/registry.yaml states them
    "validation": ("info", False, 400),
    "not_found": ("info", False, 404),
    "conflict": ("error", False, 409),
    "unauthorized": ("error", False, 401),
    "state": ("error", False, 409),
    "timeout": ("error", True, 504),
    "external": ("error", True, 502),
    "internal": ("critical", False, 500),
    "rate_limit": ("error", True, 429),
}

# Inference from message and symbol, first match wins. Order matters: "rate limit
# exceeded" is a rate limit before it is anything else; "not found" before "invalid".
INFERENCE_RULES: list[tuple[str, str]] = [
    ("rate_limit", r"rate.?limit|too many|quota|throttl|limit exceeded|cooldown|exceeds? .*limit"),
    ("timeout", r"time.?out|timed out|deadline"),
    ("not_found", r"not found|notfound|does not exist|no such|unknown (?!error)|missing record"),
    ("conflict", r"already|exists|duplicate|conflict|in use|mismatch"),
    (
        "unauthorized",
        r"unauthori[sz]ed|forbidden|permission|not authori[sz]ed|access denied|"
        r"not allowed|authentication|not permitted|insufficient (role|privilege)|"
        r"not (the )?owner|signer",
    ),
    (
        "external",
        r"unavailable|connection|network|external|upstream|api error|service error|"
        r"provider error|http|rpc|dial|fetch|request failed",
    ),
    (
        "state",
        r"expired|revoked|locked|not active|inactive|invalid state|invalid status|"
        r"closed|pending|suspended|disabled|not ready|in progress|not enabled|paused|"
        r"frozen|already|transition|not (yet )?(started|completed|running|open)|"
        r"no active|terminated|cancel",
    ),
    (
        "validation",
        r"invalid|empty|missing|required|must|too (long|short|large|small|many)|"
        r"malformed|exceed|out of range|bad |format|length|negative|zero|nil|"
        r"unsupported|not supported|mismatch",
    ),
    ("internal", r"fail|error|internal|marshal|encod|decod|panic|unexpected|corrupt"),
]

SENTINELS: list[tuple[str, str, list[str], str]] = [
    # name, message, categories matched as a whole, symbol/message pattern for single codes
    ("not_found", "not found", ["not_found"], r""),
    ("already_exists", "already exists", [], r"already ?exists|exists$|duplicate"),
    ("invalid_input", "invalid input", ["validation"], r""),
    ("invalid_address", "invalid address", [], r"invalid \w*\s?address"),
    ("unauthorized", "unauthorized", ["unauthorized"], r""),
    ("forbidden", "forbidden", [], r"forbidden|not allowed|permission|access denied"),
    ("timeout", "timeout", ["timeout"], r""),
    ("unavailable", "service unavailable", [], r"unavailable"),
    ("internal", "internal error", ["internal"], r""),
    ("expired", "expired", [], r"expired"),
    ("revoked", "revoked", [], r"revoked"),
    ("locked", "locked", [], r"locked"),
    ("invalid_state", "invalid state", ["state"], r""),
    ("invalid_signature", "invalid signature", [], r"signature"),
    ("verification_failed", "verification failed", [], r"verification failed|verify"),
    ("encryption_failed", "encryption failed", [], r"encryption failed|failed to encrypt"),
    ("decryption_failed", "decryption failed", [], r"decryption failed|failed to decrypt"),
    ("rate_limit_exceeded", "rate limit exceeded", ["rate_limit"], r""),
    ("quota_exceeded", "quota exceeded", [], r"quota|limit exceeded"),
    ("max_retries_exceeded", "max retries exceeded", [], r"max(imum)? (retries|attempts)"),
    ("canceled", "canceled", [], r"cancel+ed"),
    ("deadline_exceeded", "deadline exceeded", [], r"deadline"),
    ("not_implemented", "not implemented", [], r"not implemented"),
    ("deprecated", "deprecated", [], r"deprecated"),
    ("conflict", "conflict", ["conflict"], r""),
    ("precondition_failed", "precondition failed", [], r"precondition"),
    ("unsupported", "unsupported", [], r"unsupported|not supported"),
    ("invalid_params", "invalid params", [], r"invalid param"),
    ("missing_required", "missing required", [], r"missing|required"),
    ("out_of_range", "out of range", [], r"out of range"),
    ("invalid_format", "invalid format", [], r"invalid \w*\s?format|malformed"),
    ("invalid_length", "invalid length", [], r"length|too (long|short)"),
    ("external_service", "external service error", ["external"], r""),
    ("network_error", "network error", [], r"network"),
    ("connection_failed", "connection failed", [], r"connection"),
    ("request_failed", "request failed", [], r"request failed"),
    ("insufficient_funds", "insufficient funds", [], r"insufficient (funds|balance)"),
    ("invalid_nonce", "invalid nonce", [], r"nonce"),
    ("inference_failed", "inference failed", [], r"inference failed"),
    ("model_not_found", "model not found", [], r"model not found"),
]


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def symbol_text(symbol: str) -> str:
    return " ".join(words(symbol.removeprefix("Err")))


def infer_category(message: str, symbol: str) -> str:
    text = f"{message.lower()} {symbol_text(symbol)}"
    for category, pattern in INFERENCE_RULES:
        if re.search(pattern, text):
            return category
    return "internal"


def code_names(rows: list[dict[str, str]]) -> dict[tuple[str, int], str]:
    """snake_case names from Go symbols; a symbol registered twice in a namespace (the
    SDK package and the chain module) gets ``_sdk`` on the SDK's copy."""
    by_symbol: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_symbol[(row["module"], row["go_var"])].append(row)
    names = {}
    for (module, symbol), group in by_symbol.items():
        base = "_".join(words(symbol.removeprefix("Err")))
        for row in group:
            sdk_copy = len(group) > 1 and row["source_file"].startswith("sdk/")
            names[(module, int(row["code"]))] = base + "_sdk" if sdk_copy else base
    return names


def code_entry(
    row: dict[str, str], name: str, catalog: dict[tuple[str, int], dict[str, str]]
) -> dict[str, Any]:
    key = (row["module"], int(row["code"]))
    listed = catalog.get(key)
    entry: dict[str, Any] = {"number": key[1], "name": name, "message": row["message"]}
    if listed:
        category, inferred = listed["category"], False
    elif row["category_in_source"]:
        category, inferred = row["category_in_source"], False
    else:
        category, inferred = infer_category(row["message"], row["go_var"]), True
    entry["category"] = category
    if inferred:
        entry["category_inferred"] = True
    if listed:
        retryable = listed["retryable"] == "True"
        if retryable != CATEGORY_DEFAULTS[category][1]:
            entry["retryable"] = retryable
            entry["reason"] = "the platform's error catalog marks it " + (
                "retryable" if retryable else "not retryable"
            )
        if listed["action"]:
            entry["action"] = listed["action"]
    entry["go_symbol"] = row["go_var"]
    entry["source"] = row["source_file"]
    return entry


def sentinel_entries(modules: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    result = []
    for name, message, categories, pattern in SENTINELS:
        codes = []
        if pattern:
            for module in modules.values():
                for code in module["codes"]:
                    text = f"{code['message'].lower()} {symbol_text(code['go_symbol'])}"
                    if code["category"] not in categories and re.search(pattern, text):
                        codes.append(f"{module['name']}:{code['number']}")
        entry: dict[str, Any] = {"name": name, "message": message}
        if categories:
            entry["categories"] = categories
        if codes:
            entry["codes"] = sorted(
                codes, key=lambda k: (k.rsplit(":", 1)[0], int(k.rsplit(":", 1)[1]))
            )
        result.append(entry)
    return result


def module_file_name(name: str) -> str:
    return name.replace("/", ".") + ".yaml"


def main(reference: Path, spec: Path) -> None:
    ranges = read_tsv(reference / "module-ranges.tsv")
    rows = read_tsv(reference / "registered-codes.tsv")
    catalog = {(r["module"], int(r["code"])): r for r in read_tsv(reference / "catalog.tsv")}
    names = code_names(rows)

    modules: dict[str, dict[str, Any]] = {}
    for r in ranges:
        modules[r["module"]] = {
            "name": r["module"],
            "description": r["description"],
            "ranges": [{"start": int(r["start"]), "end": int(r["end"])}],
            "codes": [],
        }
    for row in rows:
        module = modules.setdefault(
            row["module"],
            {
                "name": row["module"],
                "description": f"Errors registered under the {row['module']} namespace "
                "(no allocated range).",
                "ranges": [],
                "codes": [],
            },
        )
        module["codes"].append(code_entry(row, names[(row["module"], int(row["code"]))], catalog))

    out = spec / "modules"
    out.mkdir(parents=True, exist_ok=True)
    for module in modules.values():
        module["codes"].sort(key=lambda c: c["number"])
        if not module["ranges"]:
            del module["ranges"]
        (out / module_file_name(module["name"])).write_text(dump(module), encoding="utf-8")
    (spec / "sentinels.yaml").write_text(
        dump({"sentinels": sentinel_entries(modules)}), encoding="utf-8"
    )


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
