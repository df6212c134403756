/**
 * `fetch` with typed errors and retries: `createFetch(options)` returns a function with
 * `fetch`'s signature that resolves with responses below 400, throws an `APIError` for
 * error responses and a `ConnectionError` for transport failures, and retries under the
 * policy with one retry budget shared by all its calls.
 */

import { decodeResponse } from "./decode.js";
import { ConnectionError, RequestError, type ConnectionPhase, type VirtEngineError } from "./errors.js";
import { MAX_ERROR_BODY_BYTES } from "./registry.js";
import { withoutStack } from "./tables.js";
import { Retrier, type AttemptContext, type RetrierOptions } from "./retry.js";
import type { FetchAbortSignal, FetchFunction, FetchInit, FetchInput, FetchResponse } from "./web.js";

export type { FetchAbortSignal, FetchFunction, FetchHeaders, FetchInit, FetchInput, FetchResponse } from "./web.js";

/** The retry options of one call, beside `RequestInit`'s. */
export interface RetryOptions {
  /** A key to send in `Idempotency-Key` on every attempt; `true` generates one. */
  readonly idempotencyKey?: string | true;
  readonly maxAttempts?: number;
  /** Time allowed for the call, attempts and sleeps included; null for none. */
  readonly deadlineMs?: number | null;
}

/** `RequestInit` plus the retry options of one call. */
export type RetryingRequestInit = FetchInit & RetryOptions;

/** A `fetch` that retries and throws typed errors. */
export type RetryingFetch = (input: FetchInput, init?: RetryingRequestInit) => Promise<FetchResponse>;

/** Options of `createFetch`. */
export interface FetchClientOptions extends RetrierOptions {
  /** The `fetch` to send with; default the global one. */
  readonly fetch?: FetchFunction;
  /** At most this many bytes of an error body are read. */
  readonly maxBodyBytes?: number;
  /**
   * Whether resent attempts carry `Retry-Attempt` (default true). In a browser that header
   * makes every retry a CORS preflighted request; set false for a server whose CORS policy
   * does not allow it.
   */
  readonly retryAttemptHeader?: boolean;
}

/** Header carrying the idempotency key. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
/** Header carrying the retry number (1 on the first retry). */
export const RETRY_ATTEMPT_HEADER = "Retry-Attempt";

/** Error codes of Node's fetch that mean the connection was never made. */
const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TIMEOUT_CODES = new Set(["ETIMEDOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** A `fetch` with the policy applied; one retry budget for all its calls. */
export function createFetch(options: FetchClientOptions = {}): RetryingFetch {
  const retrier = new Retrier(options);
  const send = options.fetch ?? ((input, init) => fetch(input, init));
  const maxBodyBytes = options.maxBodyBytes ?? MAX_ERROR_BODY_BYTES;
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0) {
    throw new RangeError(`maxBodyBytes must be an integer of at least 0, got ${String(maxBodyBytes)}`);
  }
  const retryAttemptHeader = options.retryAttemptHeader ?? true;
  const start = (input: FetchInput, init: RetryingRequestInit = {}): Promise<FetchResponse> => {
    const { idempotencyKey, maxAttempts, deadlineMs, ...requestInit } = init;
    const isRequest = typeof Request !== "undefined" && input instanceof Request;
    // A Request carries its own signal; `init.signal`, when given, replaces it (as in fetch).
    const signal = requestInit.signal ?? (isRequest ? input.signal : undefined);
    const method = requestInit.method ?? (isRequest ? input.method : "GET");
    const target = requestUrl(input, isRequest);
    const url = target.href;
    const givenHeaders = requestInit.headers ?? (isRequest ? input.headers : undefined);
    // Checked (and copied) only when there are any: most calls send none of their own.
    let headers = givenHeaders === undefined ? undefined : requestHeaders(givenHeaders, method, url);
    checkRequest(method, target, url, requestInit.body !== undefined && requestInit.body !== null);
    if (idempotencyKey !== undefined) {
      headers ??= new Headers();
      headers.set(IDEMPOTENCY_KEY_HEADER, idempotencyKey === true ? newIdempotencyKey() : idempotencyKey);
    }
    const attempt = async (attemptNumber: number, context: AttemptContext): Promise<FetchResponse> => {
      let attemptHeaders = headers;
      if (attemptNumber > 1 && retryAttemptHeader) {
        attemptHeaders = new Headers(headers);
        attemptHeaders.set(RETRY_ATTEMPT_HEADER, String(attemptNumber - 1));
      }
      const attemptSignal = context.signal;
      const request = isRequest ? input.clone() : input;
      // `fetch` copies the headers it is given, so one `Headers` serves every attempt.
      const attemptInit: FetchInit = {
        ...requestInit,
        ...(attemptHeaders === undefined ? {} : { headers: attemptHeaders }),
        ...(attemptSignal === undefined ? {} : { signal: attemptSignal }),
      };
      let response: FetchResponse;
      try {
        response = await send(request, attemptInit);
      } catch (error) {
        // An abort (the caller's or the deadline's) rejects with its reason: the helper decides.
        throw attemptSignal?.aborted ? attemptSignal.reason : connectionError(error);
      }
      if (response.status < 400) {
        return response;
      }
      const body = await readCapped(response, maxBodyBytes, attemptSignal);
      const error = decodeResponse(response.status, response.headers, body, { now: Date.now(), maxBodyBytes });
      error.method = method;
      error.url = url;
      throw error;
    };
    return retrier.call(attempt, {
      method,
      url,
      // An Idempotency-Key header, set by hand or from `idempotencyKey`, counts as a key.
      ...(headers === undefined ? {} : { headers }),
      deadlineMs: deadlineMs === undefined ? retrier.policy.deadlineMs : deadlineMs,
      replayable: isReplayable(input, requestInit),
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      ...(signal ? { signal } : {}),
    });
  };
  // Not async: the helper's promise is returned as it is (an async function would wrap it in
  // one more, settled two turns of the microtask queue later); a mistake found before
  // anything is sent still rejects rather than throws.
  return (input, init) => {
    try {
      return start(input, init);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** The absolute URL of a request; a relative one is resolved against the page, as fetch does. */
function requestUrl(input: FetchInput, isRequest: boolean): URL {
  const text = isRequest ? (input as Request).url : typeof input === "string" ? input : (input as URL).href;
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    return new URL(text, base);
  } catch (error) {
    throw new RequestError(`invalid URL: ${JSON.stringify(text)}`, error);
  }
}

/** The caller's headers, copied; a name or value fetch would refuse is a `RequestError`. */
function requestHeaders(init: FetchInit["headers"], method: string, url: string): Headers {
  try {
    return new Headers(init);
  } catch (error) {
    throw withRequest(new RequestError(`invalid header: ${error instanceof Error ? error.message : String(error)}`, error), method, url);
  }
}

/** Mistakes fetch would make the call fail on, raised before anything is sent. */
function checkRequest(method: string, target: URL, url: string, hasBody: boolean): void {
  const scheme = target.protocol;
  if (scheme !== "http:" && scheme !== "https:") {
    throw withRequest(new RequestError(`unsupported URL scheme ${JSON.stringify(scheme)}: only http and https are sent`), method, url);
  }
  if (!METHOD_TOKEN.test(method) || FORBIDDEN_METHODS.has(method.toUpperCase())) {
    throw withRequest(new RequestError(`invalid or forbidden method ${JSON.stringify(method)}`), method, url);
  }
  const upper = method.toUpperCase();
  if (hasBody && (upper === "GET" || upper === "HEAD")) {
    throw withRequest(new RequestError(`a ${upper} request cannot have a body`), method, url);
  }
}

function withRequest<E extends VirtEngineError>(error: E, method: string, url: string): E {
  error.method = method;
  error.url = url;
  return error;
}

/** An HTTP method is a token (RFC 9110, 9.1). */
const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Methods fetch refuses to send. */
const FORBIDDEN_METHODS = new Set(["CONNECT", "TRACE", "TRACK"]);

function connectionError(error: unknown): ConnectionError {
  const phase = phaseOf(error);
  const cause = causeOf(error) ?? error;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return withoutStack(() => new ConnectionError(`connection failed (${phase}): ${detail}`, phase, error));
}

function phaseOf(error: unknown): ConnectionPhase {
  const code = errorCode(causeOf(error)) ?? errorCode(error);
  if (code !== undefined && CONNECT_CODES.has(code)) {
    return "connect";
  }
  return code !== undefined && TIMEOUT_CODES.has(code) ? "timeout" : "reset";
}

/** Node's fetch rejects with a `TypeError` whose `cause` is the system error. */
function causeOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { cause?: unknown }).cause : undefined;
}

/** The `code` of a Node system error (or of the first error of an `AggregateError`). */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) {
    return undefined;
  }
  const code: unknown = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    return code;
  }
  const errors: unknown = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errorCode(errors[0]) : undefined;
}

/**
 * At most `limit` bytes of the body; the rest is never read (an endless body is cut). An
 * abort of `signal` while reading rejects with its reason: a body cut short by the caller
 * or the deadline is never decoded.
 */
async function readCapped(response: FetchResponse, limit: number, signal: FetchAbortSignal | undefined): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (reader === undefined) {
    return new Uint8Array();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
  const stop = (): void => {
    reader.cancel(signal?.reason).catch(() => undefined);
  };
  signal?.addEventListener("abort", stop, { once: true });
  try {
    while (size < limit) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        break;
      }
      chunks.push(next.value);
      size += next.value.length;
    }
  } catch {
    // A body cut off mid-way still decodes: what arrived is kept.
  } finally {
    signal?.removeEventListener("abort", stop);
    if (!done) {
      reader.cancel().catch(() => undefined);
    }
  }
  if (signal?.aborted) {
    throw signal.reason;
  }
  const body = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, body.length - offset);
    body.set(part, offset);
    offset += part.length;
  }
  return body;
}

/** A streaming body is read once, so a request carrying one cannot be sent again. */
function isReplayable(input: FetchInput, init: FetchInit): boolean {
  if (init.body !== undefined && init.body !== null) {
    return !(typeof ReadableStream !== "undefined" && init.body instanceof ReadableStream);
  }
  return !(input instanceof Request && input.bodyUsed);
}

/** A random UUID (v4) for `Idempotency-Key`. */
export function newIdempotencyKey(): string {
  // Web Crypto is global from Node 19 and in browsers; Node 18 lacks it.
  const cryptoApi = (globalThis as { crypto?: Partial<Crypto> }).crypto;
  if (typeof cryptoApi?.randomUUID === "function") {
    return cryptoApi.randomUUID();
  }
  const bytes = new Uint8Array(16);
  if (typeof cryptoApi?.getRandomValues === "function") {
    cryptoApi.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i += 1) {
      bytes[i] = Math.floor(Math.random() * 256);
    }
  }
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
