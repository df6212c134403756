"""Live scenario runner for the Python client: the real httpx transport against the
shared loopback server (tests/conformance/live).

Usage: python scenarios.py --base-url URL --prefix LANG SCENARIO_FILE

For each scenario: a fresh ``httpx.Client`` over ``RetryTransport`` (real clock, real
sleep, real random jitter), one call to ``URL/<prefix>/<scenario id>``, one JSON line
``{"id", "outcome", "status", "error", "stop_reason", "elapsed_ms"}``; then
``N passed, N failed`` (a scenario passes when the runner itself did not crash on it).

The request's ``deadline_ms`` is the call's deadline (``call_options(deadline=...)``). A
request with ``abort_after_ms`` is sent through ``httpx.AsyncClient`` over
``AsyncRetryTransport`` (a sync call cannot be cancelled) and its task is cancelled after
that long: the outcome is ``cancelled`` when the call ends with ``asyncio.CancelledError``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import httpx
from virtengine_errors import ERROR_TYPES, APIConnectionError, APIError, RetryPolicy
from virtengine_errors.transport import (
    AsyncRetryTransport,
    RetryTransport,
    call_options,
    raise_for_error,
)

CASE_TYPES = {cls: name for name, cls in ERROR_TYPES.items()}
SECONDS = {
    "base_delay_ms": "base_delay",
    "throttle_base_delay_ms": "throttle_base_delay",
    "max_delay_ms": "max_delay",
    "max_retry_after_ms": "max_retry_after",
    "deadline_ms": "deadline",
}


def policy_of(policy: dict[str, Any]) -> RetryPolicy:
    options: dict[str, Any] = {
        name: policy[key] / 1000 for key, name in SECONDS.items() if key in policy
    }
    for key in ("max_attempts", "budget"):
        if key in policy:
            options[key] = policy[key]
    return RetryPolicy(**options)


def run_scenario(base_url: str, prefix: str, scenario: dict[str, Any]) -> dict[str, Any]:
    request = scenario["request"]
    url = f"{base_url.rstrip('/')}/{prefix}/{scenario['id']}"
    body = request.get("body")
    content = None if body is None else body.encode("utf-8")
    deadline = request.get("deadline_ms")
    options = call_options(
        idempotency_key=request.get("idempotency_key") == "auto",
        deadline=None if deadline is None else deadline / 1000,
    )
    policy = policy_of(scenario.get("policy", {}))
    if "abort_after_ms" in request:
        return asyncio.run(_cancelled_call(scenario, url, content, options, policy))
    started = time.monotonic()
    with httpx.Client(transport=RetryTransport(policy=policy), timeout=30) as client:
        try:
            response = client.request(request["method"], url, content=content, extensions=options)
            raise_for_error(response)
        except APIError as error:
            return _line(scenario, started, "error", error.http_status, error)
        except APIConnectionError as error:
            return _line(scenario, started, "error", None, error)
        except httpx.HTTPError as error:  # not the client's own error: report what it is
            return _line(scenario, started, "error", None, None) | {
                "error": {"type": f"httpx.{type(error).__name__}", "code": None, "attempts": None}
            }
    return _line(scenario, started, "success", response.status_code, None)


async def _cancelled_call(
    scenario: dict[str, Any],
    url: str,
    content: bytes | None,
    options: dict[str, Any],
    policy: RetryPolicy,
) -> dict[str, Any]:
    transport = AsyncRetryTransport(policy=policy)
    started = time.monotonic()
    async with httpx.AsyncClient(transport=transport, timeout=30) as client:

        async def call() -> httpx.Response:
            method = scenario["request"]["method"]
            response = await client.request(method, url, content=content, extensions=options)
            raise_for_error(response)
            return response

        task = asyncio.create_task(call())
        asyncio.get_running_loop().call_later(
            scenario["request"]["abort_after_ms"] / 1000, task.cancel
        )
        try:
            response = await task
        except asyncio.CancelledError:
            return _line(scenario, started, "cancelled", None, None)
        except APIError as error:
            return _line(scenario, started, "error", error.http_status, error)
        except APIConnectionError as error:
            return _line(scenario, started, "error", None, error)
    return _line(scenario, started, "success", response.status_code, None)


def _line(
    scenario: dict[str, Any],
    started: float,
    outcome: str,
    status: int | None,
    error: APIError | APIConnectionError | None,
) -> dict[str, Any]:
    elapsed_ms = round((time.monotonic() - started) * 1000)
    described = None
    if isinstance(error, APIError):
        error_type = CASE_TYPES.get(type(error), "api_error")
        described = {"type": error_type, "code": error.code, "phase": None}
    elif error is not None:
        described = {"type": "connection", "code": None, "phase": error.phase}
    if described is not None and error is not None:
        described |= {"retryable": error.retryable, "attempts": error.attempts}
    return {
        "id": scenario["id"],
        "outcome": outcome,
        "status": status,
        "error": described,
        "stop_reason": None if error is None else error.stop_reason,
        "elapsed_ms": elapsed_ms,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("scenarios", type=Path)
    args = parser.parse_args(argv)
    try:
        scenarios = json.loads(args.scenarios.read_text(encoding="utf-8"))["scenarios"]
    except (OSError, ValueError, KeyError) as exc:
        print(f"{args.scenarios}: cannot read scenarios: {exc}", file=sys.stderr)
        return 2
    passed = failed = 0
    for scenario in scenarios:
        try:
            line = run_scenario(args.base_url, args.prefix, scenario)
        except Exception:  # the runner crashed on this scenario: report, go on
            traceback.print_exc()
            failed += 1
            continue
        print(json.dumps(line), flush=True)
        passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
