"""Go naming, reserved words and literals."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from errcodegen.lang.words import camel, escape_char, pascal, safe_text_lines, words

# Initialisms Go spells in one case (https://go.dev/wiki/CodeReviewComments#initialisms),
# plus the platform's own.
INITIALISMS = frozenset(
    """acl api ascii cpu css dns eof guid html http https id ip json lhs qps ram rhs rpc sla
    smtp sql ssh tcp tls ttl udp ui uid uuid uri url utf8 vm xml xmpp xsrf xss
    ml mfa hpc gpu sms tee sgx sev jwt oidc saml ibc nli sre dex sdk""".split()
)

RESERVED = frozenset(
    """break case chan const continue default defer else fallthrough for func go goto if
    import interface map package range return select struct switch type var
    any bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32
    int64 rune string uint uint8 uint16 uint32 uint64 uintptr true false iota nil append cap
    clear close complex copy delete imag len make max min new panic print println real
    recover""".split()
)

_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def type_name(*parts: str) -> str:
    """``VeidMLInferenceFailed``: an exported identifier with Go's initialisms."""
    name = pascal(*parts, initialisms=INITIALISMS)
    return name if name and not name[0].isdigit() else "X" + name


def constant(*parts: str) -> str:
    """Go spells an exported constant the way it spells a type: ``ShapeGRPCGateway``."""
    return type_name(*parts)


# A code name ending in this word is the platform Go SDK's copy of an error its chain
# module also registers (the importer's convention, errcodegen.goimport.infer).
_SDK_COPY = "sdk"


def code_var(module: str, name: str, *, shorten: bool = True) -> str:
    """The variable of a registered code: ``ErrVeidMLInferenceFailed`` for veid's
    ``ml_inference_failed``, named the way Go names errors.

    - the SDK's copy of an error (``invalid_address_sdk``) says so after the module, as
      an initialism: ``ErrConfigSDKInvalidAddress`` beside the chain module's
      ``ErrConfigInvalidAddress``;
    - a trailing ``error`` word goes (``ErrVerificationAuditStorage``, not
      ``ErrVerificationAuditStorageError``);
    - with ``shorten``, leading words of the name that repeat the end of the module
      name go (``ErrVerificationNonceNotFound``, not
      ``ErrVerificationNonceNonceNotFound``). The target falls back to
      ``shorten=False`` when the short form is already taken (a common sentinel, or
      another code).
    """
    module_words, name_words = words(module), words(name)
    sdk = len(name_words) > 1 and name_words[-1] == _SDK_COPY
    if sdk:
        name_words = name_words[:-1]
    if len(name_words) > 1 and name_words[-1] == "error":
        name_words = name_words[:-1]
    if shorten:
        for overlap in range(min(len(module_words), len(name_words) - 1), 0, -1):
            if module_words[-overlap:] == name_words[:overlap]:
                name_words = name_words[overlap:]
                break
    qualifier = [_SDK_COPY] if sdk else []
    return "Err" + type_name(*module_words, *qualifier, *name_words)


def sentinel_var(name: str) -> str:
    """The variable of a common sentinel: ``ErrNotFound``."""
    return "Err" + type_name(name)


def unexported(*parts: str) -> str:
    name = camel(*parts, initialisms=INITIALISMS)
    if not name or name[0].isdigit():
        name = "x" + name
    return name + "_" if name in RESERVED else name


def string(text: str) -> str:
    """A double-quoted Go string literal whose value is exactly ``text``."""
    return (
        '"'
        + "".join(
            c if c.isprintable() and c not in _SHORT else escape_char(c, _SHORT, max_hex=0x7F)
            for c in text
        )
        + '"'
    )


def doc_lines(text: str) -> list[str]:
    """Lines of a ``//`` doc comment: one line of text each, nothing can end it early."""
    return safe_text_lines(text)


_MAJOR_SUFFIX = re.compile(r"/v([0-9]+)$")


def module_path(base: str, version: str) -> str:
    """The module path a release of ``version`` must declare (semantic import versioning).

    From major version 2 on the path ends in ``/vN`` (https://go.dev/ref/mod#major-version-suffixes);
    ``base`` is the registry's ``go_module``, with or without that suffix. A suffix that
    names another major version is an error.
    """
    major = int(version.split(".", 1)[0])
    suffix = _MAJOR_SUFFIX.search(base)
    if suffix:
        if int(suffix.group(1)) != major or major < 2:
            raise ValueError(
                f"go_module {base!r} ends in /v{suffix.group(1)} but the version is {version}"
            )
        return base
    return f"{base}/v{major}" if major >= 2 else base


def module_tag(subdirectory: str, version: str) -> str:
    """The git tag the Go command looks for: ``clients/go/v2.3.0`` for a module in that folder."""
    return f"{subdirectory.strip('/')}/v{version}" if subdirectory.strip("/") else f"v{version}"


# What the Go target names after registry entries, and every package-level name its
# files declare whatever the registry holds (one package, one namespace). The lint rule
# IDENTIFIER_COLLISION checks them against each other.
RUNTIME_NAMES: dict[str, frozenset[str]] = {
    "package": frozenset(
        """APIError AllCodes AllSentinels Attempt AttemptBudget Budget BudgetCapacity Call
        CanceledError Category CheckResponse Code ConnectionError DecideDefault DecideRetry
        DecideStop Decision DecodeError DefaultBaseDelay DefaultBudgetEnabled
        DefaultMaxAttempts DefaultMaxDelay DefaultMaxRetryAfter DefaultPolicy
        DefaultThrottleBaseDelay FromABCI FromGRPCStatus FromTxResponse Lookup
        MaxErrorBodyBytes NewBudget NewBudgetWithTokens NewIdempotencyKey NewRetrier
        NewTransport Phase PhaseConnect PhaseReset PhaseTimeout Policy PolicyError ReadError
        RequestError Retrier RetryCost Sentinel Severity Shape ShapeABCI ShapeEnvelope
        ShapeErrorMember ShapeGRPC ShapeGRPCGateway ShapeNone ShapeProblem ShapeText
        StopBodyNotReplayable StopBudgetExhausted StopCancelled StopDeadline StopHintTooLong
        StopMaxAttempts StopNotIdempotent StopNotRetryable StopReason SuccessRefund
        ThrottleRetryCost Transport WithCall""".split()
    ),
}


def generated_names(kind: str, name: str) -> list[tuple[str, str]]:
    """(namespace, identifier) of what the Go target names after the registry's ``kind``
    entry ``name`` (kind: platform, category, severity, sentinel); codes are checked
    by IDENTIFIER_COLLISION itself."""
    if kind == "category":
        return [("package", "Category" + type_name(name)), ("package", type_name(name, "error"))]
    if kind == "severity":
        return [("package", "Severity" + type_name(name))]
    if kind == "sentinel":
        return [("package", "Err" + type_name(name))]
    return []


def code_vars(
    codes: Iterable[tuple[str, str, str]], sentinels: Iterable[str]
) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The variable of each code, by key, from ``(key, module, name)`` triples: ``code_var``'s
    short form, or its long form where the short one is taken (``ErrEncryptionEncryptionFailed``,
    since ``ErrEncryptionFailed`` is a common sentinel). Also every collision left, as
    ``(key, identifier, owner)``: the target refuses them, the lint names them."""
    taken = {sentinel_var(s): f"common sentinel {s}" for s in sentinels}
    short = [(key, module, name, code_var(module, name)) for key, module, name in codes]
    counts = Counter(ident for *_, ident in short)
    names: dict[str, str] = {}
    collisions: list[tuple[str, str, str]] = []
    for key, module, name, ident in short:
        if ident in taken or counts[ident] > 1:
            ident = code_var(module, name, shorten=False)
        if ident in taken:
            collisions.append((key, ident, taken[ident]))
            continue
        taken[ident] = key
        names[key] = ident
    return names, collisions
