/** What users of fetch and of bundlers rely on (issue 17): tested against loopback servers. */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { inspect, types } from "node:util";
import {
  ConflictError,
  ConnectionError,
  ExternalError,
  NotFoundError,
  TimeoutError,
  ValidationError,
  createFetch,
  decodeError,
  isTimeoutError,
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

const fast = (options: FetchClientOptions = {}) =>
  createFetch({ random: () => 0.5, ...options, policy: { baseDelayMs: 10, throttleBaseDelayMs: 10, ...options.policy } });

test("the AbortSignal of a Request object ends the call during a Retry-After sleep", async () => {
  const server = await scripted(respond(503, "", { "retry-after": "3" }), respond(200, "{}"));
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 300);
  const started = Date.now();
  const error = await fast()(new Request(server.url, { signal: controller.signal })).catch((e: unknown) => e);
  const took = Date.now() - started;
  assert.equal((error as Error).name, "AbortError", String(error));
  assert.ok(took < 1000, `took ${took} ms`);
  assert.equal(server.seen.length, 1);
});

test("the AbortSignal of a Request object ends a hanging attempt under a deadline", async () => {
  const server = await scripted(() => undefined); // never answers
  const started = Date.now();
  const request = new Request(server.url, { signal: AbortSignal.timeout(300) });
  const error = await fast()(request, { deadlineMs: 10_000 }).catch((e: unknown) => e);
  const took = Date.now() - started;
  // The signal's reason, as fetch rejects: a DOMException named TimeoutError.
  assert.ok(error instanceof DOMException, String(error));
  assert.equal(error.name, "TimeoutError");
  assert.ok(!isTimeoutError(error) && !(error instanceof TimeoutError));
  assert.ok(took < 2000, `took ${took} ms`);
});

test("init.signal replaces the Request's signal, as in fetch", async () => {
  const server = await scripted(respond(503, "", { "retry-after": "0.05" }), respond(200, "{}"));
  const request = new Request(server.url, { signal: AbortSignal.abort() });
  const response = await fast()(request, { signal: new AbortController().signal });
  assert.equal(response.status, 200);
});

test("each error class keeps its own name, set as a string", () => {
  const names = [
    [decodeError(404, {}, ""), "NotFoundError"],
    [decodeError(409, {}, ""), "ConflictError"],
    [decodeError(400, {}, ""), "ValidationError"],
    [decodeError(418, {}, ""), "APIError"],
    [new ConnectionError("x", "reset"), "ConnectionError"],
  ] as const;
  for (const [error, name] of names) {
    assert.equal(error.name, name);
    assert.ok(String(error.stack).startsWith(`${name}: `), String(error.stack));
  }
  assert.ok(decodeError(404, {}, "") instanceof NotFoundError);
  assert.ok(decodeError(409, {}, "") instanceof ConflictError);
  assert.ok(decodeError(400, {}, "") instanceof ValidationError);
});

test("a decoded error is a native Error: message and stack off enumeration, settable, shown by inspect", () => {
  const error = decodeError(404, {}, JSON.stringify({ error: { code: "veid:1036", message: "gone", category: "not_found" } }));
  assert.ok(error instanceof Error && error instanceof NotFoundError);
  assert.ok(types.isNativeError(error), "consoles, error trackers and structuredClone see an Error");
  assert.equal(Object.prototype.toString.call(error), "[object Error]");
  assert.ok(structuredClone(error) instanceof Error);
  assert.equal(error.message, "veid:1036: gone");
  assert.equal(String(error), "veid:1036: gone");
  assert.match(error.stack ?? "", /^NotFoundError: veid:1036: gone\n\s+at /);
  assert.ok(!Object.keys(error).includes("message") && !Object.keys(error).includes("stack"));
  assert.ok(!JSON.stringify(error).includes("veid:1036: gone"));
  assert.ok(inspect(error).startsWith("NotFoundError: veid:1036: gone\n    at "), inspect(error));
  error.message = "context: veid:1036: gone";
  assert.equal(error.message, "context: veid:1036: gone");
  assert.ok(!Object.keys(error).includes("message"), "a message set later stays off enumeration too");
  error.stack = "custom stack";
  assert.equal(error.stack, "custom stack");
  assert.equal(error.errorMessage, "gone");
  const built = new NotFoundError({ ...error, rawBody: "", errorMessage: "built" });
  assert.match(built.stack ?? "", /^NotFoundError: veid:1036: built\n\s+at /, "one built with new has the stack of its construction");
});

test("our TimeoutError is an API error, never a DOMException", () => {
  const error = decodeError(504, {}, JSON.stringify({ error: { code: "x:1", category: "timeout" } }));
  assert.ok(error instanceof TimeoutError && isTimeoutError(error));
  assert.ok(!(error instanceof DOMException));
  assert.equal(error.httpStatus, 504);
});

test("rawBody is readable but not enumerable: loggers and JSON.stringify leave it out", () => {
  const body = JSON.stringify({ error: { code: "veid:1036", message: "boom", secret: "s3cr3t".repeat(1000) } });
  const error = decodeError(500, {}, body);
  assert.equal(error.rawBody, body);
  assert.ok(!Object.keys(error).includes("rawBody"));
  assert.ok(!JSON.stringify(error).includes("s3cr3t"));
  assert.ok(!inspect(error).includes("s3cr3t"));
  assert.equal(JSON.parse(JSON.stringify(error)).code, "veid:1036");
  assert.ok(!JSON.stringify({ ...error }).includes("rawBody"));
});

test("Retry-After in the three HTTP-date forms of RFC 9110, the obsolete ones included", () => {
  const now = Date.UTC(2026, 0, 1, 0, 0, 0);
  const forms = [
    "Thu, 01 Jan 2026 00:00:05 GMT",
    "Thursday, 01-Jan-26 00:00:05 GMT",
    "Thu Jan  1 00:00:05 2026",
  ];
  for (const form of forms) {
    const error = decodeError(503, { "retry-after": form }, "", { now });
    assert.equal(error.retryAfterMs, 5000, form);
  }
  const past = decodeError(503, { "retry-after": "Sunday, 06-Nov-94 08:49:37 GMT" }, "", { now });
  assert.equal(past.retryAfterMs, 0);
  const asctime = decodeError(503, { "retry-after": "Sun Nov  6 08:49:37 1994" }, "", { now });
  assert.equal(asctime.retryAfterMs, 0);
  // A two-digit year more than 50 years ahead is in the past century.
  const later = decodeError(503, { "retry-after": "Friday, 01-Jan-76 00:00:00 GMT" }, "", { now: Date.UTC(2026, 0, 1) });
  assert.equal(later.retryAfterMs, Date.UTC(2076, 0, 1) - Date.UTC(2026, 0, 1));
  const wrapped = decodeError(503, { "retry-after": "Monday, 01-Jan-77 00:00:00 GMT" }, "", { now: Date.UTC(2026, 0, 1) });
  assert.equal(wrapped.retryAfterMs, 0);
  for (const invalid of ["Thu Feb 30 00:00:05 2026", "Thursday, 01-Jan-26 24:00:05 GMT", "Thu Jan 1 00:00:05 2026"]) {
    assert.equal(decodeError(503, { "retry-after": invalid }, "", { now }).retryAfterMs, null, invalid);
  }
});

test("retryAttemptHeader: false leaves Retry-Attempt off every attempt", async () => {
  const unavailable = respond(503, "", { "content-type": "text/plain" });
  const server = await scripted(unavailable, unavailable, respond(200, "{}"));
  const response = await fast({ retryAttemptHeader: false })(server.url);
  assert.equal(response.status, 200);
  assert.deepEqual(
    server.seen.map((s) => s.headers["retry-attempt"]),
    [undefined, undefined, undefined],
  );
});

test("a later attempt that fails below HTTP keeps the earlier API error as lastApiError", async () => {
  const server = await scripted(respond(503, "busy", { "content-type": "text/plain", "x-request-id": "r1" }), (response) => {
    response.socket?.destroy();
  });
  const error = await fast()(server.url).catch((e: unknown) => e);
  assert.ok(error instanceof ConnectionError, String(error));
  assert.equal(error.attempts, 3);
  assert.ok(error.lastApiError instanceof ExternalError);
  assert.equal(error.lastApiError.httpStatus, 503);
  assert.equal(error.lastApiError.requestId, "r1");
  assert.equal(server.seen.length, 3);
});

test("a connection error with no earlier API error has lastApiError null", async () => {
  const server = await scripted((response) => {
    response.socket?.destroy();
  });
  const error = await fast()(server.url).catch((e: unknown) => e);
  assert.ok(error instanceof ConnectionError, String(error));
  assert.equal(error.lastApiError, null);
  assert.equal(error.requestSent, true);
});
