/**
 * Live scenario runner for the TypeScript client: the real retrying `fetch` against the
 * shared loopback server (tests/conformance/live).
 *
 * Usage: node dist/scenarios.js --base-url URL --prefix LANG SCENARIO_FILE
 *
 * For each scenario: a fresh `createFetch` client (real clock, real timers, real random
 * jitter), one call to `URL/<prefix>/<scenario id>`, one JSON line
 * `{"id", "outcome", "status", "error", "stop_reason", "elapsed_ms"}`; then
 * `N passed, N failed` (a scenario passes when the runner itself did not crash on it).
 *
 * The request's `deadline_ms` is the call's `deadlineMs`; with `abort_after_ms` the call's
 * `signal` is aborted after that long, and the outcome is `cancelled` when the call rejects
 * with the signal's reason.
 */

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { APIError, ConnectionError, ERROR_TYPES, createFetch, type RetryPolicy } from "@virtengine/errors";

interface Scenario {
  readonly id: string;
  readonly request: {
    readonly method: string;
    readonly idempotency_key: "auto" | "none";
    readonly body?: string;
    readonly deadline_ms?: number;
    readonly abort_after_ms?: number;
  };
  readonly policy?: Record<string, number | boolean>;
}

const POLICY_NAMES: Record<string, keyof RetryPolicy> = {
  base_delay_ms: "baseDelayMs",
  throttle_base_delay_ms: "throttleBaseDelayMs",
  max_delay_ms: "maxDelayMs",
  max_retry_after_ms: "maxRetryAfterMs",
  max_attempts: "maxAttempts",
  budget: "budget",
  deadline_ms: "deadlineMs",
};
const CATEGORY_OF_TYPE = new Map<unknown, string>([...ERROR_TYPES].map(([category, type]) => [type, category]));

function policyOf(policy: Record<string, number | boolean>): Partial<RetryPolicy> {
  return Object.fromEntries(
    Object.entries(policy).flatMap(([key, value]) => (POLICY_NAMES[key] ? [[POLICY_NAMES[key], value]] : [])),
  ) as Partial<RetryPolicy>;
}

async function runScenario(baseUrl: string, prefix: string, scenario: Scenario): Promise<object> {
  const api = createFetch({ policy: policyOf(scenario.policy ?? {}) });
  const { method, body, idempotency_key: key, deadline_ms: deadlineMs, abort_after_ms: abortAfterMs } = scenario.request;
  const url = `${baseUrl.replace(/\/+$/, "")}/${prefix}/${scenario.id}`;
  const controller = new AbortController();
  const started = performance.now();
  const line = (outcome: string, status: number | null, error: object | null, stopReason: string | null): object => ({
    id: scenario.id,
    outcome,
    status,
    error,
    stop_reason: stopReason,
    elapsed_ms: Math.round(performance.now() - started),
  });
  const timer = abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), abortAfterMs);
  try {
    const response = await api(url, {
      method,
      signal: controller.signal,
      ...(body === undefined ? {} : { body }),
      ...(key === "auto" ? { idempotencyKey: true as const } : {}),
      ...(deadlineMs === undefined ? {} : { deadlineMs }),
    });
    await response.arrayBuffer();
    return line("success", response.status, null, null);
  } catch (error) {
    if (controller.signal.aborted && error === controller.signal.reason) {
      return line("cancelled", null, null, null);
    }
    if (error instanceof APIError) {
      const type = CATEGORY_OF_TYPE.get(error.constructor) ?? "api_error";
      const described = { type, code: error.code, phase: null, retryable: error.retryable, attempts: error.attempts };
      return line("error", error.httpStatus, described, error.stopReason);
    }
    if (error instanceof ConnectionError) {
      const described = { type: "connection", code: null, phase: error.phase, retryable: error.retryable, attempts: error.attempts };
      return line("error", null, described, error.stopReason);
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { "base-url": { type: "string" }, prefix: { type: "string" } },
    allowPositionals: true,
  });
  const baseUrl = values["base-url"];
  const prefix = values.prefix;
  const file = positionals[0];
  if (baseUrl === undefined || prefix === undefined || file === undefined) {
    console.error("usage: scenarios.js --base-url URL --prefix LANG SCENARIO_FILE");
    return 2;
  }
  let scenarios: Scenario[];
  try {
    scenarios = (JSON.parse(readFileSync(file, "utf8")) as { scenarios: Scenario[] }).scenarios;
  } catch (error) {
    console.error(`${file}: cannot read scenarios: ${String(error)}`);
    return 2;
  }
  let passed = 0;
  let failed = 0;
  for (const scenario of scenarios) {
    try {
      console.log(JSON.stringify(await runScenario(baseUrl, prefix, scenario)));
      passed += 1;
    } catch (error) {
      console.error(`${scenario.id}: the runner crashed:`, error);
      failed += 1;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
