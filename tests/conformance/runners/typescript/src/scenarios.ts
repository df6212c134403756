/**
 * Live scenario runner for the TypeScript client: the real retrying `fetch` against the
 * shared loopback server (tests/conformance/live).
 *
 * Usage: node dist/scenarios.js --base-url URL --prefix LANG SCENARIO_FILE
 *
 * For each scenario: a fresh `createFetch` client (real clock, real timers, real random
 * jitter), one call to `URL/<prefix>/<scenario id>`, one JSON line
 * `{"id", "outcome", "status", "error"}`; then `N passed, N failed` (a scenario passes
 * when the runner itself did not crash on it).
 */

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { APIError, ConnectionError, ERROR_TYPES, createFetch, type RetryPolicy } from "@virtengine/errors";

interface Scenario {
  readonly id: string;
  readonly request: { readonly method: string; readonly idempotency_key: "auto" | "none"; readonly body?: string };
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
  const { method, body, idempotency_key: key } = scenario.request;
  const url = `${baseUrl.replace(/\/+$/, "")}/${prefix}/${scenario.id}`;
  try {
    const response = await api(url, {
      method,
      ...(body === undefined ? {} : { body }),
      ...(key === "auto" ? { idempotencyKey: true as const } : {}),
    });
    await response.arrayBuffer();
    return { id: scenario.id, outcome: "success", status: response.status, error: null };
  } catch (error) {
    if (error instanceof APIError) {
      const type = CATEGORY_OF_TYPE.get(error.constructor) ?? "api_error";
      const described = { type, code: error.code, retryable: error.retryable, attempts: error.attempts };
      return { id: scenario.id, outcome: "error", status: error.httpStatus, error: described };
    }
    if (error instanceof ConnectionError) {
      const described = { type: "connection", code: null, retryable: error.retryable, attempts: error.attempts };
      return { id: scenario.id, outcome: "error", status: null, error: described };
    }
    throw error;
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
