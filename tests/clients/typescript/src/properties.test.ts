/**
 * Property tests (issues 8 and 14): the decoder never throws whatever the response (in
 * every shape the servers send), a transaction body never makes `errorFromTxResponse`
 * throw, and the retry helper keeps its invariants whatever the attempts meet. RUNS
 * inputs each.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import {
  APIError,
  ConnectionError,
  ERROR_TYPES,
  Retrier,
  RetryBudget,
  decodeError,
  errorFromTxResponse,
  type VirtEngineError,
} from "@virtengine/errors";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 10_000);
const SHAPES = new Set(["envelope", "problem", "grpc_gateway", "error_member", "text", "none"]);

const jsonValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string(), { maxKeys: 3 }),
);
const members = fc.record(
  {
    code: fc.oneof(fc.constantFrom("veid:1036", "waldur:650", "veid:01036", "a:b:7", ":", "constructor"), fc.string(), jsonValue),
    message: jsonValue,
    category: fc.oneof(fc.constantFrom(...ERROR_TYPES.keys(), "__proto__", "toString"), jsonValue),
    severity: jsonValue,
    retryable: jsonValue,
    context: fc.oneof(jsonValue, fc.record({ reset_at: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())) })),
    type: jsonValue,
    status: jsonValue,
    title: jsonValue,
    detail: jsonValue,
  },
  { requiredKeys: [] },
);
/** The gateway's message: an SDK `codespace`, a Go `rpc error` prefix, a code prefix, or noise. */
const gatewayMessage = fc.oneof(
  fc.tuple(fc.constantFrom("veid", "sdk", "foo", "a/b", "", "x y"), fc.oneof(fc.nat(), fc.string()), fc.string()).map(
    ([module, number, rest]) => `codespace ${module} code ${number}${rest}`,
  ),
  fc.tuple(fc.constantFrom("NotFound", "Unavailable", "", "9"), fc.string()).map(([name, rest]) => `rpc error: code = ${name} desc = ${rest}`),
  fc.tuple(fc.constantFrom("veid:1036", "veid:01036", "nli:980", "a:b:7", ":1", "veid:"), fc.string()).map(([code, rest]) => `${code}: ${rest}`),
  fc.string(),
);
const gateway = fc.record(
  {
    code: fc.oneof(fc.integer({ min: -2, max: 20 }), fc.double(), jsonValue),
    message: fc.oneof(gatewayMessage, jsonValue),
    details: jsonValue,
  },
  { requiredKeys: [] },
);
const errorMember = fc.record(
  {
    error: fc.oneof(gatewayMessage, jsonValue),
    message: fc.oneof(gatewayMessage, jsonValue),
    limit: jsonValue,
    reset_at: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
    ["__proto__"]: jsonValue,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  members.map((m) => JSON.stringify({ error: m })),
  gateway.map((m) => JSON.stringify(m)),
  errorMember.map((m) => JSON.stringify(m)),
  gatewayMessage,
  fc.string({ unit: "binary", maxLength: 1500 }),
  members.map((m) => JSON.stringify(m)),
  fc.string(),
  fc.uint8Array({ maxLength: 200 }),
  fc.nat(3000).map((depth) => "[".repeat(depth) + "{".repeat(depth)),
  fc.nat(20000).map((depth) => '{"error":' + '{"a":'.repeat(depth) + "1" + "}".repeat(depth + 1)),
);
const headerValue = fc.oneof(
  fc.string(),
  fc.constantFrom("1", "0.5", "-1", "1e3", "NaN", "Infinity", "1000000000000", "Wed, 21 Oct 2015 07:28:00 GMT"),
  fc.double().map(String),
);
const headers = fc.record(
  {
    "content-type": fc.oneof(
      fc.constantFrom("application/json", "application/problem+json", "text/html", "text/plain", " Text/Plain ; charset=utf-8"),
      fc.string(),
    ),
    "retry-after": headerValue,
    "retry-after-ms": headerValue,
    "x-ratelimit-reset": fc.oneof(headerValue, fc.constantFrom("999999999", "1000000000", "1767225645")),
    "x-request-id": fc.string(),
  },
  { requiredKeys: [] },
);

test(`the decoder returns an API error for any response (${RUNS} inputs)`, () => {
  fc.assert(
    fc.property(fc.integer({ min: 400, max: 999 }), headers, body, fc.nat(512), (status, head, raw, cap) => {
      const error = decodeError(status, head, raw, { now: 0, maxBodyBytes: cap });
      assert.ok(error instanceof APIError);
      assert.equal(error.httpStatus, status);
      // Each byte kept gives at most one UTF-16 unit (invalid bytes become U+FFFD).
      assert.ok(error.rawBody.length <= cap);
      assert.ok(error.retryAfterMs === null || (Number.isFinite(error.retryAfterMs) && error.retryAfterMs >= 0));
      assert.equal(typeof error.retryable, "boolean");
      assert.equal(typeof error.severity, "string");
      assert.equal(error.envelope, error.shape === "envelope" || error.shape === "problem");
      assert.ok(SHAPES.has(error.shape), error.shape);
      if (error.shape === "none") {
        assert.ok(error.code === null && error.number === null && error.context === null);
        assert.ok(error.errorMessage.startsWith(`HTTP ${status}`));
      } else if (!error.envelope && error.code !== null) {
        // A code found in a text is `module:digits`, split at its last colon.
        assert.match(error.code, /^[A-Za-z0-9_./-]+:[0-9]+$/);
        assert.equal(error.code, `${error.module ?? ""}:${error.code.slice(error.code.lastIndexOf(":") + 1)}`);
      }
      if (error.shape === "text") {
        assert.ok([...error.errorMessage].length <= 1000);
        assert.equal(error.context, null);
      }
      const expected = (error.category === null ? undefined : ERROR_TYPES.get(error.category)) ?? APIError;
      assert.equal(error.constructor, expected);
      // The text is the message, after the code when there is one; a problem whose title is
      // "" has an empty message (the contract takes detail, else title, as given).
      assert.equal(String(error), error.code === null ? error.errorMessage : `${error.code}: ${error.errorMessage}`);
    }),
    { numRuns: RUNS },
  );
});

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

test(`a transaction body never makes errorFromTxResponse throw (${RUNS} inputs)`, () => {
  const txResponse = fc.record(
    { code: fc.oneof(fc.nat(), fc.constantFrom(-1, 0, 0xffffffff, 2 ** 32, 1036.5), jsonValue), codespace: jsonValue, raw_log: fc.oneof(gatewayMessage, jsonValue) },
    { requiredKeys: [] },
  );
  const txBody = fc.oneof(
    txResponse.map((tx) => JSON.stringify({ tx_response: tx })),
    jsonValue.map((value) => JSON.stringify({ tx_response: value })),
    fc.string(),
  );
  fc.assert(
    fc.property(txBody, (raw) => {
      const error = errorFromTxResponse(raw);
      const code = (parseOrNull(raw) as { tx_response?: { code?: unknown } } | null)?.tx_response?.code;
      // An error exactly when the body holds an ABCI code: a whole number in 1..2^32-1.
      assert.equal(error !== undefined, typeof code === "number" && Number.isInteger(code) && code >= 1 && code <= 0xffffffff);
      if (error !== undefined) {
        assert.ok(error instanceof APIError);
        assert.equal(error.shape, "abci");
        assert.equal(error.httpStatus, null);
        assert.ok(error.code?.endsWith(`:${String(code)}`));
        assert.deepEqual(errorFromTxResponse(new TextEncoder().encode(raw)), error);
      }
    }),
    { numRuns: RUNS },
  );
});

test(`the raw body kept never exceeds the cap in bytes (${RUNS} inputs)`, () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (bytes, cap) => {
      const error = decodeError(500, {}, bytes, { maxBodyBytes: cap });
      // Invalid UTF-8 becomes U+FFFD, so count what came in, not what is kept.
      assert.ok(error.rawBody.length <= Math.min(bytes.length, cap));
    }),
    { numRuns: RUNS },
  );
});

type Step = { kind: "status"; status: number; retryAfter: string | null } | { kind: "connection"; phase: "connect" | "reset" | "timeout" };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant("status" as const),
    status: fc.constantFrom(200, 400, 404, 408, 409, 429, 500, 502, 503, 504, 599),
    retryAfter: fc.option(fc.constantFrom("0", "0.01", "1", "30", "61", "1000000000000", "junk")),
  }),
  fc.record({ kind: fc.constant("connection" as const), phase: fc.constantFrom("connect" as const, "reset" as const, "timeout" as const) }),
);

test(`the retry helper keeps its invariants (${RUNS} inputs)`, async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(step, { minLength: 1, maxLength: 8 }),
      fc.constantFrom("GET", "POST", "PATCH", "PUT"),
      fc.boolean(),
      fc.integer({ min: 1, max: 6 }),
      fc.nat(500),
      fc.option(fc.integer({ min: 1, max: 100_000 })),
      async (steps, method, keyed, maxAttempts, tokens, deadline) => {
        let now = 0;
        let sent = 0;
        const sleeps: number[] = [];
        const budget = new RetryBudget(500, tokens);
        const retrier = new Retrier({
          policy: { maxAttempts, deadlineMs: deadline },
          budget,
          random: () => 0.999,
          clock: () => now,
          onRetry: (_, error, delay) => {
            // Never sooner than a server hint it honours.
            const hint = error instanceof APIError ? (error.retryAfterMs ?? 0) : 0;
            assert.ok(delay >= hint, `slept ${delay} ms under a hint of ${hint} ms`);
          },
          sleep: async (ms) => {
            sleeps.push(ms);
            now += ms;
          },
        });
        const send = async (attempt: number): Promise<number> => {
          sent = attempt;
          const current = steps[Math.min(attempt, steps.length) - 1] as Step;
          if (current.kind === "connection") {
            throw new ConnectionError(current.phase, current.phase);
          }
          if (current.status < 400) {
            return current.status;
          }
          throw decodeError(current.status, current.retryAfter === null ? {} : { "retry-after": current.retryAfter }, "", { now });
        };
        let failure: VirtEngineError | undefined;
        try {
          await retrier.call(send, { method, idempotencyKey: keyed });
        } catch (error) {
          failure = error as VirtEngineError;
        }
        assert.ok(sent >= 1 && sent <= maxAttempts);
        assert.equal(sleeps.length, sent - 1);
        assert.ok(sleeps.every((ms) => Number.isFinite(ms) && ms >= 0 && ms <= retrier.policy.maxRetryAfterMs + retrier.policy.maxDelayMs));
        assert.ok(budget.tokens >= 0 && budget.tokens <= 500);
        if (deadline !== null) {
          assert.ok(now <= deadline);
        }
        if (failure !== undefined) {
          assert.equal(failure.attempts, sent);
          assert.notEqual(failure.stopReason, null);
          assert.equal(failure.history.length, sent);
          assert.deepEqual(
            failure.history.map((entry) => entry.delayMs),
            [0, ...sleeps],
          );
        }
        const first = steps[0] as Step;
        const unsafeFirst =
          !keyed && (method === "POST" || method === "PATCH") && first.kind === "status" && first.status >= 400 && first.status !== 429;
        if (unsafeFirst) {
          assert.equal(sent, 1);
        }
      },
    ),
    { numRuns: RUNS },
  );
});
