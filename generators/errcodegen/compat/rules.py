"""Compatibility rules: what changed between two registries, and what it breaks.

Each rule has an ID, a one-line purpose and the semantic-version bump it calls for
in the generated packages. Breaking rules (``major``) are the ones a client
relying on the previous registry can observe: a code it matches on is gone or
means something else, an identifier it imports is renamed, or a decision it
takes from the code (retry, HTTP mapping, category branch) flips.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from errcodegen.ir import IR, Code, Module, Range, StatusRule

Bump = Literal["major", "minor", "patch"]
BUMP_ORDER: dict[str, int] = {"patch": 0, "minor": 1, "major": 2}


@dataclass(frozen=True)
class CompatRule:
    id: str
    bump: Bump
    purpose: str

    @property
    def breaking(self) -> bool:
        return self.bump == "major"


@dataclass(frozen=True)
class Change:
    rule: CompatRule
    subject: str  # "module:number", a module, category or sentinel name
    message: str


def _rule(rule_id: str, bump: Bump, purpose: str) -> CompatRule:
    return CompatRule(rule_id, bump, purpose)


CODE_NO_DELETE = _rule(
    "CODE_NO_DELETE", "major", "a code was deleted instead of deprecated (clients still get it)"
)
CODE_NUMBER_REUSED = _rule(
    "CODE_NUMBER_REUSED", "major", "a code's number now identifies a different error"
)
CODE_NAME_CHANGED = _rule(
    "CODE_NAME_CHANGED", "major", "a code was renamed: its identifier changes in every client"
)
CODE_CATEGORY_CHANGED = _rule(
    "CODE_CATEGORY_CHANGED", "major", "a code's category changed: category checks flip"
)
CODE_RETRYABLE_CHANGED = _rule(
    "CODE_RETRYABLE_CHANGED", "major", "a code's retryable flag changed: retry decisions flip"
)
CODE_HTTP_STATUS_CHANGED = _rule(
    "CODE_HTTP_STATUS_CHANGED", "major", "a code's HTTP status changed: status mapping flips"
)
RANGE_SHRUNK_OR_MOVED = _rule(
    "RANGE_SHRUNK_OR_MOVED", "major", "a module's range lost numbers it allocated before"
)
MODULE_NO_DELETE = _rule("MODULE_NO_DELETE", "major", "a module was removed with its codes")
CATEGORY_NO_DELETE = _rule(
    "CATEGORY_NO_DELETE", "major", "a category was removed: clients branch on it"
)
SENTINEL_NO_DELETE = _rule(
    "SENTINEL_NO_DELETE", "major", "a sentinel error was removed: callers test for it"
)
PACKAGE_RENAMED = _rule(
    "PACKAGE_RENAMED", "major", "a generated package's name or import path changed"
)
STATUS_RULE_CHANGED = _rule(
    "STATUS_RULE_CHANGED",
    "major",
    "the status table maps an HTTP status differently: uncoded errors decode differently",
)
RETRY_POLICY_CHANGED = _rule(
    "RETRY_POLICY_CHANGED", "minor", "a retry default changed: clients retry differently"
)
CODE_ADDED = _rule("CODE_ADDED", "minor", "a new code: clients gain an identifier")
MODULE_ADDED = _rule("MODULE_ADDED", "minor", "a new module")
CATEGORY_ADDED = _rule("CATEGORY_ADDED", "minor", "a new category")
SENTINEL_ADDED = _rule("SENTINEL_ADDED", "minor", "a new sentinel error")
CODE_DEPRECATED = _rule(
    "CODE_DEPRECATED", "minor", "a code was deprecated: clients warn about a new deprecation"
)
CODE_SEVERITY_CHANGED = _rule(
    "CODE_SEVERITY_CHANGED", "minor", "a code's severity changed: alerting and logs change"
)
RANGE_EXTENDED = _rule("RANGE_EXTENDED", "patch", "a module's allocation grew")
CODE_MESSAGE_CHANGED = _rule("CODE_MESSAGE_CHANGED", "patch", "a code's default message changed")
CODE_DOCS_CHANGED = _rule(
    "CODE_DOCS_CHANGED", "patch", "a code's description, action or replacement changed"
)
CODE_UNDEPRECATED = _rule("CODE_UNDEPRECATED", "patch", "a code is no longer deprecated")

RULES: tuple[CompatRule, ...] = (
    CODE_NO_DELETE,
    CODE_NUMBER_REUSED,
    CODE_NAME_CHANGED,
    CODE_CATEGORY_CHANGED,
    CODE_RETRYABLE_CHANGED,
    CODE_HTTP_STATUS_CHANGED,
    RANGE_SHRUNK_OR_MOVED,
    MODULE_NO_DELETE,
    CATEGORY_NO_DELETE,
    SENTINEL_NO_DELETE,
    PACKAGE_RENAMED,
    STATUS_RULE_CHANGED,
    CODE_ADDED,
    MODULE_ADDED,
    CATEGORY_ADDED,
    SENTINEL_ADDED,
    CODE_DEPRECATED,
    CODE_SEVERITY_CHANGED,
    RETRY_POLICY_CHANGED,
    RANGE_EXTENDED,
    CODE_MESSAGE_CHANGED,
    CODE_DOCS_CHANGED,
    CODE_UNDEPRECATED,
)


def compare(previous: IR, current: IR) -> list[Change]:
    """Every change from ``previous`` to ``current``, in a stable order."""
    changes: list[Change] = []
    for check in _CHECKS:
        changes.extend(check(previous, current))
    return changes


def _modules(ir: IR) -> dict[str, Module]:
    return {m.name: m for m in ir.modules}


def _check_modules(previous: IR, current: IR) -> Iterator[Change]:
    before, after = _modules(previous), _modules(current)
    for name, module in before.items():
        if name not in after:
            yield Change(
                MODULE_NO_DELETE,
                name,
                f"module {name} was removed with its {len(module.codes)} code(s); "
                "keep it and deprecate its codes instead",
            )
    for name in sorted(after.keys() - before.keys()):
        yield Change(
            MODULE_ADDED, name, f"module {name} was added with {len(after[name].codes)} code(s)"
        )


def _covers(ranges: tuple[Range, ...], span: Range) -> bool:
    """Whether ``ranges`` together allocate every number of ``span`` (intervals, not sets:
    a range may be large)."""
    reached = span.start - 1
    for r in sorted(ranges, key=lambda r: r.start):
        if r.start > reached + 1:
            break
        reached = max(reached, r.end)
    return reached >= span.end


def _span_text(module: Module) -> str:
    return ", ".join(f"{r.start}-{r.end}" for r in module.ranges) or "none"


def _check_ranges(previous: IR, current: IR) -> Iterator[Change]:
    after = _modules(current)
    for name, old in _modules(previous).items():
        new = after.get(name)
        if new is None or old.ranges == new.ranges:
            continue
        lost = not all(_covers(new.ranges, span) for span in old.ranges)
        rule = RANGE_SHRUNK_OR_MOVED if lost else RANGE_EXTENDED
        yield Change(rule, name, f"range {_span_text(old)} -> {_span_text(new)}")


def _codes(ir: IR) -> dict[tuple[str, int], Code]:
    return {(c.module, c.number): c for c in ir.codes}


def _check_codes(previous: IR, current: IR) -> Iterator[Change]:
    # A module removed or added is one change, not one per code.
    removed_modules = {m.name for m in previous.modules} - {m.name for m in current.modules}
    added_modules = {m.name for m in current.modules} - {m.name for m in previous.modules}
    before, after = _codes(previous), _codes(current)
    for key, old in before.items():
        new = after.get(key)
        if new is None:
            if old.module not in removed_modules:
                advice = (
                    "deprecated codes stay: clients import them and servers may still send them"
                    if old.deprecated
                    else "mark it deprecated (with replaced_by) instead"
                )
                yield Change(CODE_NO_DELETE, old.key, f"{old.key} {old.name} was deleted; {advice}")
            continue
        yield from _code_changes(old, new)
    for key in sorted(after.keys() - before.keys()):
        code = after[key]
        if code.module in added_modules:
            continue
        yield Change(CODE_ADDED, code.key, f"{code.key} {code.name} was added")


def _is_reuse(old: Code, new: Code) -> bool:
    """A different error under the same number: name and message both changed, or the
    Go symbol registering it changed along with the name."""
    if old.name == new.name:
        return False
    symbols_differ = None not in (old.go_symbol, new.go_symbol) and old.go_symbol != new.go_symbol
    return old.message != new.message or symbols_differ


def _code_changes(old: Code, new: Code) -> Iterator[Change]:
    key = old.key
    if _is_reuse(old, new):
        yield Change(
            CODE_NUMBER_REUSED,
            key,
            f"{key} was {old.name} ({old.message!r}), now {new.name} ({new.message!r})",
        )
        return
    yield from _field_changes(old, new)


FieldCheck = tuple[CompatRule, Callable[[Code], object], str]

_FIELDS: tuple[FieldCheck, ...] = (
    (CODE_NAME_CHANGED, lambda c: c.name, "name"),
    (CODE_CATEGORY_CHANGED, lambda c: c.category, "category"),
    (CODE_RETRYABLE_CHANGED, lambda c: c.retryable, "retryable"),
    (CODE_HTTP_STATUS_CHANGED, lambda c: c.http_status, "http_status"),
    (CODE_SEVERITY_CHANGED, lambda c: c.severity, "severity"),
    (CODE_MESSAGE_CHANGED, lambda c: c.message, "message"),
    (CODE_DOCS_CHANGED, lambda c: c.description, "description"),
    (CODE_DOCS_CHANGED, lambda c: c.action, "action"),
    (CODE_DOCS_CHANGED, lambda c: c.replaced_by, "replaced_by"),
)


def _field_changes(old: Code, new: Code) -> Iterator[Change]:
    for rule, value, field in _FIELDS:
        was, now = value(old), value(new)
        if was != now:
            yield Change(rule, old.key, f"{old.key} {old.name}: {field} {was!r} -> {now!r}")
    if new.deprecated != old.deprecated:
        rule = CODE_DEPRECATED if new.deprecated else CODE_UNDEPRECATED
        state = "deprecated" if new.deprecated else "no longer deprecated"
        yield Change(rule, old.key, f"{old.key} {old.name} is {state}")


def _check_named(
    kind: str, removed: CompatRule, added: CompatRule, before: set[str], after: set[str]
) -> Iterator[Change]:
    for name in sorted(before - after):
        yield Change(removed, name, f"{kind} {name} was removed")
    for name in sorted(after - before):
        yield Change(added, name, f"{kind} {name} was added")


def _check_categories(previous: IR, current: IR) -> Iterator[Change]:
    yield from _check_named(
        "category",
        CATEGORY_NO_DELETE,
        CATEGORY_ADDED,
        {c.name for c in previous.categories},
        {c.name for c in current.categories},
    )


def _check_sentinels(previous: IR, current: IR) -> Iterator[Change]:
    yield from _check_named(
        "sentinel",
        SENTINEL_NO_DELETE,
        SENTINEL_ADDED,
        {s.name for s in previous.sentinels},
        {s.name for s in current.sentinels},
    )


def _field_pairs(before: object, after: object) -> Iterator[tuple[str, object, object]]:
    """(field, old, new) of each field of two dataclasses that differs."""
    for field in dataclasses.fields(before):  # type: ignore[arg-type]
        old, new = getattr(before, field.name), getattr(after, field.name)
        if old != new:
            yield field.name, old, new


def _check_settings(previous: IR, current: IR) -> Iterator[Change]:
    for name, old, new in _field_pairs(previous.packages, current.packages):
        yield Change(PACKAGE_RENAMED, name, f"package {name} {old!r} -> {new!r}")
    for name, old, new in _field_pairs(previous.retry, current.retry):
        yield Change(RETRY_POLICY_CHANGED, name, f"retry {name} {old!r} -> {new!r}")
    before = {r.status: r for r in previous.status_rules}
    after = {r.status: r for r in current.status_rules}
    for status in sorted(before.keys() | after.keys()):
        was, now = before.get(status), after.get(status)
        if was != now:
            yield Change(STATUS_RULE_CHANGED, str(status), f"status {status}: {_rule_text(was)} "
                         f"-> {_rule_text(now)}")  # fmt: skip
    grpc_before = {g.code: g.category for g in previous.grpc_statuses}
    grpc_after = {g.code: g.category for g in current.grpc_statuses}
    for code in sorted(grpc_before.keys() | grpc_after.keys()):
        was_category, now_category = grpc_before.get(code), grpc_after.get(code)
        if was_category != now_category:
            change = f"{was_category or 'no category'} -> {now_category or 'no category'}"
            yield Change(STATUS_RULE_CHANGED, f"grpc:{code}", f"gRPC status {code}: {change}")


def _rule_text(rule: StatusRule | None) -> str:
    if rule is None:
        return "no rule"
    retry = "retryable" if rule.retryable else "not retryable"
    return f"{rule.category or 'API error'}, {retry}"


_CHECKS: tuple[Callable[[IR, IR], Iterator[Change]], ...] = (
    _check_settings,
    _check_modules,
    _check_ranges,
    _check_codes,
    _check_categories,
    _check_sentinels,
)
