/**
 * Issue 16 against a real loopback server: deadlines that bound every attempt (body read
 * included), aborts at any point, stop reasons and history, the hooks, one-shot bodies,
 * request mistakes, a hand-set Idempotency-Key, sentinels of client-side failures,
 * read-only tables and validated policies.
 */

import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, test } from "node:test";
import { types } from "node:util";
import {
  APIError,
  CATALOG,
  CATEGORY_DEFAULTS,
  ConnectionError,
  ERROR_TYPES,
  ERR_CANCELED,
  ERR_DEADLINE_EXCEEDED,
  ERR_UNAVAILABLE,
  ExternalError,
  IDEMPOTENT_METHODS,
  InternalError,
  NotFoundError,
  RequestError,
  Retrier,
  RetryBudget,
  SENTINELS,
  STATUS_TABLE,
  createFetch,
  decodeError,
  isCanceled,
  isDeadlineExceeded,
  isNetworkError,
  matches,
  type AttemptContext,
  type FetchClientOptions,
  type RetryRequest,
} from "@virtengine/errors";
import { respond, serve, SLACK_MS, type Reply, type Scripted } from "./server.js";

const servers: Scripted[] = [];
after(() => Promise.all(servers.map((server) => server.close())));

async function scripted(...replies: Reply[]): Promise<Scripted> {
  const server = await serve(replies);
  servers.push(server);
  return server;
}

const fast = (options: FetchClientOptions = {}) =>
  createFetch({ random: () => 0.5, ...options, policy: { baseDelayMs: 10, throttleBaseDelayMs: 10, ...options.policy } });

const unavailable = respond(503, "", { "content-type": "text/plain", "x-request-id": "req-1" });
const hang: Reply = () => undefined;

/** A 503 whose body arrives one byte every 100 ms for `ms`. */
const trickled =
  (ms: number): Reply =>
  (response) => {
    response.writeHead(503, { "content-type": "application/json" });
    response.write('{"error": {"code": "waldur:650", "message": "');
    const timer = setInterval(() => {
      if (response.destroyed) {
        clearInterval(timer);
        return;
      }
      response.write("x");
    }, 100);
    setTimeout(() => {
      clearInterval(timer);
      if (!response.destroyed) {
        response.end('"}}');
      }
    }, ms);
  };

const names = (error: unknown): string[] =>
  SENTINELS.filter((sentinel) => matches(error, sentinel))
    .map((sentinel) => sentinel.name)
    .sort();

test("a 0.5 s deadline against a server that hangs 2 s returns at the deadline, stop reason deadline", async () => {
  const server = await scripted((response) => {
    setTimeout(() => {
      if (!response.destroyed) {
        response.writeHead(200).end("late");
      }
    }, 2000);
  });
  const started = performance.now();
  const error = await fast()(server.url, { deadlineMs: 500 }).catch((e: unknown) => e);
  const took = performance.now() - started;
  assert.ok(took >= 490 && took < 500 + SLACK_MS, `took ${took.toFixed(0)} ms`);
  assert.ok(error instanceof ConnectionError, String(error));
  assert.equal(error.phase, "timeout");
  assert.equal(error.stopReason, "deadline");
  assert.deepEqual(error.history, [{ status: null, phase: "timeout", delayMs: 0 }]);
  assert.ok(isDeadlineExceeded(error));
  assert.deepEqual(names(error), ["deadline_exceeded", "network_error", "request_failed", "timeout"]);
});

test("the deadline covers reading the error body: a trickled 503 body with 800 ms returns at the deadline", async () => {
  const server = await scripted(trickled(3000));
  const started = performance.now();
  const error = await fast()(server.url, { deadlineMs: 800 }).catch((e: unknown) => e);
  const took = performance.now() - started;
  assert.ok(took < 800 + SLACK_MS, `took ${took.toFixed(0)} ms`);
  assert.ok(error instanceof ConnectionError, `a body cut short is never decoded: ${String(error)}`);
  assert.equal(error.stopReason, "deadline");
  assert.equal(server.seen.length, 1);
});

test("an abort during a trickled body read ends the call at once with the caller's AbortError", async () => {
  const server = await scripted(trickled(3000));
  const controller = new AbortController();
  const call = fast()(server.url, { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const aborted = performance.now();
  controller.abort();
  const error = await call.catch((e: unknown) => e);
  assert.ok(performance.now() - aborted < SLACK_MS, `took ${(performance.now() - aborted).toFixed(0)} ms`);
  assert.ok(!(error instanceof APIError), "not an error decoded from a truncated body");
  assert.equal((error as Error).name, "AbortError");
  assert.equal(error, controller.signal.reason);
  assert.ok(isCanceled(error));
  assert.deepEqual(names(error), ["canceled"]);
});

test("an abort with a reason ends a hanging attempt with that reason", async () => {
  const server = await scripted(hang);
  const controller = new AbortController();
  const reason = new Error("navigated away");
  setTimeout(() => controller.abort(reason), 100);
  const error = await fast()(server.url, { signal: controller.signal, deadlineMs: 5000 }).catch((e: unknown) => e);
  assert.equal(error, reason);
});

test("AbortSignal.timeout() ends the call with its TimeoutError, which matches the deadline sentinels", async () => {
  const server = await scripted(hang);
  const error = await fast()(server.url, { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
  assert.equal((error as Error).name, "TimeoutError");
  assert.ok(!(error instanceof APIError));
  assert.deepEqual(names(error), ["deadline_exceeded", "request_failed", "timeout"]);
});

test("the deadline is measured on a monotonic clock: a wall clock that jumps changes nothing", async () => {
  const server = await scripted(unavailable, respond(200, "{}"));
  const realNow = Date.now;
  Date.now = () => realNow() + 3_600_000; // an NTP step of one hour
  try {
    const response = await fast()(server.url, { deadlineMs: 2000 });
    assert.equal(response.status, 200);
  } finally {
    Date.now = realNow;
  }
  assert.equal(server.seen.length, 2);
});

test("the final error carries stop reason, history, method, URL and response headers", async () => {
  const server = await scripted(unavailable);
  const url = `${server.url}v1/scopes/abc`;
  const error = await fast()(url).catch((e: unknown) => e);
  assert.ok(error instanceof ExternalError);
  assert.equal(error.stopReason, "max_attempts");
  assert.deepEqual(
    error.history.map((entry) => [entry.status, entry.phase, entry.delayMs]),
    [
      [503, null, 0],
      [503, null, 5],
      [503, null, 10],
    ],
  );
  assert.equal(error.method, "GET");
  assert.equal(error.url, url);
  assert.equal(error.headers.get("x-request-id"), "req-1");
  assert.equal(error.headers.get("content-type"), "text/plain");
  assert.ok(!Object.keys(error).includes("headers"), "headers stay off logs, like rawBody");
  assert.deepEqual(names(error), ["external_service", "max_retries_exceeded", "unavailable"]);
});

test("each stop reason through createFetch", async () => {
  const notFound = await scripted(respond(404));
  const postError = await fast()(notFound.url).catch((e: unknown) => e);
  assert.equal((postError as NotFoundError).stopReason, "not_retryable");

  const server = await scripted(unavailable);
  const post = await fast()(server.url, { method: "POST", body: "x" }).catch((e: unknown) => e);
  assert.equal((post as APIError).stopReason, "not_idempotent");

  const limited = await scripted(respond(503, "", { "retry-after": "120" }));
  const hint = await fast()(limited.url).catch((e: unknown) => e);
  assert.equal((hint as APIError).stopReason, "hint_too_long");

  const dry = await fast({ budget: new RetryBudget(500, 10) })(server.url).catch((e: unknown) => e);
  assert.equal((dry as APIError).stopReason, "budget_exhausted");

  const slow = await scripted(respond(503, "", { "retry-after": "1" }));
  const late = await fast()(slow.url, { deadlineMs: 300 }).catch((e: unknown) => e);
  assert.equal((late as APIError).stopReason, "deadline");
  assert.ok(matches(late, ERR_DEADLINE_EXCEEDED));
});

test("a body that cannot be sent twice is sent once: body_not_replayable", async () => {
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
  assert.equal(error.stopReason, "body_not_replayable");
  assert.equal(server.seen.length, 1);
});

test("a hand-set Idempotency-Key header counts as a key (any case); an empty one does not", async () => {
  const server = await scripted(unavailable, respond(201, "{}"));
  const response = await fast()(server.url, { method: "POST", body: "x", headers: { "IDEMPOTENCY-KEY": "k-7" } });
  assert.equal(response.status, 201);
  assert.deepEqual(
    server.seen.map((s) => s.headers["idempotency-key"]),
    ["k-7", "k-7"],
  );
  const empty = await scripted(unavailable, respond(201, "{}"));
  const error = await fast()(empty.url, { method: "POST", body: "x", headers: { "Idempotency-Key": "" } }).catch((e: unknown) => e);
  assert.equal((error as APIError).stopReason, "not_idempotent");
  assert.equal(empty.seen.length, 1);
});

test("request mistakes are raised at once, never sent, never retried", async () => {
  let sent = 0;
  const client = fast({
    fetch: async () => {
      sent += 1;
      return new Response(null, { status: 503 });
    },
  });
  for (const [input, init, pattern] of [
    ["ftp://api.example.test/file", {}, /unsupported URL scheme/],
    ["http://[not-an-address/", {}, /invalid URL/],
    ["not a url", {}, /invalid URL/],
    ["https://api.example.test/", { headers: { "bad header": "x" } }, /invalid header/],
    ["https://api.example.test/", { method: "GET", body: "x" }, /cannot have a body/],
  ] as const) {
    const error = await client(input, init).catch((e: unknown) => e);
    assert.ok(error instanceof RequestError, `${input}: ${String(error)}`);
    assert.match(error.message, pattern);
    assert.equal(error.requestSent, false);
    assert.equal(error.retryable, false);
    assert.equal(error.stopReason, null);
  }
  assert.equal(sent, 0);
});

test("onRetry receives the request; the debug line names method and URL", async () => {
  const server = await scripted(unavailable, respond(200));
  const seen: [number, string, RetryRequest][] = [];
  const logged: string[] = [];
  await fast({
    onRetry: (attempt, error, _delay, request) => seen.push([attempt, error.constructor.name, request]),
    logger: { debug: (line) => logged.push(line) },
  })(`${server.url}v1/orders?x=1`, { method: "PUT", body: "{}", headers: { "x-trace": "t1" } });
  assert.equal(seen.length, 1);
  const [attempt, name, request] = seen[0] ?? [];
  assert.equal(attempt, 2);
  assert.equal(name, "ExternalError");
  assert.equal(request?.method, "PUT");
  assert.equal(request?.url, `${server.url}v1/orders?x=1`);
  assert.equal(request?.headers.get("x-trace"), "t1");
  assert.match(logged[0] ?? "", new RegExp(`^retrying PUT ${server.url}v1/orders\\?x=1 \\(attempt 2 of 3\\)`));
});

test("an onRetry that throws ends the call with its exception and gives the retry's tokens back", async () => {
  const server = await scripted(unavailable, respond(200));
  const budget = new RetryBudget(500, 300);
  const refusal = new Error("no retries today");
  const error = await fast({
    budget,
    onRetry: () => {
      throw refusal;
    },
  })(server.url).catch((e: unknown) => e);
  assert.equal(error, refusal);
  assert.equal(budget.tokens, 300);
  assert.equal(server.seen.length, 1);
});

test("shouldRetry may retry a 404 or refuse a 503, never pass the idempotency gate", async () => {
  const asked: [string, number, string][] = [];
  const hook = (verdict: boolean | undefined) =>
    fast({
      shouldRetry: (error, attempt, request) => {
        asked.push([error.constructor.name, attempt, request.method]);
        return verdict;
      },
    });
  const flaky404 = await scripted(respond(404), respond(200));
  assert.equal((await hook(true)(flaky404.url)).status, 200);
  assert.deepEqual(asked, [["NotFoundError", 1, "GET"]]);

  const down = await scripted(unavailable);
  const refused = await hook(false)(down.url).catch((e: unknown) => e);
  assert.equal((refused as APIError).stopReason, "not_retryable");
  assert.equal(down.seen.length, 1);

  const gone = await scripted(respond(404), respond(200));
  const post = await hook(true)(gone.url, { method: "POST", body: "x" }).catch((e: unknown) => e);
  assert.equal((post as APIError).stopReason, "not_idempotent");
  assert.equal(gone.seen.length, 1);

  const async404 = await scripted(respond(404), respond(200));
  const response = await fast({ shouldRetry: async () => Promise.resolve(true) })(async404.url);
  assert.equal(response.status, 200);
});

test("a refused connection matches network_error, connection_failed and request_failed", async () => {
  const port = await freePort();
  const error = await fast()(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
  assert.ok(error instanceof ConnectionError);
  assert.ok(isNetworkError(error));
  assert.deepEqual(names(error), ["connection_failed", "max_retries_exceeded", "network_error", "request_failed"]);
});

test("an HTML 503 from a proxy matches unavailable; a coded one does not match by status", () => {
  const html = decodeError(503, { "content-type": "text/html" }, "<html>down</html>");
  assert.ok(matches(html, ERR_UNAVAILABLE));
  const coded = decodeError(503, {}, '{"error": {"code": "waldur:650", "category": "external"}}');
  assert.ok(!matches(coded, ERR_UNAVAILABLE));
  assert.ok(!matches(new Error("plain"), ERR_CANCELED));
});

test("the tables are read-only: an application cannot change how later responses decode", () => {
  // mfa:1225 is internal and retryable only by its registry override (internal's default
  // is not retryable), so a changed entry or category default would show in the decode.
  const attempts: [string, () => unknown][] = [
    ["CATALOG.set", () => (CATALOG as Map<string, unknown>).set("mfa:1225", {})],
    ["Map.prototype.set.call(CATALOG)", () => Map.prototype.set.call(CATALOG, "mfa:1225", {})],
    ["Map.prototype.clear.call(ERROR_TYPES)", () => Map.prototype.clear.call(ERROR_TYPES)],
    ["STATUS_TABLE.delete", () => (STATUS_TABLE as Map<number, unknown>).delete(503)],
    ["CATEGORY_DEFAULTS.set", () => (CATEGORY_DEFAULTS as Map<string, unknown>).set("internal", {})],
    ["IDEMPOTENT_METHODS.add", () => (IDEMPOTENT_METHODS as Set<string>).add("POST")],
    ["Set.prototype.add.call(ERR_UNAVAILABLE.statuses)", () => Set.prototype.add.call(ERR_UNAVAILABLE.statuses, 500)],
    ["entry.retryable = false", () => ((CATALOG.get("mfa:1225") as { retryable: boolean }).retryable = false)],
    ["ERR_UNAVAILABLE.codes = ...", () => ((ERR_UNAVAILABLE as { codes: unknown }).codes = new Set())],
  ];
  for (const [what, attempt] of attempts) {
    assert.throws(attempt, TypeError, what);
  }
  const error = decodeError(500, { "content-type": "application/json" }, '{"error": {"code": "mfa:1225"}}');
  assert.ok(error instanceof InternalError);
  assert.equal(error.retryable, true);
  assert.equal(error.severity, "critical");
  assert.equal(STATUS_TABLE.get(503)?.retryable, true);
  assert.ok(!IDEMPOTENT_METHODS.has("POST"));
  assert.ok(!matches(decodeError(500, {}, ""), ERR_UNAVAILABLE));
});

test("policies are validated when created and per call, naming the option", async () => {
  const bad: [FetchClientOptions["policy"], RegExp][] = [
    [{ deadlineMs: Number.NaN }, /policy\.deadlineMs/],
    [{ deadlineMs: 0 }, /policy\.deadlineMs/],
    [{ maxAttempts: 1.5 }, /policy\.maxAttempts/],
    [{ maxAttempts: 0 }, /policy\.maxAttempts/],
    [{ baseDelayMs: -1 }, /policy\.baseDelayMs/],
    [{ maxDelayMs: Number.POSITIVE_INFINITY }, /policy\.maxDelayMs/],
    [{ maxRetryAfterMs: Number.NaN }, /policy\.maxRetryAfterMs/],
  ];
  for (const [policy, pattern] of bad) {
    assert.throws(() => new Retrier({ policy }), (e: unknown) => e instanceof RangeError && pattern.test(e.message));
    assert.throws(() => createFetch({ policy }), RangeError);
  }
  assert.throws(() => createFetch({ maxBodyBytes: -1 }), /maxBodyBytes/);
  assert.throws(() => new RetryBudget(Number.NaN), /RetryBudget capacity/);
  let sent = 0;
  const client = fast({
    fetch: async () => {
      sent += 1;
      return new Response(null, { status: 200 });
    },
  });
  await assert.rejects(client("https://api.example.test/", { maxAttempts: 1.5 }), /^RangeError: maxAttempts/);
  await assert.rejects(client("https://api.example.test/", { deadlineMs: Number.NaN }), /^RangeError: deadlineMs/);
  assert.equal(sent, 0);
});

test("Retrier gives each attempt its time budget and a signal; an attempt that ignores it is abandoned at the deadline", async () => {
  const contexts: AttemptContext[] = [];
  const retrier = new Retrier({ random: () => 0 });
  const started = performance.now();
  const error = await retrier
    .call(
      (_, context) => {
        contexts.push(context);
        return new Promise<never>(() => undefined); // never settles, ignores its signal
      },
      { deadlineMs: 200, method: "GET", url: "https://api.example.test/x" },
    )
    .catch((e: unknown) => e);
  assert.ok(performance.now() - started < 200 + SLACK_MS);
  assert.ok(error instanceof ConnectionError);
  assert.equal(error.phase, "timeout");
  assert.equal(error.stopReason, "deadline");
  assert.equal(error.url, "https://api.example.test/x");
  assert.equal(contexts.length, 1);
  const [context] = contexts;
  assert.ok(context !== undefined && context.budgetMs !== null && context.budgetMs <= 200 && context.budgetMs > 0);
  assert.equal(context.signal?.aborted, true);
  assert.equal((context.signal?.reason as Error).name, "TimeoutError");

  const none: AttemptContext[] = [];
  await new Retrier().call(async (_, context) => none.push(context));
  assert.equal(none[0]?.budgetMs, null);
  assert.equal(none[0]?.signal, undefined);
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return typeof address === "object" && address !== null ? address.port : 0;
}

test("a body nested 100,000 levels deep is not usable JSON (contract 4.5.3): no crash, and JSON.stringify works", () => {
  const depth = 100_000;
  const body = `{"error": {"code": "veid:1036", "message": "deep", "context": ${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}}`;
  const error = decodeError(500, { "content-type": "application/json" }, body);
  assert.equal(error.shape, "none");
  assert.equal(error.errorMessage, "HTTP 500 Internal Server Error");
  assert.equal(error.context, null);
  assert.doesNotThrow(() => JSON.stringify(error));
  const nest = (levels: number): string => `{"error": {"code": "veid:1036", "message": "deep", "context": {"a": ${"[".repeat(levels - 3)}1${"]".repeat(levels - 3)}}}}`;
  assert.equal(decodeError(500, {}, nest(512)).shape, "envelope", "512 levels are usable");
  assert.equal(decodeError(500, {}, nest(513)).shape, "none", "513 are not");
  const brackets = `{"error": {"code": "veid:1036", "message": "${"[".repeat(2000)}"}}`;
  assert.equal(decodeError(500, {}, brackets).shape, "envelope", "brackets inside strings do not count");
});

test("a lone surrogate escaped in JSON becomes U+FFFD (contract 4.5.3); a pair stays; surrogate bytes in UTF-8 too", () => {
  const escaped = decodeError(500, {}, '{"error": {"code": "veid:1036", "message": "a\\ud800b", "context": {"k": "\\udc00"}}}');
  assert.equal(escaped.errorMessage, "a\ufffdb");
  assert.deepEqual(escaped.context, { k: "\ufffd" });
  const pair = decodeError(500, {}, '{"error": {"code": "veid:1036", "message": "\\ud83d\\ude00"}}');
  assert.equal(pair.errorMessage, "\u{1f600}");
  const encoder = new TextEncoder();
  const bytes = new Uint8Array([
    ...encoder.encode('{"error": {"code": "veid:1036", "message": "a'),
    0xed,
    0xa0,
    0x80,
    ...encoder.encode('b"}}'),
  ]);
  assert.equal(decodeError(500, {}, bytes).errorMessage, "a\ufffd\ufffd\ufffdb");
});

test("no stack trace is captured for the errors of retried attempts; the thrown one points at the caller", async () => {
  const server = await scripted(unavailable);
  const retried: string[] = [];
  const api = fast({ onRetry: (_, error) => retried.push(error.stack ?? "") });
  async function loadScopeForTheStackTest(): Promise<number> {
    const response = await api(server.url);
    return response.status;
  }
  const error = await loadScopeForTheStackTest().catch((e: unknown) => e);
  assert.ok(error instanceof ExternalError);
  assert.equal(retried.length, 2);
  for (const stack of retried) {
    assert.doesNotMatch(stack, /\n\s+at /, "a retried attempt's error has no frames");
  }
  assert.match(error.stack ?? "", /loadScopeForTheStackTest/);
  assert.ok(types.isNativeError(error), "the error handed over is a native Error");
  assert.match(error.stack ?? "", /^ExternalError: HTTP 503 Service Unavailable\n\s+at Retrier\.call/);
});

test("on an engine without Error.captureStackTrace the thrown error still gets a stack with frames", async () => {
  const server = await scripted(unavailable);
  const engine = Error as { captureStackTrace?: unknown };
  const capture = engine.captureStackTrace;
  delete engine.captureStackTrace;
  try {
    const error = await fast({ policy: { maxAttempts: 1 } })(server.url).catch((e: unknown) => e);
    assert.ok(error instanceof ExternalError);
    assert.match(error.stack ?? "", /\n\s+at /, "frames taken where the error is handed on");
    assert.equal(error.message, "HTTP 503 Service Unavailable");
  } finally {
    engine.captureStackTrace = capture;
  }
});

test("decodeError's error points at its caller; so does a connection error the helper surfaces", async () => {
  function decodeForTheStackTest(): Error {
    return decodeError(503, {}, "");
  }
  const decoded = decodeForTheStackTest();
  assert.match(decoded.stack ?? "", /^ExternalError: HTTP 503 Service Unavailable\n\s+at decodeForTheStackTest/);
  const port = await freePort();
  async function callTheClosedPortForTheStackTest(): Promise<number> {
    const response = await fast({ policy: { maxAttempts: 1 } })(`http://127.0.0.1:${port}/`);
    return response.status;
  }
  const error = await callTheClosedPortForTheStackTest().catch((e: unknown) => e);
  assert.ok(error instanceof ConnectionError);
  assert.match(error.stack ?? "", /callTheClosedPortForTheStackTest/);
  assert.ok(error.cause instanceof Error, "the cause is kept (native Error cause)");
});
