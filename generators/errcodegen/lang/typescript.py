"""TypeScript naming, reserved words and literals."""

from __future__ import annotations

from errcodegen.lang.words import camel, pascal, safe_text_lines, upper_snake

RESERVED = frozenset(
    """break case catch class const continue debugger default delete do else enum export
    extends false finally for function if import in instanceof new null return super switch
    this throw true try typeof var void while with as implements interface let package private
    protected public static yield any boolean constructor declare get module require number set
    string symbol type from of async await undefined NaN Infinity eval arguments Object Error
    Array Promise globalThis""".split()
)

_SHORT = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def constant(*parts: str) -> str:
    return _avoid_reserved(upper_snake(*parts))


def type_name(*parts: str) -> str:
    return _avoid_reserved(pascal(*parts))


def member(*parts: str) -> str:
    return _avoid_reserved(camel(*parts))


def _avoid_reserved(name: str) -> str:
    if not name or name[0].isdigit():
        name = "_" + name
    return name + "_" if name in RESERVED else name


def string(text: str) -> str:
    """A double-quoted TypeScript string literal whose value is exactly ``text``.

    Printable characters stand as they are; backslash, quote, CR, LF and tab get their short
    escapes; every other character is written as a code point escape ``\\u{...}`` (ES2015),
    which holds any code point, astral ones included, and a lone surrogate as itself.
    """
    return '"' + "".join(_char(c) for c in text) + '"'


def _char(c: str) -> str:
    if c in _SHORT:
        return _SHORT[c]
    return c if c.isprintable() else f"\\u{{{ord(c):x}}}"


def doc_lines(text: str) -> list[str]:
    """Lines safe inside a ``/** ... */`` comment."""
    return [line.replace("*/", "*\\/") for line in safe_text_lines(text)]


# What the TypeScript target names after registry entries, and the names its package
# exports whatever the registry holds (``index.ts`` re-exports every module, so one
# namespace), with those local to the modules that hold generated names. The lint rule
# IDENTIFIER_COLLISION checks them against each other.
RUNTIME_NAMES: dict[str, frozenset[str]] = {
    "package": frozenset(
        """APIError APIErrorFields AttemptContext AttemptRecord BASE_DELAY_MS BUDGET_CAPACITY
        BUDGET_ENABLED CATALOG CATEGORIES CATEGORY_DEFAULTS CallOptions Category CategoryDefaults
        CodeFacts Codes ConnectionError ConnectionPhase DEFAULT_RETRY_POLICY DebugLogger
        DecodeOptions ERROR_TYPES ErrorBody ErrorCode ErrorCodeString ErrorEnvelope ErrorShape
        FetchAbortSignal FetchClientOptions FetchFunction FetchHeaders FetchInit FetchInput
        FetchResponse FrozenMap FrozenSet GRPC_STATUS_TABLE GrpcStatusRule HeadersLike
        IDEMPOTENCY_KEY_HEADER IDEMPOTENT_METHODS KnownCode MAX_ATTEMPTS MAX_DELAY_MS
        MAX_ERROR_BODY_BYTES MAX_RETRY_AFTER_MS OnRetry Problem REASON_PHRASES REGISTRY_VERSION
        RETRY_ATTEMPT_HEADER RETRY_COST RequestError Retrier RetrierOptions RetryBudget
        RetryOptions RetryPolicy RetryRequest RetryingFetch RetryingRequestInit SENTINELS
        SEVERITIES STATUS_TABLE SUCCESS_REFUND Sentinel SentinelFailure SentinelMatch Severity
        ShouldRetry Sleep StatusRule StopReason THROTTLE_BASE_DELAY_MS THROTTLE_RETRY_COST
        TxResponseBody abortReason codeFacts createFetch decodeError errorFromAbci
        errorFromTxResponse failuresOf hasCode isAPIError isConnectionError isKnownCode
        isRequestError lookup matches newIdempotencyKey sentinel sleep surfaced unpackCodes
        withoutStack""".split()
    ),
}


def generated_names(kind: str, name: str) -> list[tuple[str, str]]:
    """(namespace, identifier) of what the TypeScript target names after the registry's
    ``kind`` entry ``name`` (kind: platform, category, severity, sentinel)."""
    if kind == "platform":
        base = type_name(name, "error")
        return [("package", base), ("package", f"is{base}")]
    if kind == "category":
        return [
            ("package", type_name(name, "error")),
            ("package", member("is", name, "error")),
            ("package", type_name(name, "context")),
        ]
    if kind == "sentinel":
        return [("package", member("is", name)), ("package", constant("err", name))]
    return []
