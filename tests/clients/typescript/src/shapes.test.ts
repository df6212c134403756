/**
 * Issue 14: what the platform's servers really send, through `createFetch` and Node's
 * fetch against a loopback server. The chain's REST gateway, the rate-limit middleware,
 * the provider portal and `http.Error` plain text all become the same typed errors as
 * the envelope; a failed transaction (HTTP 200) resolves, and `errorFromTxResponse`
 * gives its typed error.
 */

import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  APIError,
  Codes,
  ExternalError,
  InternalError,
  NotFoundError,
  RateLimitError,
  StateError,
  createFetch,
  errorFromAbci,
  errorFromTxResponse,
  hasCode,
  type FetchClientOptions,
} from "@virtengine/errors";
import { respond, serve, type Reply, type Scripted } from "./server.js";

const servers: Scripted[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function scripted(...replies: Reply[]): Promise<Scripted> {
  const server = await serve(replies);
  servers.push(server);
  return server;
}

/** Fast delays and draws of 0.5, so that hints are visible in the delays. */
const fast = (options: FetchClientOptions = {}) =>
  createFetch({ random: () => 0.5, ...options, policy: { baseDelayMs: 10, throttleBaseDelayMs: 10, ...options.policy } });

const json = { "content-type": "application/json" };

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail("the call resolved"),
    (error: unknown) => error,
  );
}

test("gateway 500 with a registered module error: the registry's typed error, retried", async () => {
  const body = JSON.stringify({ code: 2, message: "codespace veid code 1036: ML inference failed: model scorer-v2", details: [] });
  const server = await scripted(respond(500, body, json));
  const retried: unknown[] = [];
  const error = await rejection(fast({ onRetry: (_, e) => retried.push(e) })(server.url));
  // The registry files veid:1036 under external (it wraps the ML scorer sidecar call).
  assert.ok(error instanceof ExternalError);
  assert.equal(error.category, "external");
  assert.ok(hasCode(error, Codes.VEID_ML_INFERENCE_FAILED));
  assert.equal(error.number, 1036);
  assert.equal(error.errorMessage, "ML inference failed: model scorer-v2");
  assert.equal(String(error), "veid:1036: ML inference failed: model scorer-v2");
  assert.equal(error.severity, "error");
  // 500 alone is not retryable; the registry says veid:1036 is, so the GET is sent 3 times.
  assert.equal(error.retryable, true);
  assert.equal(error.shape, "grpc_gateway");
  assert.equal(error.envelope, false);
  assert.equal(error.httpStatus, 500);
  assert.equal(error.attempts, 3);
  assert.equal(server.seen.length, 3);
  assert.equal(retried.length, 2);
});

test("gateway 404 from a plain gRPC NotFound status: NotFoundError without a code, not retried", async () => {
  const body = JSON.stringify({ code: 5, message: "rpc error: code = NotFound desc = account cosmos1xyz not found", details: [] });
  const server = await scripted(respond(404, body, { ...json, "x-request-id": "req-9" }));
  const error = await rejection(fast()(server.url));
  assert.ok(error instanceof NotFoundError);
  assert.equal(error.code, null);
  assert.equal(error.errorMessage, "account cosmos1xyz not found");
  assert.equal(error.retryable, false);
  assert.equal(error.requestId, "req-9");
  assert.equal(error.shape, "grpc_gateway");
  assert.equal(server.seen.length, 1);
});

test("gateway FailedPrecondition answered with 400: StateError from the gRPC code, not ValidationError", async () => {
  const server = await scripted(respond(400, JSON.stringify({ code: 9, message: "order closed" }), json));
  const error = await rejection(fast()(server.url));
  assert.ok(error instanceof StateError);
  assert.equal(error.category, "state");
  assert.equal(error.httpStatus, 400);
  assert.equal(error.retryable, false);
});

test("rate-limit middleware 429: RateLimitError, context kept, X-RateLimit-Reset honoured for a POST", async () => {
  const limited = respond(
    429,
    JSON.stringify({
      error: "rate_limit_exceeded",
      message: "rate limit exceeded: 100 requests per minute",
      limit: 100,
      remaining: 0,
      reset_at: "2000-01-01T00:00:00Z",
      retry_after: 1,
    }),
    { ...json, "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "0.06" },
  );
  const server = await scripted(limited, respond(201, "{}", json));
  const seen: { error: unknown; delay: number }[] = [];
  const started = Date.now();
  const response = await fast({ onRetry: (_, error, delay) => seen.push({ error, delay }) })(server.url, {
    method: "POST",
    body: "{}",
  });
  assert.equal(response.status, 201);
  assert.equal(server.seen.length, 2);
  assert.ok(Date.now() - started >= 55);
  const [retry] = seen;
  assert.ok(retry);
  const { error, delay } = retry;
  assert.ok(error instanceof RateLimitError);
  assert.equal(delay, 60); // the header's 0.06 s, not the backoff, not the past reset_at
  assert.equal(error.retryAfterMs, 60);
  assert.equal(error.code, null);
  assert.equal(error.errorMessage, "rate limit exceeded: 100 requests per minute");
  assert.deepEqual(error.context, { limit: 100, remaining: 0, reset_at: "2000-01-01T00:00:00Z", retry_after: 1 });
  assert.equal(error.shape, "error_member");
});

test("rate-limit middleware 429 when retries run out: the last RateLimitError with its hint", async () => {
  const body = JSON.stringify({ error: "rate_limit_exceeded", message: "slow down" });
  const server = await scripted(respond(429, body, { ...json, "retry-after": "0.01", "x-ratelimit-reset": "45" }));
  const error = await rejection(fast({ policy: { maxAttempts: 2 } })(server.url));
  assert.ok(error instanceof RateLimitError);
  assert.equal(error.retryable, true);
  assert.equal(error.retryAfterMs, 10); // Retry-After comes before X-RateLimit-Reset
  assert.equal(error.attempts, 2);
});

test('portal `{"error": "<text>"}`: the status decides the class, the text is the message', async () => {
  const server = await scripted(respond(404, JSON.stringify({ error: "deployment not found" }), json));
  const error = await rejection(fast()(server.url));
  assert.ok(error instanceof NotFoundError);
  assert.equal(String(error), "deployment not found");
  assert.equal(error.context, null);
  assert.equal(error.retryable, false);
  assert.equal(error.shape, "error_member");
  assert.equal(server.seen.length, 1);
});

test("plain-text http.Error bodies: the text is the message, a code prefix gives the registry's error", async () => {
  const text = { "content-type": "text/plain; charset=utf-8" };
  const server = await scripted(respond(404, "scope not found\n", text), respond(500, "veid:1036: ML inference failed\n", text));
  const api = fast({ policy: { maxAttempts: 1 } });

  const notFound = await rejection(api(server.url));
  assert.ok(notFound instanceof NotFoundError);
  assert.equal(notFound.errorMessage, "scope not found");
  assert.equal(notFound.code, null);
  assert.equal(notFound.shape, "text");
  assert.equal(notFound.rawBody, "scope not found\n");

  const coded = await rejection(api(server.url));
  assert.ok(coded instanceof ExternalError);
  assert.equal(coded.code, "veid:1036");
  assert.equal(coded.errorMessage, "ML inference failed");
  assert.equal(coded.retryable, true);
  assert.equal(coded.shape, "text");
});

test("plain-text 503 from a proxy is retried like any external error", async () => {
  const unavailable = respond(503, "upstream connect error or disconnect/reset before headers\n", { "content-type": "text/plain" });
  const server = await scripted(unavailable, respond(200, "ok"));
  const errors: unknown[] = [];
  const response = await fast({ onRetry: (_, error) => errors.push(error) })(server.url);
  assert.equal(response.status, 200);
  const [first] = errors;
  assert.ok(first instanceof ExternalError);
  assert.equal(first.errorMessage, "upstream connect error or disconnect/reset before headers");
});

test("a failed transaction answered with HTTP 200 resolves; errorFromTxResponse gives the typed error", async () => {
  const failed = {
    tx_response: {
      height: "0",
      txhash: "AB12",
      codespace: "veid",
      code: 1036,
      raw_log: "ML inference failed",
      gas_wanted: "200000",
      gas_used: "51234",
    },
  };
  const server = await scripted(respond(200, JSON.stringify(failed), json));
  const response = await fast()(`${server.url}cosmos/tx/v1beta1/txs`, { method: "POST", body: "{}" });
  assert.equal(response.status, 200);
  assert.equal(server.seen.length, 1);
  const text = await response.text();

  const error = errorFromTxResponse(text);
  assert.ok(error instanceof ExternalError);
  assert.ok(hasCode(error, "veid:1036"));
  assert.equal(String(error), "veid:1036: ML inference failed");
  assert.equal(error.retryable, true);
  assert.equal(error.severity, "error");
  assert.equal(error.httpStatus, null);
  assert.equal(error.shape, "abci");
  assert.equal(error.envelope, false);
  assert.equal(error.rawBody, text);
  // The same from bytes and from the parsed body.
  assert.deepEqual(errorFromTxResponse(new TextEncoder().encode(text)), error);
  assert.equal(String(errorFromTxResponse(JSON.parse(text) as Record<string, unknown>)), String(error));
});

test("a successful transaction gives no error", () => {
  assert.equal(errorFromTxResponse('{"tx_response":{"codespace":"","code":0,"raw_log":""}}'), undefined);
  assert.equal(errorFromTxResponse({ tx_response: { code: 0 } }), undefined);
  assert.equal(errorFromAbci("veid", 0, "ok"), undefined);
});

test("errorFromAbci: registry classes, the SDK's undefined codespace, unknown codes", () => {
  const sequence = errorFromAbci("sdk", 32, "account sequence mismatch, expected 12, got 11: incorrect account sequence");
  assert.ok(sequence instanceof StateError);
  assert.equal(sequence.retryable, false);

  const blank = errorFromAbci("veid", 1019, "  \n");
  assert.ok(blank instanceof NotFoundError);
  assert.equal(blank.errorMessage, "scope not found");

  const unnamed = errorFromAbci("", 1, "internal error");
  assert.equal(unnamed?.code, "undefined:1");
  assert.ok(unnamed instanceof InternalError);

  const unknown = errorFromAbci("foo", 7, "");
  assert.equal(unknown?.constructor, APIError);
  assert.equal(String(unknown), "foo:7: foo:7");
  assert.equal(unknown?.category, null);
  assert.equal(unknown?.retryable, false);
});
