import assert from "node:assert/strict";
import { test } from "node:test";
import {
  APIError,
  Codes,
  ConnectionError,
  ERR_NOT_FOUND,
  ExternalError,
  NotFoundError,
  RateLimitError,
  VirtEngineError,
  decodeError,
  hasCode,
  isAPIError,
  isConnectionError,
  isExternalError,
  isKnownCode,
  isNotFound,
  isNotFoundError,
  lookup,
  matches,
  MAX_ATTEMPTS,
  REGISTRY_VERSION,
} from "@virtengine/errors";

const envelope = (code: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ error: { code, ...extra } });

test("an envelope becomes the class of its category, instanceof all the way up", () => {
  const error = decodeError(503, { "X-Request-Id": "req-1" }, envelope("waldur:650", { message: "Waldur API unavailable" }));
  assert.ok(error instanceof ExternalError);
  assert.ok(error instanceof APIError);
  assert.ok(error instanceof VirtEngineError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "ExternalError");
  assert.equal(String(error), "waldur:650: Waldur API unavailable");
  assert.equal(error.message, "waldur:650: Waldur API unavailable");
  assert.equal(error.errorMessage, "Waldur API unavailable");
  assert.equal(error.requestId, "req-1");
  assert.equal(error.module, "waldur");
  assert.equal(error.number, 650);
  assert.ok(isExternalError(error) && isAPIError(error) && !isConnectionError(error));
});

test("the catalog fills what the envelope leaves out", () => {
  const error = decodeError(500, {}, envelope("veid:1036"));
  const entry = lookup("veid:1036");
  assert.ok(entry);
  assert.equal(error.errorMessage, entry.message);
  assert.equal(error.severity, entry.severity);
  assert.equal(error.retryable, entry.retryable);
  assert.ok(hasCode(error, "veid:1036"));
  assert.ok(isKnownCode("veid:1036"));
  assert.equal(Codes.VEID_ML_INFERENCE_FAILED, "veid:1036");
});

test("a code the client does not know keeps everything the envelope said", () => {
  const error = decodeError(409, {}, envelope("future:77", { category: "quantum", retryable: true, message: "later" }));
  assert.equal(error.constructor, APIError);
  assert.equal(error.category, "quantum");
  assert.equal(error.retryable, true);
  assert.equal(String(error), "future:77: later");
  assert.equal(lookup("future:77"), undefined);
});

test("without an envelope the status decides and the reason phrase is ours", () => {
  const error = decodeError(404, { "content-type": "text/html" }, "<html>gone</html>");
  assert.ok(error instanceof NotFoundError && isNotFoundError(error));
  assert.equal(error.code, null);
  assert.equal(error.envelope, false);
  assert.equal(String(error), "HTTP 404 Not Found");
  assert.ok(isNotFound(error) && matches(error, ERR_NOT_FOUND));
});

test("prototype member names in a body are plain data", () => {
  const error = decodeError(400, {}, JSON.stringify({ error: { code: "constructor", category: "__proto__", context: { __proto__: 1 } } }));
  assert.equal(error.constructor, APIError);
  assert.equal(error.category, "__proto__");
  assert.equal(error.number, null);
});

test("a connection error chains its cause and knows whether the request left", () => {
  const cause = new Error("ECONNREFUSED");
  const error = new ConnectionError("refused", "connect", cause);
  assert.equal(error.cause, cause);
  assert.equal(error.requestSent, false);
  assert.equal(error.retryable, true);
  assert.equal(new ConnectionError("reset", "reset").requestSent, true);
});

test("problem+json: detail gives the message, extensions are read", () => {
  const body = JSON.stringify({ type: "about:blank", title: "Too many", status: 429, detail: "slow down", code: "x:1" });
  const error = decodeError(429, { "content-type": "application/problem+json; charset=utf-8", "retry-after-ms": "1500" }, body);
  assert.ok(error instanceof RateLimitError);
  assert.equal(error.errorMessage, "slow down");
  assert.equal(error.retryAfterMs, 1500);
});

test("registry values reach the package", () => {
  assert.equal(typeof REGISTRY_VERSION, "string");
  assert.ok(MAX_ATTEMPTS >= 1);
});
