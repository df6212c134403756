import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ConnectionError,
  Retrier,
  RetryBudget,
  createFetch,
  decodeError,
  type VirtEngineError,
} from "@virtengine/errors";
import { respond, serve } from "./server.js";

const unavailable = (): never => {
  throw decodeError(503, {}, "");
};

test("per-call overrides, the onRetry hook and the debug logger", async () => {
  const reported: [number, string, number][] = [];
  const logged: string[] = [];
  const retrier = new Retrier({
    random: () => 0.5,
    sleep: async () => undefined,
    onRetry: (attempt, error, delay) => reported.push([attempt, error.constructor.name, delay]),
    logger: { debug: (message) => logged.push(message) },
  });
  const error = await retrier.call(async () => unavailable(), { maxAttempts: 4 }).catch((e: unknown) => e as VirtEngineError);
  assert.equal(error.attempts, 4);
  assert.deepEqual(
    reported.map(([attempt, name]) => [attempt, name]),
    [
      [2, "ExternalError"],
      [3, "ExternalError"],
      [4, "ExternalError"],
    ],
  );
  assert.equal(logged.length, 3);
  assert.match(logged[0] ?? "", /attempt 2 of 4/);
});

test("a connection error from the connect phase lets a POST be retried; a reset does not", async () => {
  const sendWith = (phase: "connect" | "reset") => async (): Promise<never> => {
    throw new ConnectionError(phase, phase);
  };
  const retrier = new Retrier({ random: () => 0, sleep: async () => undefined });
  const connect = await retrier.call(sendWith("connect"), { method: "POST" }).catch((e: unknown) => e as VirtEngineError);
  const reset = await retrier.call(sendWith("reset"), { method: "POST" }).catch((e: unknown) => e as VirtEngineError);
  assert.equal(connect.attempts, 3);
  assert.equal(reset.attempts, 1);
});

test("success refunds: one token after a first-try success, the retries' tokens after retries", async () => {
  const budget = new RetryBudget(500, 100);
  const retrier = new Retrier({ budget, random: () => 0, sleep: async () => undefined });
  await retrier.call(async () => "ok");
  assert.equal(budget.tokens, 101);
  let calls = 0;
  await retrier.call(async () => (++calls < 3 ? unavailable() : "ok"));
  assert.equal(budget.tokens, 101);
});

test("a Request object with a body is replayed with the same body", async () => {
  const server = await serve([respond(503), respond(200)]);
  try {
    const request = new Request(server.url, { method: "POST", body: "from a Request" });
    const response = await createFetch({ random: () => 0, policy: { baseDelayMs: 1 } })(request, { idempotencyKey: "k-1" });
    assert.equal(response.status, 200);
    assert.deepEqual(
      server.seen.map((s) => [s.method, s.body, s.headers["idempotency-key"]]),
      [
        ["POST", "from a Request", "k-1"],
        ["POST", "from a Request", "k-1"],
      ],
    );
  } finally {
    await server.close();
  }
});
