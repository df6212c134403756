/**
 * Property tests (issue 8): the decoder never throws whatever the response, and the
 * retry helper keeps its invariants whatever the attempts meet. RUNS inputs each.
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
  type VirtEngineError,
} from "@virtengine/errors";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 10_000);

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
const body = fc.oneof(
  members.map((m) => JSON.stringify({ error: m })),
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
    "content-type": fc.oneof(fc.constantFrom("application/json", "application/problem+json", "text/html"), fc.string()),
    "retry-after": headerValue,
    "retry-after-ms": headerValue,
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
      assert.ok(error.envelope || (error.code === null && error.number === null));
      const expected = (error.category === null ? undefined : ERROR_TYPES.get(error.category)) ?? APIError;
      assert.equal(error.constructor, expected);
      // The text is the message, after the code when there is one; a problem whose title is
      // "" has an empty message (the contract takes detail, else title, as given).
      assert.equal(String(error), error.code === null ? error.errorMessage : `${error.code}: ${error.errorMessage}`);
      assert.ok(error.envelope || error.errorMessage.startsWith(`HTTP ${status}`));
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
      fc.option(fc.nat(100_000)),
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
