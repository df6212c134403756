import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, test } from "node:test";
import {
  APIError,
  ConnectionError,
  ExternalError,
  MAX_ERROR_BODY_BYTES,
  RateLimitError,
  createFetch,
  type FetchClientOptions,
} from "@virtengine/errors";
import { respond, serve, SLACK_MS, type Reply, type Scripted } from "./server.js";

const servers: Scripted[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function scripted(...replies: Reply[]): Promise<Scripted> {
  const server = await serve(replies);
  servers.push(server);
  return server;
}

/** A client without jitter surprises: fast delays, draws of 0.5. */
const fast = (options: FetchClientOptions = {}) =>
  createFetch({ random: () => 0.5, ...options, policy: { baseDelayMs: 10, throttleBaseDelayMs: 10, ...options.policy } });

const unavailable = respond(503, "", { "content-type": "text/plain" });

test("a GET is retried until it succeeds", async () => {
  const server = await scripted(unavailable, unavailable, respond(200, "{}"));
  const delays: number[] = [];
  const response = await fast({ onRetry: (_, __, delay) => delays.push(delay) })(server.url);
  assert.equal(response.status, 200);
  assert.equal(server.seen.length, 3);
  assert.deepEqual(delays, [5, 10]);
  assert.deepEqual(
    server.seen.map((s) => s.headers["retry-attempt"]),
    [undefined, "1", "2"],
  );
});

test("a POST without an idempotency key is not resent after a 503", async () => {
  const server = await scripted(unavailable, respond(200));
  const error = await fast()(server.url, { method: "POST", body: "x" }).catch((e: unknown) => e);
  assert.ok(error instanceof ExternalError);
  assert.equal(error.attempts, 1);
  assert.equal(server.seen.length, 1);
});

test("a POST with an idempotency key is resent with the same key and body", async () => {
  const server = await scripted(unavailable, respond(201, "{}"));
  const response = await fast()(server.url, { method: "POST", body: "payload", idempotencyKey: true });
  assert.equal(response.status, 201);
  const [first, second] = server.seen;
  assert.ok(first && second);
  assert.match(String(first.headers["idempotency-key"]), /^[0-9a-f-]{36}$/);
  assert.equal(first.headers["idempotency-key"], second.headers["idempotency-key"]);
  assert.equal(second.body, "payload");
  assert.equal(second.headers["retry-attempt"], "1");
});

test("a 429 is retried even for a POST, after the Retry-After hint", async () => {
  const limited = respond(429, JSON.stringify({ error: { code: "x:1" } }), { "retry-after": "0.05" });
  const server = await scripted(limited, respond(200));
  const delays: number[] = [];
  const started = Date.now();
  await fast({ onRetry: (_, error, delay) => (delays.push(delay), assert.ok(error instanceof RateLimitError)) })(server.url, {
    method: "POST",
  });
  assert.deepEqual(delays, [50]);
  assert.ok(Date.now() - started >= 45);
});

test("a Retry-After above max_retry_after stops at once, hint kept (10^12 s: no overflow)", async () => {
  const server = await scripted(respond(503, "", { "retry-after": "1000000000000" }));
  const started = Date.now();
  const error = await fast()(server.url).catch((e: unknown) => e);
  assert.ok(error instanceof ExternalError);
  assert.equal(error.retryAfterMs, 1e15);
  assert.equal(server.seen.length, 1);
  assert.ok(Date.now() - started < 1000);
});

test("aborting during a backoff sleep stops at once", async () => {
  const server = await scripted(respond(503, "", { "retry-after": "30" }));
  const controller = new AbortController();
  const call = fast()(server.url, { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 100));
  const aborted = Date.now();
  controller.abort();
  const error = await call.catch((e: unknown) => e);
  assert.ok(Date.now() - aborted < SLACK_MS, `took ${Date.now() - aborted} ms`);
  assert.equal((error as Error).name, "AbortError");
  assert.equal(server.seen.length, 1);
});

test("a deadline stops retrying when the next sleep would pass it", async () => {
  const server = await scripted(respond(503, "", { "retry-after": "1" }));
  const started = Date.now();
  const error = await fast()(server.url, { deadlineMs: 300 }).catch((e: unknown) => e);
  assert.ok(error instanceof ExternalError);
  assert.equal(server.seen.length, 1);
  assert.ok(Date.now() - started < 1000); // not after the 1 s sleep
});

test("a deadline also cuts a hanging attempt short, as a timeout", async () => {
  const server = await scripted(() => undefined); // never answers
  const started = Date.now();
  const error = await fast()(server.url, { deadlineMs: 150 }).catch((e: unknown) => e);
  assert.ok(error instanceof ConnectionError, String(error));
  assert.equal(error.phase, "timeout");
  assert.ok(Date.now() - started < 1000);
});

test("an endless error body is cut at the cap and does not hang", async () => {
  const server = await scripted((response) => {
    response.writeHead(500, { "content-type": "text/plain" });
    const chunk = "x".repeat(64 * 1024);
    const pump = (): void => {
      while (!response.destroyed && response.write(chunk)) {
        /* keep writing until the socket pushes back */
      }
      if (!response.destroyed) {
        response.once("drain", pump);
      }
    };
    pump();
  });
  const error = await fast({ maxBodyBytes: 100_000 })(server.url).catch((e: unknown) => e);
  assert.ok(error instanceof APIError);
  assert.equal(error.rawBody.length, 100_000);
  assert.ok(MAX_ERROR_BODY_BYTES > 0);
});

test("connection refused: a connection error, retried even for a POST", async () => {
  const port = await freePort();
  const attempts: number[] = [];
  const error = await fast({ onRetry: (attempt) => attempts.push(attempt) })(`http://127.0.0.1:${port}/`, {
    method: "POST",
  }).catch((e: unknown) => e);
  assert.ok(error instanceof ConnectionError, String(error));
  assert.equal(error.requestSent, false);
  assert.equal(error.attempts, 3);
  assert.deepEqual(attempts, [2, 3]);
  assert.ok(error.cause instanceof Error);
});

test("a streaming body is sent once, never replayed", async () => {
  const server = await scripted(unavailable, respond(200));
  const body = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("stream"));
      controller.close();
    },
  });
  const init = { method: "PUT", body, duplex: "half" } as RequestInit;
  const error = await fast()(server.url, init).catch((e: unknown) => e);
  assert.ok(error instanceof ExternalError);
  assert.equal(server.seen.length, 1);
  assert.equal(server.seen[0]?.body, "stream");
});

test("one budget per client: retries of all its calls draw from it", async () => {
  const server = await scripted(unavailable);
  const client = fast({ policy: { maxAttempts: 100, baseDelayMs: 0, throttleBaseDelayMs: 0 } });
  const error = await client(server.url).catch((e: unknown) => e);
  assert.ok(error instanceof ExternalError);
  // 500 tokens at 14 a retry: 35 retries, then the budget stops the call.
  assert.equal(error.attempts, 36);
  const again = await client(server.url).catch((e: unknown) => e);
  assert.equal((again as APIError).attempts, 1);
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === "object" && address !== null ? address.port : 0;
}
