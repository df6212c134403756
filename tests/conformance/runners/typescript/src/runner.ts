/**
 * The TypeScript conformance runner (tests/conformance/FORMAT.md "Runners"): `node dist/runner.js FILE...`
 * runs every case through the package's public API, prints one JSON line per case and
 * `N passed, N failed`; exits non-zero if a case failed or a file could not be read.
 */

import { readFileSync } from "node:fs";
import {
  APIError,
  ConnectionError,
  decodeError,
  errorFromAbci,
  errorFromTxResponse,
  RequestError,
  Retrier,
  RetryBudget,
  type AttemptContext,
  type AttemptRecord,
  type ConnectionPhase,
  type RetryPolicy,
} from "@virtengine/errors";
import { mismatches, type Json } from "./compare.js";
import { errorGot, lookupGot, sentinelsGot } from "./report.js";

const DEFAULT_NOW = "2026-01-01T00:00:00Z";

/** The case could not run as written (e.g. the helper sent more attempts than listed). */
class CaseError extends Error {}

type Case = Record<string, any>;

interface ResponseParts {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

function responseParts(response: Case): ResponseParts {
  const body =
    typeof response.body_base64 === "string"
      ? new Uint8Array(Buffer.from(response.body_base64, "base64"))
      : new TextEncoder().encode(response.body ?? "");
  return { status: response.status, headers: { ...(response.headers ?? {}) }, body };
}

function epochMs(text: string): number {
  return Date.parse(text);
}

function runDecode(testCase: Case): Json {
  const { status, headers, body } = responseParts(testCase.response);
  return errorGot(decodeError(status, headers, body, { now: epochMs(testCase.now ?? DEFAULT_NOW) }));
}

/** A transaction result's error (FORMAT.md, kinds `abci` and `tx_response`). */
function transactionGot(error: APIError | undefined): Json {
  return error === undefined ? { outcome: "none", error: null } : { outcome: "error", error: errorGot(error) };
}

function runAbci(testCase: Case): Json {
  const { codespace, code, log } = testCase;
  if (typeof codespace !== "string" || !Number.isInteger(code) || typeof log !== "string") {
    throw new CaseError("an abci case needs a string codespace, an integer code and a string log");
  }
  return transactionGot(errorFromAbci(codespace, code, log));
}

function runTxResponse(testCase: Case): Json {
  if (typeof testCase.body !== "string") {
    throw new CaseError("a tx_response case needs a string body");
  }
  return transactionGot(errorFromTxResponse(testCase.body));
}

const DEFAULT_URL = "https://api.virtengine.test/v1/resource";
const ANSWERS: Record<string, boolean | undefined> = { retry: true, stop: false, default: undefined };

/** What the case's on_retry hook throws. */
class HookFailure extends Error {}

/** The injected world of one retry case: draws, a clock moved by sleeps and attempts, attempts. */
class Simulation {
  readonly start: number;
  now: number;
  readonly sleeps: number[] = [];
  readonly budgets: (number | null)[] = [];
  sent = 0;
  #draw = 0;
  #answer = 0;
  readonly controller = new AbortController();

  constructor(readonly testCase: Case) {
    this.start = epochMs(testCase.now ?? DEFAULT_NOW);
    this.now = this.start;
  }

  random = (): number => {
    const draws: unknown[] = this.testCase.random ?? [];
    if (this.#draw >= draws.length) {
      throw new CaseError("the helper drew more random numbers than listed");
    }
    return Number(draws[this.#draw++]);
  };

  clock = (): number => this.now;

  sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
    this.sleeps.push(ms);
    const cancelMs: number | undefined = this.testCase.cancel_after_ms;
    if (cancelMs !== undefined && this.now + ms >= this.start + cancelMs) {
      this.now = Math.max(this.now, this.start + cancelMs);
      this.controller.abort();
      throw signal?.reason ?? this.controller.signal.reason;
    }
    this.now += ms;
  };

  shouldRetry = (): boolean | undefined => {
    const answers: string[] = this.testCase.should_retry;
    if (this.#answer >= answers.length) {
      throw new CaseError("the helper asked should_retry more often than listed");
    }
    return ANSWERS[answers[this.#answer++] ?? "default"];
  };

  onRetry = (attempt: number): void => {
    if (this.testCase.on_retry_raises) {
      throw new HookFailure(`on_retry refuses attempt ${attempt}`);
    }
  };

  send = async (attempt: number, context: AttemptContext): Promise<string> => {
    const attempts: Case[] = this.testCase.attempts;
    if (attempt > attempts.length) {
      throw new CaseError(`the helper sent attempt ${attempt}; the case lists ${attempts.length}`);
    }
    this.sent = attempt;
    this.budgets.push(context.budgetMs);
    const step = attempts[attempt - 1] ?? {};
    if (step.request_error === true) {
      throw new RequestError('unsupported URL scheme "ftp:"');
    }
    const takes = Number(step.takes_ms ?? 0);
    if (context.budgetMs !== null && takes > context.budgetMs) {
      // The attempt outlives its budget: the transport's timeout at the deadline.
      this.now += context.budgetMs;
      throw new ConnectionError("timeout", "timeout");
    }
    this.now += takes;
    if (typeof step.connection_error === "string") {
      const phase = step.connection_error as ConnectionPhase;
      throw new ConnectionError(phase, phase);
    }
    const { status, headers, body } = responseParts(step.response);
    if (status < 400) {
      return "ok";
    }
    throw decodeError(status, headers, body, { now: this.now });
  };
}

function retryPolicy(policy: Case): Partial<RetryPolicy> {
  const names: Record<string, keyof RetryPolicy> = {
    base_delay_ms: "baseDelayMs",
    throttle_base_delay_ms: "throttleBaseDelayMs",
    max_delay_ms: "maxDelayMs",
    max_retry_after_ms: "maxRetryAfterMs",
    max_attempts: "maxAttempts",
    budget: "budget",
    deadline_ms: "deadlineMs",
  };
  return Object.fromEntries(
    Object.entries(policy).flatMap(([key, value]) => (names[key] ? [[names[key], value]] : [])),
  ) as Partial<RetryPolicy>;
}

function historyGot(history: readonly AttemptRecord[]): Json {
  return history.map((entry): Json =>
    entry.phase === null ? { status: entry.status, delay_ms: entry.delayMs } : { phase: entry.phase, delay_ms: entry.delayMs },
  );
}

async function runRetry(testCase: Case): Promise<Json> {
  const world = new Simulation(testCase);
  const budget = new RetryBudget(undefined, testCase.budget_tokens ?? undefined);
  const retrier = new Retrier({
    policy: retryPolicy(testCase.policy ?? {}),
    budget,
    random: world.random,
    clock: world.clock,
    sleep: world.sleep,
    onRetry: world.onRetry,
    ...(Array.isArray(testCase.should_retry) ? { shouldRetry: world.shouldRetry } : {}),
  });
  const request: Case = testCase.request;
  let outcome = "success";
  let error: Json = null;
  let stopReason: Json = null;
  let history: Json = null;
  let sentinels: Json = null;
  try {
    await retrier.call(world.send, {
      method: request.method,
      url: request.url ?? DEFAULT_URL,
      headers: request.headers ?? {},
      idempotencyKey: Boolean(request.idempotency_key),
      replayable: request.body_replayable !== false,
      signal: world.controller.signal,
    });
  } catch (thrown) {
    if (thrown instanceof CaseError) {
      throw thrown;
    }
    if (world.controller.signal.aborted && thrown === world.controller.signal.reason) {
      outcome = "cancelled";
      sentinels = sentinelsGot(thrown);
    } else if (thrown instanceof APIError || thrown instanceof ConnectionError) {
      outcome = "error";
      error = { ...(errorGot(thrown) as Record<string, Json>), attempts: thrown.attempts };
      stopReason = thrown.stopReason;
      history = historyGot(thrown.history);
    } else if (thrown instanceof HookFailure || (thrown instanceof RequestError && !thrown.requestSent)) {
      outcome = "raised";
    } else {
      throw thrown;
    }
  }
  return {
    outcome,
    attempts: world.sent,
    sleeps_ms: world.sleeps,
    error,
    budget_tokens_after: budget.tokens,
    stop_reason: stopReason,
    history,
    attempt_budgets_ms: world.budgets,
    sentinels,
  };
}

async function runCase(testCase: Case): Promise<[Json, string[]]> {
  let got: Json;
  switch (testCase.kind) {
    case "lookup":
      got = lookupGot(testCase.code);
      break;
    case "decode":
      got = runDecode(testCase);
      break;
    case "abci":
      got = runAbci(testCase);
      break;
    case "tx_response":
      got = runTxResponse(testCase);
      break;
    case "retry":
      got = await runRetry(testCase);
      break;
    default:
      throw new CaseError(`unknown kind ${JSON.stringify(testCase.kind)}`);
  }
  return [got, mismatches(testCase.expect, got)];
}

async function runFile(path: string): Promise<[number, number]> {
  const document = JSON.parse(readFileSync(path, "utf8")) as { cases: Case[] };
  let passed = 0;
  let failed = 0;
  for (const testCase of document.cases) {
    let got: Json = {};
    let why: string[];
    try {
      [got, why] = await runCase(testCase);
    } catch (error) {
      why = [error instanceof Error ? error.message : String(error)];
    }
    const ok = why.length === 0;
    passed += ok ? 1 : 0;
    failed += ok ? 0 : 1;
    console.log(JSON.stringify({ id: testCase.id, pass: ok, got, why: why.join("; ") }));
  }
  return [passed, failed];
}

async function main(files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error("usage: runner.js FILE...");
    return 2;
  }
  let passed = 0;
  let failed = 0;
  let unreadable = false;
  for (const file of files) {
    try {
      const [filePassed, fileFailed] = await runFile(file);
      passed += filePassed;
      failed += fileFailed;
    } catch (error) {
      console.error(`${file}: cannot read vectors: ${error instanceof Error ? error.message : String(error)}`);
      unreadable = true;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 || unreadable ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
