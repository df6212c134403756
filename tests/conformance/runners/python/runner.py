"""Conformance runner for the Python client (tests/conformance/FORMAT.md, "Runners").

Usage: python runner.py FILE...

Runs every case through the public API of ``virtengine_errors``: ``catalog.lookup``,
``decode_error``, ``error_from_abci``, ``error_from_tx_response``, ``sentinels`` and
``Retrier``/``AsyncRetrier`` with an injected random source, a clock that only the
helper's sleeps and the attempts' ``takes_ms`` advance, a sleep that cancels like asyncio,
and the ``should_retry`` / ``on_retry`` hooks the case scripts. Each attempt's time budget
is the ``timeout`` the helper hands to ``send``, as a real transport uses it. Retry cases
without cancellation run through both helpers and must agree.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from virtengine_errors import (
    ERROR_TYPES,
    APIConnectionError,
    APIError,
    AsyncRetrier,
    Retrier,
    RetryBudget,
    RetryPolicy,
    RetryRequest,
    VirtEngineError,
    catalog,
    decode_error,
    error_from_abci,
    error_from_tx_response,
    sentinels,
)

TOLERANCE = 0.001
DEFAULT_NOW = "2026-01-01T00:00:00Z"
DEFAULT_URL = "https://api.virtengine.test/v1/resource"
ANSWERS = {"retry": True, "stop": False, "default": None}
CASE_TYPES = {cls: name for name, cls in ERROR_TYPES.items()}

Json = dict[str, Any]


class CaseError(Exception):
    """The case could not run as written (e.g. the helper sent more attempts than listed)."""


class RequestMistake(ValueError):
    """What the call function raises for an attempt ``{"request_error": true}``."""


class HookFailure(RuntimeError):
    """What the ``on_retry`` hook raises when the case says ``on_retry_raises``."""


# ----- what the client reports, in tests/conformance/FORMAT.md's member names -----


def lookup_got(code: str) -> Json:
    entry = catalog.lookup(code)
    if entry is None:
        return {"known": False}
    return {
        "known": True,
        "module": entry.module,
        "number": entry.number,
        "name": entry.name,
        "category": entry.category,
        "severity": entry.severity,
        "retryable": entry.retryable,
        "http_status": entry.http_status,
        "message": entry.message,
        "deprecated": entry.deprecated,
    }


def sentinels_got(error: BaseException) -> list[str]:
    return sorted(sentinel.name for sentinel in sentinels.SENTINELS if sentinel.matches(error))


def error_got(error: VirtEngineError) -> Json:
    if isinstance(error, APIConnectionError):
        last = error.last_api_error
        return {
            "type": "connection",
            "retryable": error.retryable,
            "text": str(error),
            "stop_reason": error.stop_reason,
            "method": error.method,
            "url": error.url,
            "last_api_error": None
            if last is None
            else {
                "type": CASE_TYPES.get(type(last), "api_error"),
                "http_status": last.http_status,
                "code": last.code,
            },
            "sentinels": sentinels_got(error),
        }
    assert isinstance(error, APIError)
    return {
        "type": CASE_TYPES.get(type(error), "api_error"),
        "code": error.code,
        "module": error.module,
        "number": error.number,
        "message": error.message,
        "category": error.category,
        "severity": error.severity,
        "retryable": error.retryable,
        "http_status": error.http_status,
        "request_id": error.request_id,
        "retry_after_ms": None if error.retry_after is None else error.retry_after * 1000,
        "envelope": error.from_envelope,
        "shape": error.shape,
        "text": str(error),
        "context": error.context,
        "raw_body_prefix": error.raw_body[:64],
        "stop_reason": error.stop_reason,
        "method": error.method,
        "url": error.url,
        "last_api_error": None,
        "sentinels": sentinels_got(error),
    }


# ----- comparing -----


def mismatches(expect: Any, got: Any, path: str = "") -> list[str]:
    """Where ``got`` differs from ``expect``; only members ``expect`` names are compared."""
    if isinstance(expect, dict):
        if not isinstance(got, dict):
            return [f"{path or 'value'}: expected an object, got {got!r}"]
        found: list[str] = []
        for key, value in expect.items():
            if key not in got:
                found.append(f"{path}{key}: missing")
                continue
            if key == "raw_body_prefix":
                if not isinstance(got[key], str) or not got[key].startswith(value):
                    found.append(f"{path}{key}: {got[key]!r} does not start with {value!r}")
                continue
            found += mismatches(value, got[key], f"{path}{key}.")
        return found
    if isinstance(expect, list):
        if not isinstance(got, list) or len(got) != len(expect):
            return [f"{path.rstrip('.')}: expected {expect!r}, got {got!r}"]
        return [
            m
            for i, (e, g) in enumerate(zip(expect, got, strict=True))
            for m in mismatches(e, g, f"{path}{i}.")
        ]
    if _same(expect, got):
        return []
    return [f"{path.rstrip('.')}: expected {expect!r}, got {got!r}"]


def _same(expect: Any, got: Any) -> bool:
    numbers = (int, float)
    if isinstance(expect, bool) or isinstance(got, bool):
        return expect is got
    if isinstance(expect, numbers) and isinstance(got, numbers):
        return math.isclose(expect, got, rel_tol=0, abs_tol=TOLERANCE)
    return bool(expect == got)


# ----- the kinds -----


def response_parts(response: Json) -> tuple[int, dict[str, str], bytes]:
    if "body_base64" in response:
        body = base64.b64decode(response["body_base64"])
    else:
        body = response.get("body", "").encode("utf-8", "surrogatepass")
    return response["status"], dict(response.get("headers", {})), body


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def run_lookup(case: Json) -> Json:
    return lookup_got(case["code"])


def run_decode(case: Json) -> Json:
    status, headers, body = response_parts(case["response"])
    error = decode_error(status, headers, body, now=epoch(case.get("now", DEFAULT_NOW)))
    return {**error_got(error), "stop_reason": None}


def outcome_got(error: APIError | None) -> Json:
    if error is None:
        return {"outcome": "none", "error": None}
    return {"outcome": "error", "error": error_got(error)}


def run_abci(case: Json) -> Json:
    return outcome_got(error_from_abci(case["codespace"], case["code"], case["log"]))


def run_tx_response(case: Json) -> Json:
    return outcome_got(error_from_tx_response(case["body"]))


@dataclass
class Simulation:
    """The injected world of one retry case: draws, a clock moved only by sleeps, attempts."""

    case: Json
    start: float
    now: float
    draws: Iterator[float]
    sleeps: list[float] = field(default_factory=list)
    budgets: list[float | None] = field(default_factory=list)
    answers: Iterator[str] = field(default_factory=lambda: iter(()))
    sent: int = 0

    @classmethod
    def of(cls, case: Json) -> Simulation:
        start = epoch(case.get("now", DEFAULT_NOW))
        world = cls(case, start, start, iter(case.get("random", [])))
        world.answers = iter(case.get("should_retry", []))
        return world

    def random(self) -> float:
        try:
            return float(next(self.draws))
        except StopIteration:
            raise CaseError("the helper drew more random numbers than listed") from None

    def clock(self) -> float:
        return self.now

    def _advance(self, seconds: float) -> bool:
        """Move the clock by a sleep; ``True`` if the caller cancels during it."""
        self.sleeps.append(seconds)
        cancel_ms = self.case.get("cancel_after_ms")
        if cancel_ms is not None and self.now + seconds >= self.start + cancel_ms / 1000:
            self.now = max(self.now, self.start + cancel_ms / 1000)
            return True
        self.now += seconds
        return False

    def sleep(self, seconds: float) -> None:
        if self._advance(seconds):
            raise CaseError("a synchronous sleep cannot be cancelled")

    async def async_sleep(self, seconds: float) -> None:
        if self._advance(seconds):
            raise asyncio.CancelledError

    def should_retry(
        self, error: VirtEngineError, attempt: int, request: RetryRequest
    ) -> bool | None:
        try:
            return ANSWERS[next(self.answers)]
        except StopIteration:
            raise CaseError("the helper asked should_retry more often than listed") from None

    def on_retry(
        self, attempt: int, error: VirtEngineError, delay: float, request: RetryRequest
    ) -> None:
        if self.case.get("on_retry_raises"):
            raise HookFailure(f"on_retry refuses attempt {attempt}")

    def send(self, attempt: int, timeout: float | None) -> str:
        attempts = self.case["attempts"]
        if attempt > len(attempts):
            raise CaseError(f"the helper sent attempt {attempt}; the case lists {len(attempts)}")
        self.sent = attempt
        self.budgets.append(timeout)
        step = attempts[attempt - 1]
        if step.get("request_error"):
            raise RequestMistake("unsupported URL scheme")
        takes = step.get("takes_ms", 0) / 1000
        if timeout is not None and takes > timeout:
            self.now += timeout
            raise APIConnectionError("timeout", phase="timeout")
        self.now += takes
        if "connection_error" in step:
            raise APIConnectionError(step["connection_error"], phase=step["connection_error"])
        status, headers, body = response_parts(step["response"])
        if status < 400:
            return "ok"
        raise decode_error(status, headers, body, now=self.now)

    async def async_send(self, attempt: int, timeout: float | None) -> str:
        return self.send(attempt, timeout)


def retry_policy(policy: Json) -> tuple[RetryPolicy, float | None]:
    seconds = {
        "base_delay_ms": "base_delay",
        "throttle_base_delay_ms": "throttle_base_delay",
        "max_delay_ms": "max_delay",
        "max_retry_after_ms": "max_retry_after",
    }
    options: dict[str, Any] = {
        name: policy[key] / 1000 for key, name in seconds.items() if key in policy
    }
    if "max_attempts" in policy:
        options["max_attempts"] = policy["max_attempts"]
    if "budget" in policy:
        options["budget"] = policy["budget"]
    deadline_ms = policy.get("deadline_ms")
    return RetryPolicy(**options), None if deadline_ms is None else deadline_ms / 1000


def run_retry(case: Json, use_async: bool) -> Json:
    world = Simulation.of(case)
    policy, deadline = retry_policy(case.get("policy", {}))
    budget = RetryBudget(tokens=case.get("budget_tokens"))
    request = case["request"]
    call_args: dict[str, Any] = {
        "method": request["method"],
        "url": request.get("url", DEFAULT_URL),
        "headers": request.get("headers"),
        "body_replayable": request.get("body_replayable", True),
        "idempotency_key": bool(request.get("idempotency_key")),
        "deadline": deadline,
    }
    hooks: dict[str, Any] = {"on_retry": world.on_retry}
    if "should_retry" in case:
        hooks["should_retry"] = world.should_retry
    outcome, error, stop_reason, history, matched = "success", None, None, None, None
    try:
        if use_async:
            helper = AsyncRetrier(
                policy,
                budget=budget,
                random=world.random,
                clock=world.clock,
                sleep=world.async_sleep,
                **hooks,
            )
            asyncio.run(helper.call(world.async_send, **call_args))
        else:
            helper_sync = Retrier(
                policy,
                budget=budget,
                random=world.random,
                clock=world.clock,
                sleep=world.sleep,
                **hooks,
            )
            helper_sync.call(world.send, **call_args)
    except asyncio.CancelledError as exc:
        outcome, matched = "cancelled", sentinels_got(exc)
    except VirtEngineError as exc:
        outcome, error = "error", {**error_got(exc), "attempts": exc.attempts}
        stop_reason = exc.stop_reason
        history = [
            {"status": a.status, "delay_ms": a.delay * 1000}
            if a.status is not None
            else {"phase": a.phase, "delay_ms": a.delay * 1000}
            for a in exc.history
        ]
    except (RequestMistake, HookFailure):
        outcome = "raised"
    return {
        "outcome": outcome,
        "attempts": world.sent,
        "sleeps_ms": [s * 1000 for s in world.sleeps],
        "error": error,
        "budget_tokens_after": budget.tokens,
        "stop_reason": stop_reason,
        "history": history,
        "attempt_budgets_ms": [None if b is None else b * 1000 for b in world.budgets],
        "sentinels": matched,
    }


def run_case(case: Json) -> tuple[Json, list[str]]:
    kind = case["kind"]
    if kind == "lookup":
        got = run_lookup(case)
    elif kind == "decode":
        got = run_decode(case)
    elif kind == "abci":
        got = run_abci(case)
    elif kind == "tx_response":
        got = run_tx_response(case)
    elif kind == "retry":
        got = run_retry(case, use_async=True)
        if "cancel_after_ms" not in case:
            sync_got = run_retry(case, use_async=False)
            if sync_got != got:
                return got, [f"Retrier and AsyncRetrier disagree: {sync_got} != {got}"]
    else:
        raise CaseError(f"unknown kind {kind!r}")
    return got, mismatches(case["expect"], got)


def run_file(path: Path, emit: Callable[[Json], None]) -> tuple[int, int]:
    document = json.loads(path.read_text(encoding="utf-8"))
    passed = failed = 0
    for case in document["cases"]:
        try:
            got, why = run_case(case)
        except CaseError as exc:
            got, why = {}, [str(exc)]
        ok = not why
        passed += ok
        failed += not ok
        emit({"id": case["id"], "pass": ok, "got": got, "why": "; ".join(why)})
    return passed, failed


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: runner.py FILE...", file=sys.stderr)
        return 2
    passed = failed = 0
    unreadable = False

    def emit(line: Json) -> None:
        print(json.dumps(line, default=str))  # ASCII: a lone surrogate stays printable

    for name in argv:
        try:
            file_passed, file_failed = run_file(Path(name), emit)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"{name}: cannot read vectors: {exc}", file=sys.stderr)
            unreadable = True
            continue
        passed += file_passed
        failed += file_failed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or unreadable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
