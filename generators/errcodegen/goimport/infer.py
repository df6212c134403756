"""What the importer has to guess: a code's snake_case name and, when the source does
not state it, its category. A guess is the last evidence there is (a review decides
every category the committed registry holds); the rules were last revised against those
reviews."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import PurePosixPath

from errcodegen.lang.words import words
from errcodegen.registry.load import LocatedModule
from errcodegen.registry.raw import INFERRED_EVIDENCE, RawSubrange

# Inference from message and symbol, first match wins. Order matters: "rate limit
# exceeded" is a rate limit before it is anything else; "not found" before "invalid".
INFERENCE_RULES: tuple[tuple[str, str], ...] = (
    ("rate_limit", r"rate.?limit|too many|quota|throttl|limit exceeded|cooldown|exceeds? .*limit"),
    ("timeout", r"time.?out|timed out|deadline"),
    ("not_found", r"not found|notfound|does not exist|no such|unknown (?!error)|missing record"),
    # Something already done to a resource is its state, not a duplicate.
    (
        "state",
        r"already (processed|revoked|completed|settled|resolved|paid|distributed|responded|"
        r"finali[sz]ed|closed|cancel)",
    ),
    ("conflict", r"already|exists|duplicate|conflict|in use"),
    # A refusal of who the caller is: identity, signatures, allowlists, eligibility.
    (
        "unauthorized",
        r"unauthori[sz]ed|forbidden|permission|not authori[sz]ed|access denied|"
        r"not allowed|authentication|not permitted|insufficient (role|privilege)|"
        r"not (the )?owner|signer|signature verification|proof verification|"
        r"^verification failed|not verified|not (a|the) |not approved|allowlist|not trusted|"
        r"untrusted|replay|not eligible|requirements not met|restricted|gating|"
        r"cannot (modify|revoke|suspend)|only .* can|not satisfied|score below",
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
        r"no active|terminated|cancel|insufficient (funds|balance|shares)|full\b|reached|"
        r"jailed|deregistered|deprecated|archived|not yet valid|no (eligible|available|claimable|"
        r"enrolled)|not granted|exhausted|remaining|on hold|stale|conditions not met|prevents",
    ),
    (
        "validation",
        r"invalid|empty|missing|required|must|too (long|short|large|small|many)|"
        r"malformed|exceed|out of range|bad |format|length|negative|zero|nil|"
        r"unsupported|not supported|mismatch",
    ),
    ("internal", r"fail|error|internal|marshal|encod|decod|panic|unexpected|corrupt"),
)
FALLBACK_CATEGORY = "internal"
SDK_SUFFIX = "_sdk"  # the SDK package's copy of an error the chain module also registers


def symbol_words(symbol: str) -> list[str]:
    """``ErrInvalidScope`` -> ``["invalid", "scope"]`` (an ``Err``/``err`` prefix dropped)."""
    return words(re.sub(r"^[Ee]rr(?=[A-Z0-9_]|$)", "", symbol))


def infer_category(message: str, symbol: str, known: Collection[str]) -> str:
    """The first rule whose pattern matches the message or the symbol's words."""
    text = f"{message.lower()} {' '.join(symbol_words(symbol))}"
    for category, pattern in INFERENCE_RULES:
        if category in known and re.search(pattern, text):
            return category
    return FALLBACK_CATEGORY if FALLBACK_CATEGORY in known else sorted(known)[0]


def base_name(symbol: str, number: int) -> str:
    """A snake_case name from the Go symbol; ``code_<number>`` when it gives none."""
    name = "_".join(symbol_words(symbol))
    if not name:
        return f"code_{number}"
    return name if name[0].isalpha() else f"code_{name}"


def is_sdk_copy(source: str) -> bool:
    """Whether the file is in the platform's Go SDK (``sdk/...``)."""
    return PurePosixPath(source).parts[:1] == ("sdk",)


def unique_name(base: str, source: str, number: int, taken: Collection[str]) -> str:
    """``base``; if taken, ``base_sdk`` for the SDK's copy; then ``base_<number>``.

    Callers name the chain module's codes before the SDK's, so that of two copies of
    one error the SDK's is the one that gets the suffix.
    """
    candidates = [base, *([base + SDK_SUFFIX] if is_sdk_copy(source) else []), f"{base}_{number}"]
    for candidate in candidates:
        if candidate not in taken:
            return candidate
    suffix = 2
    while f"{base}_{number}_{suffix}" in taken:
        suffix += 1
    return f"{base}_{number}_{suffix}"


# A module follows the sub-range convention when at least this many of its codes whose
# category was decided (by the source or a person) lie in a one-category block of its
# range, and at least this share of them agree with the block.
SUBRANGE_MIN_DECIDED = 5
SUBRANGE_MIN_AGREEMENT = 0.8


def subrange_category(
    located: LocatedModule | None, number: int, subranges: Sequence[RawSubrange]
) -> str | None:
    """The category the module's sub-range convention gives ``number``, or None when the
    number is outside the module's range, its block is not one category, or the module
    does not follow the convention."""
    if located is None or located.module.upstream:
        return None
    module = located.module

    def block(n: int) -> str | None:
        if not any(r.start <= n <= r.end for r in module.ranges):
            return None
        sub = next((s for s in subranges if s.start <= n % 100 <= s.end), None)
        return sub.categories[0] if sub is not None and len(sub.categories) == 1 else None

    category = block(number)
    if category is None:
        return None
    decided = [
        (c.category, expected)
        for c in module.codes
        if not c.category_inferred
        and c.category_evidence not in INFERRED_EVIDENCE
        and (expected := block(c.number)) is not None
    ]
    agree = sum(1 for actual, expected in decided if actual == expected)
    if len(decided) < SUBRANGE_MIN_DECIDED or agree < SUBRANGE_MIN_AGREEMENT * len(decided):
        return None
    return category
