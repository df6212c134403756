"""``errcodegen explain CODE``: everything the registry knows about one code, for support.

CODE may be the wire form ``veid:1036``, a log line's ``veid:1036: ML inference
failed``, ``module:name``, a Go symbol such as ``ErrInferenceFailed``, or a bare
number. An unknown code gets the closest known ones as suggestions.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from errcodegen.ir import IR, Code, Module
from errcodegen.ir.build import build_ir
from errcodegen.registry import Registry, load_registry
from errcodegen.registry.raw import RawCode

MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class Lookup:
    query: str
    matches: tuple[Code, ...]  # one: found; several: ambiguous; none: unknown
    suggestions: tuple[Code, ...]  # closest codes when nothing matched


def find(ir: IR, query: str) -> Lookup:
    text = query.strip()
    matches = tuple(c for c in ir.codes if _matches(c, text))
    suggestions = () if matches else _suggest(ir, text)
    return Lookup(query, matches, suggestions)


def _matches(code: Code, text: str) -> bool:
    log_form = re.match(r"^([^\s:]+):(\d+)(?::|$)", text)
    if log_form:
        return code.module == log_form.group(1) and code.number == int(log_form.group(2))
    if ":" in text:
        module, _, name = text.partition(":")
        return code.module == module and code.name == name.strip()
    if text.isdigit():
        return code.number == int(text)
    return text in (code.go_symbol, code.name)


def _suggest(ir: IR, text: str) -> tuple[Code, ...]:
    keyed = re.match(r"^([^\s:]+):(\d+)", text)
    found = _near_key(ir, keyed.group(1), int(keyed.group(2))) if keyed else []
    found += _close_labels(ir, text)
    return tuple(list(dict.fromkeys(found))[:MAX_SUGGESTIONS])


def _near_key(ir: IR, module: str, number: int) -> list[Code]:
    """The module's codes nearest the number, and the number in (similarly named) modules."""
    names = [m.name for m in ir.modules]
    modules = [module] if module in names else difflib.get_close_matches(module, names, n=3)
    same_number = sorted(
        (c for c in ir.codes if c.number == number),
        key=lambda c: (c.module not in modules, c.module),
    )
    nearest = sorted(
        (c for c in ir.codes if c.module in modules),
        key=lambda c: (abs(c.number - number), c.number),
    )
    if module in names:
        return nearest[:3] + same_number
    return same_number[:1] + nearest[:2] + same_number[1:]


def _close_labels(ir: IR, text: str) -> list[Code]:
    by_label: dict[str, Code] = {}
    for code in ir.codes:
        for label in (code.key, f"{code.module}:{code.name}", code.name, code.go_symbol or ""):
            by_label.setdefault(label.lower(), code)
    close = difflib.get_close_matches(text.lower(), by_label, n=MAX_SUGGESTIONS, cutoff=0.6)
    return [by_label[label] for label in close]


@dataclass(frozen=True)
class Explanation:
    """Every fact about one code, ready for text or JSON."""

    facts: dict[str, Any]

    def to_json(self) -> str:
        return _json_text(self.facts)

    def to_text(self) -> str:
        f = self.facts
        lines = [f"{f['code']}  {f['name']}" + ("  [DEPRECATED]" if f["deprecated"] else "")]
        rows = [
            ("message", f["message"]),
            ("log form", f"{f['code']}: {f['message']}"),
            ("description", f["description"]),
            ("module", _module_text(f["module"])),
            ("category", _category_text(f)),
            ("evidence", _evidence_text(f)),
            ("severity", f["severity"]),
            ("retryable", _override_text("yes" if f["retryable"] else "no", f, "retryable")),
            ("http status", _override_text(_status_text(f), f, "http_status")),
            ("client action", f["action"]),
            ("replaced by", f["replaced_by"]),
            ("go symbol", _symbol_text(f)),
            ("context", ", ".join(f"{c['name']} ({c['type']})" for c in f["context_fields"])),
            ("sentinels", ", ".join(f"{s['name']} (by {s['via']})" for s in f["sentinels"])),
            ("alert", _alert_text(f["alert"])),
            ("lint", ", ".join(f"{rule} (deployed exception)" for rule in f["lint_exceptions"])),
            ("same number", ", ".join(f["same_number_elsewhere"])),
            ("reviewed", "yes" if f["reviewed"] else ""),
        ]
        lines += [f"  {label:<14}{value}" for label, value in rows if value not in ("", None)]
        return "\n".join(terminal_text(line) for line in lines)


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def terminal_text(text: str) -> str:
    """``text`` with every C0 and C1 control (ESC, BEL, CSI, a line break) shown as ``\\xNN``:
    registry text must not move the cursor, retitle the terminal or forge a line."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _json_text(body: Any) -> str:
    """JSON for a terminal: C0 controls are escaped by JSON itself, C1 ones here."""
    text = json.dumps(body, indent=2, ensure_ascii=False)
    return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


def explain(registry: Registry, ir: IR, code: Code) -> Explanation:
    raw = _raw(registry, code)
    module = next(m for m in ir.modules if m.name == code.module)
    category = ir.category(code.category)
    facts: dict[str, Any] = {
        "code": code.key,
        "module": _module_facts(module, code.number),
        "number": code.number,
        "name": code.name,
        "message": code.message,
        "description": code.description,
        "category": code.category,
        "category_description": category.description,
        "category_inferred": code.category_inferred,
        "category_evidence": code.category_evidence or None,
        "category_note": raw.category_note,
        "severity": code.severity,
        "retryable": code.retryable,
        "http_status": code.http_status,
        "reason_phrase": dict(ir.reason_phrases).get(code.http_status, ""),
        "overrides": _overrides(raw, category.severity, category.retryable, category.http_status),
        "override_reason": raw.reason or "",
        "action": code.action,
        "deprecated": code.deprecated,
        "replaced_by": code.replaced_by,
        "go_symbol": code.go_symbol,
        "source": raw.source,
        "context_fields": [
            {"name": c.name, "type": c.type, "description": c.description}
            for c in category.context_fields
        ],
        "sentinels": _sentinels(ir, code),
        "alert": _alert_facts(code, category),
        "lint_exceptions": sorted(
            rule
            for rule, subjects in registry.exceptions.exceptions.items()
            if code.key in subjects
        ),
        "same_number_elsewhere": [
            c.key for c in ir.codes if c.number == code.number and c.module != code.module
        ],
        "reviewed": raw.reviewed,
    }
    return Explanation(facts)


def _raw(registry: Registry, code: Code) -> RawCode:
    for located, _, raw in registry.codes():
        if located.module.name == code.module and raw.number == code.number:
            return raw
    raise KeyError(code.key)


def _module_facts(module: Module, number: int) -> dict[str, Any]:
    ranges = [f"{r.start}-{r.end}" for r in module.ranges]
    return {
        "name": module.name,
        "description": module.description,
        "ranges": ranges,
        "in_range": any(number in r for r in module.ranges),
    }


def _overrides(raw: RawCode, severity: str, retryable: bool, status: int) -> list[str]:
    """The fields where the code departs from its category's defaults."""
    found = []
    if raw.severity is not None and raw.severity != severity:
        found.append("severity")
    if raw.retryable is not None and raw.retryable != retryable:
        found.append("retryable")
    if raw.http_status is not None and raw.http_status != status:
        found.append("http_status")
    return found


def _sentinels(ir: IR, code: Code) -> list[dict[str, str]]:
    found = []
    for sentinel in ir.sentinels:
        if code.category in sentinel.categories:
            found.append({"name": sentinel.name, "via": f"category {code.category}"})
        elif code.key in sentinel.codes:
            found.append({"name": sentinel.name, "via": "code"})
    return found


def _alert_facts(code: Code, category: Any) -> dict[str, Any] | None:
    threshold, scope = (code.alert, "code") if code.alert else (category.alert, "category")
    if threshold is None:
        return None
    return {"scope": scope, "above": threshold.above, "for": threshold.for_,
            "severity": threshold.severity}  # fmt: skip


def _module_text(module: dict[str, Any]) -> str:
    if not module["ranges"]:
        where = "no allocated range"
    else:
        spans = ", ".join(module["ranges"])
        where = f"range {spans}" + ("" if module["in_range"] else "; this code lies outside it")
    return f"{module['name']}: {module['description']} ({where})"


def _category_text(f: dict[str, Any]) -> str:
    inferred = " (inferred by the importer, awaiting review)" if f["category_inferred"] else ""
    return f"{f['category']}{inferred}: {f['category_description']}"


def _evidence_text(f: dict[str, Any]) -> str:
    """What decided the category, and what the review read (``review: x/...go:12: ...``)."""
    evidence, note = f["category_evidence"], f["category_note"]
    return f"{evidence}: {note}" if evidence and note else (evidence or "")


def _status_text(f: dict[str, Any]) -> str:
    return f"{f['http_status']} {f['reason_phrase']}".strip()


def _override_text(value: str, f: dict[str, Any], field: str) -> str:
    if field not in f["overrides"]:
        return value
    reason = f": {f['override_reason']}" if f["override_reason"] else ""
    return f"{value} (overrides the category's default{reason})"


def _symbol_text(f: dict[str, Any]) -> str:
    if not f["go_symbol"]:
        return ""
    source = f" ({f['source']})" if f["source"] else ""
    return f"{f['go_symbol']}{source}"


def _alert_text(alert: dict[str, Any] | None) -> str:
    if alert is None:
        return ""
    return (
        f"above {alert['above']}/s for {alert['for']} ({alert['severity']}, "
        f"set on the {alert['scope']})"
    )


def lookup_text(lookup: Lookup) -> str:
    """What to print when the query did not name exactly one code."""
    if lookup.matches:
        listed = "\n".join(
            f"  {c.key}  {c.name}: {terminal_text(c.message)}" for c in lookup.matches
        )
        return f"{lookup.query!r} matches {len(lookup.matches)} codes; name one:\n{listed}"
    lines = [f"unknown code {lookup.query!r}"]
    if lookup.suggestions:
        lines.append("did you mean:")
        lines += [f"  {c.key}  {c.name}: {terminal_text(c.message)}" for c in lookup.suggestions]
    return "\n".join(lines)


def explain_code(spec: Path, query: str, as_json: bool) -> tuple[bool, str]:
    """(found, what to print) for ``errcodegen explain``."""
    registry = load_registry(spec)
    ir = build_ir(registry)
    lookup = find(ir, query)
    if len(lookup.matches) != 1:
        if as_json:
            body = {
                "query": query,
                "found": False,
                "matches": [c.key for c in lookup.matches],
                "suggestions": [c.key for c in lookup.suggestions],
            }
            return False, _json_text(body)
        return False, lookup_text(lookup)
    explanation = explain(registry, ir, lookup.matches[0])
    return True, explanation.to_json() if as_json else explanation.to_text()
