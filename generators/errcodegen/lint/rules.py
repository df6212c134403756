"""Lint rules. Each has an ID, a purpose, a default level, and a check.

A check yields findings (subject, location, message); the runner applies the
registry's level for the rule and its list of deployed exceptions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from errcodegen.lang import go, python, typescript
from errcodegen.lint.identifiers import collisions as entry_collisions
from errcodegen.registry.load import SENTINELS_FILE, LocatedModule, Registry
from errcodegen.registry.problems import Problem
from errcodegen.registry.raw import INFERRED_EVIDENCE


@dataclass(frozen=True)
class Hit:
    subject: str  # what an exception names: a code key "module:number" or a module name
    where: Problem  # location and message


Check = Callable[[Registry], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    id: str
    purpose: str
    default_level: str
    check: Check
    fixed: bool = False  # level cannot be lowered


def _code_hit(located: LocatedModule, index: int, field: str, message: str) -> Hit:
    code = located.module.codes[index]
    return Hit(
        f"{located.module.name}:{code.number}", located.doc.locate(("codes", index, field), message)
    )


def duplicate_code(registry: Registry) -> Iterator[Hit]:
    first: dict[tuple[str, int], str] = {}
    for located, i, code in registry.codes():
        key = (located.module.name, code.number)
        hit = _code_hit(located, i, "number", "")
        if key in first:
            yield _code_hit(
                located, i, "number", f"code {key[0]}:{key[1]} is already defined at {first[key]}"
            )
        else:
            first[key] = f"{hit.where.file}:{hit.where.line}"


def duplicate_name(registry: Registry) -> Iterator[Hit]:
    first: dict[tuple[str, str], int] = {}
    for located, i, code in registry.codes():
        key = (located.module.name, code.name)
        if key in first:
            yield _code_hit(
                located, i, "name", f"name {code.name!r} is already used by {key[0]}:{first[key]}"
            )
        else:
            first[key] = code.number


def sentinel_matches_nothing(registry: Registry) -> Iterator[Hit]:
    doc = registry.docs.get(SENTINELS_FILE)
    for index, sentinel in enumerate(registry.sentinels.sentinels):
        conditions = (sentinel.categories, sentinel.codes, sentinel.statuses, sentinel.failures)
        if doc is not None and not any(conditions):
            message = (
                f"sentinel {sentinel.name} can match nothing: give it categories, codes, "
                "statuses or failures"
            )
            yield Hit(
                f"sentinel:{sentinel.name}", doc.locate(("sentinels", index, "name"), message)
            )


def range_overlap(registry: Registry) -> Iterator[Hit]:
    spans = sorted(
        (
            (span.start, span.end, located.module.name, r, located)
            for located in registry.modules
            for r, span in enumerate(located.module.ranges)
        ),
        key=lambda s: (s[0], s[1], s[2]),
    )
    for i, (start, end, name, r, located) in enumerate(spans):
        for other_start, other_end, other_name, _, _ in spans[:i]:
            if start <= other_end and other_start <= end:
                yield Hit(
                    name,
                    located.doc.locate(
                        ("ranges", r),
                        f"range {start}-{end} of {name} overlaps "
                        f"{other_start}-{other_end} of {other_name}",
                    ),
                )


def code_outside_range(registry: Registry) -> Iterator[Hit]:
    for located, i, code in registry.platform_codes():
        ranges = located.module.ranges
        if ranges and not any(r.start <= code.number <= r.end for r in ranges):
            allocated = ", ".join(f"{r.start}-{r.end}" for r in ranges)
            yield _code_hit(
                located,
                i,
                "number",
                f"{code.number} is outside {located.module.name}'s range {allocated}",
            )


def module_without_range(registry: Registry) -> Iterator[Hit]:
    for located in registry.modules:
        if not located.module.ranges and located.module.upstream is None:
            yield Hit(
                located.module.name,
                located.doc.locate(
                    ("name",), f"module {located.module.name} has no allocated range"
                ),
            )


def reserved_range(registry: Registry) -> Iterator[Hit]:
    for located, i, code in registry.platform_codes():
        for reserved in registry.lint.reserved_ranges:
            if reserved.start <= code.number <= reserved.end:
                yield _code_hit(
                    located,
                    i,
                    "number",
                    f"{code.number} lies in {reserved.start}-"
                    f"{reserved.end}, reserved: {reserved.reason}",
                )


def subrange_convention(registry: Registry) -> Iterator[Hit]:
    for located, i, code in registry.platform_codes():
        offset = code.number % 100
        for sub in registry.lint.subranges:
            if sub.start <= offset <= sub.end and code.category not in sub.categories:
                expected = " or ".join(sub.categories) if sub.categories else "no code"
                yield _code_hit(
                    located,
                    i,
                    "category",
                    f"{code.category} code at offset "
                    f"{offset:02d}, where the convention puts {sub.meaning} "
                    f"({expected})",
                )


def identifiers(module: str, name: str) -> dict[str, str]:
    """The identifier Python and TypeScript give a code; the targets use the same functions
    (Go's depends on the other codes: ``go.code_vars``)."""
    return {
        "Python": python.constant(module, name),
        "TypeScript": typescript.constant(module, name),
    }


def identifier_collision(registry: Registry) -> Iterator[Hit]:
    yield from _go_collisions(registry)
    seen: dict[tuple[str, str], str] = {}
    names = set()  # a repeated (module, name) is DUPLICATE_NAME's finding, not this rule's
    for located, i, code in registry.codes():
        if (located.module.name, code.name) in names:
            continue
        names.add((located.module.name, code.name))
        key = f"{located.module.name}:{code.number}"
        for language, ident in identifiers(located.module.name, code.name).items():
            owner = seen.setdefault((language, ident), key)
            if owner != key:
                yield _code_hit(
                    located,
                    i,
                    "name",
                    f"{language} identifier {ident} of {key} collides with {owner}",
                )
    for subject, where in entry_collisions(registry):
        yield Hit(subject, where)


def _go_collisions(registry: Registry) -> Iterator[Hit]:
    """Go names codes by their neighbours (a stutter is dropped unless that collides), so the
    names come from the same function the Go target uses."""
    located_by_key: dict[str, tuple[LocatedModule, int]] = {}
    codes = []
    names = set()  # a repeated number or name is DUPLICATE_CODE's or DUPLICATE_NAME's finding
    for located, i, code in registry.codes():
        key = f"{located.module.name}:{code.number}"
        if key not in located_by_key and (located.module.name, code.name) not in names:
            located_by_key[key] = (located, i)
            names.add((located.module.name, code.name))
            codes.append((key, located.module.name, code.name))
    sentinels = (s.name for s in registry.sentinels.sentinels)
    for key, ident, owner in go.code_vars(codes, sentinels)[1]:
        located, i = located_by_key[key]
        yield _code_hit(located, i, "name", f"Go identifier {ident} of {key} collides with {owner}")


def override_without_reason(registry: Registry) -> Iterator[Hit]:
    for located, i, code in registry.codes():
        category = registry.settings.categories.get(code.category)
        if category is None or code.reason:
            continue
        for field, value, default in (
            ("retryable", code.retryable, category.retryable),
            ("severity", code.severity, category.severity),
        ):
            if value is not None and value != default:
                yield _code_hit(
                    located,
                    i,
                    field,
                    f"{field} {value!r} contradicts the "
                    f"{code.category} default {default!r}; give a reason",
                )


def category_inferred(registry: Registry) -> Iterator[Hit]:
    for located, i, code in registry.codes():
        evidence = code.category_evidence or ("message" if code.category_inferred else None)
        if evidence in INFERRED_EVIDENCE:
            source = "the message" if evidence == "message" else "the sub-range convention"
            yield _code_hit(
                located,
                i,
                "category",
                f"category {code.category} was inferred from {source} (not retryable, "
                "never critical until reviewed); review it and record category_evidence: review",
            )


RULES: tuple[Rule, ...] = (
    Rule(
        "DUPLICATE_CODE",
        "The pair (module, number) identifies an error: it must be unique.",
        "error",
        duplicate_code,
        fixed=True,
    ),
    Rule(
        "DUPLICATE_NAME",
        "Names become identifiers in every client: unique within a module.",
        "error",
        duplicate_name,
        fixed=True,
    ),
    Rule(
        "SENTINEL_MATCHES_NOTHING",
        "A sentinel callers test for must be able to match some error.",
        "error",
        sentinel_matches_nothing,
        fixed=True,
    ),
    Rule(
        "RANGE_OVERLAP",
        "Two modules allocated the same numbers cannot grow independently.",
        "error",
        range_overlap,
    ),
    Rule(
        "CODE_OUTSIDE_RANGE",
        "A module's codes belong in its allocated range.",
        "error",
        code_outside_range,
    ),
    Rule(
        "MODULE_WITHOUT_RANGE",
        "Every module needs an allocation before it registers codes.",
        "error",
        module_without_range,
    ),
    Rule(
        "RESERVED_RANGE",
        "Numbers reserved for the Cosmos SDK must not be reused.",
        "error",
        reserved_range,
    ),
    Rule(
        "SUBRANGE_CONVENTION",
        "Each block of ten in a range holds one kind of error.",
        "warning",
        subrange_convention,
    ),
    Rule(
        "IDENTIFIER_COLLISION",
        "No two registry entries become one identifier in a client, nor a runtime name.",
        "error",
        identifier_collision,
        fixed=True,  # a collision makes a client that does not compile or silently shadows
    ),
    Rule(
        "OVERRIDE_WITHOUT_REASON",
        "Overriding a category's retryable or severity needs a stated reason.",
        "error",
        override_without_reason,
    ),
    Rule(
        "CATEGORY_INFERRED",
        "Inferred categories await a human review.",
        "warning",
        category_inferred,
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}
