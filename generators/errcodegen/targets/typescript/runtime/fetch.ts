/**
 * `fetch` with typed errors and retries: `createFetch(options)` returns a function with
 * `fetch`'s signature that resolves with responses below 400, throws an `APIError` for
 * error responses and a `ConnectionError` for transport failures, and retries under the
 * policy with one retry budget shared by all its calls.
 */

import { decodeError } from "./decode.js";
import { ConnectionError, type ConnectionPhase } from "./errors.js";
import { MAX_ERROR_BODY_BYTES } from "./registry.js";
import { abortReason, Retrier, type RetrierOptions } from "./retry.js";
import type { FetchFunction, FetchInit, FetchInput, FetchResponse } from "./web.js";

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
  const clock = options.clock ?? Date.now;
  const retryAttemptHeader = options.retryAttemptHeader ?? true;
  return async (input, init = {}) => {
    const { idempotencyKey, maxAttempts, deadlineMs, ...requestInit } = init;
    // A Request carries its own signal; `init.signal`, when given, replaces it (as in fetch).
    const signal = requestInit.signal ?? (input instanceof Request ? input.signal : undefined);
    const key = idempotencyKey === true ? newIdempotencyKey() : idempotencyKey;
    const deadline = deadlineMs === undefined ? retrier.policy.deadlineMs : deadlineMs;
    const deadlineAt = deadline === null ? null : clock() + deadline;
    const attempt = async (attemptNumber: number): Promise<FetchResponse> => {
      const headers = new Headers(requestInit.headers ?? (input instanceof Request ? input.headers : undefined));
      if (key !== undefined) {
        headers.set(IDEMPOTENCY_KEY_HEADER, key);
      }
      if (attemptNumber > 1 && retryAttemptHeader) {
        headers.set(RETRY_ATTEMPT_HEADER, String(attemptNumber - 1));
      }
      const request = input instanceof Request ? input.clone() : input;
      const attemptInit: FetchInit = signal ? { ...requestInit, headers, signal } : { ...requestInit, headers };
      const response = await sendOnce(send, request, attemptInit, deadlineAt, clock);
      if (response.status < 400) {
        return response;
      }
      const body = await readCapped(response, maxBodyBytes);
      throw decodeError(response.status, response.headers, body, { now: clock(), maxBodyBytes });
    };
    return retrier.call(attempt, {
      method: requestInit.method ?? (input instanceof Request ? input.method : "GET"),
      idempotencyKey: key !== undefined,
      deadlineMs: deadline,
      replayable: isReplayable(input, requestInit),
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      ...(signal ? { signal } : {}),
    });
  };
}

/** One attempt; transport failures become `ConnectionError`, the caller's abort passes through. */
async function sendOnce(
  send: FetchFunction,
  input: FetchInput,
  init: FetchInit,
  deadlineAt: number | null,
  clock: () => number,
): Promise<FetchResponse> {
  const callerSignal = init.signal ?? undefined;
  if (deadlineAt === null) {
    // Nothing of ours to cancel: the caller's signal (if any) goes to fetch as it is.
    try {
      return await send(input, init);
    } catch (error) {
      throw callerSignal?.aborted ? abortReason(callerSignal) : connectionError(error, false);
    }
  }
  return sendBefore(send, input, init, deadlineAt - clock());
}

/** One attempt that the call's deadline cuts short, `leftMs` from now. */
async function sendBefore(
  send: FetchFunction,
  input: FetchInput,
  init: FetchInit,
  leftMs: number,
): Promise<FetchResponse> {
  const callerSignal = init.signal ?? undefined;
  const controller = new AbortController();
  const forward = (): void => {
    controller.abort(abortReason(callerSignal));
  };
  callerSignal?.addEventListener("abort", forward, { once: true });
  if (callerSignal?.aborted) {
    forward();
  }
  const timer = setTimeout(() => {
    controller.abort(new DeadlineExceeded());
  }, Math.max(0, leftMs));
  try {
    return await send(input, { ...init, signal: controller.signal });
  } catch (error) {
    if (callerSignal?.aborted) {
      throw abortReason(callerSignal);
    }
    throw connectionError(error, controller.signal.reason instanceof DeadlineExceeded);
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener("abort", forward);
  }
}

class DeadlineExceeded extends Error {
  constructor() {
    super("the call's deadline passed");
  }
}

function connectionError(error: unknown, deadlinePassed: boolean): ConnectionError {
  const phase: ConnectionPhase = deadlinePassed ? "timeout" : phaseOf(error);
  const cause = causeOf(error) ?? error;
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ConnectionError(`connection failed (${phase}): ${detail}`, phase, error);
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

/** At most `limit` bytes of the body; the rest is never read (an endless body is cut). */
async function readCapped(response: FetchResponse, limit: number): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (reader === undefined) {
    return new Uint8Array();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  let done = false;
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
    if (!done) {
      reader.cancel().catch(() => undefined);
    }
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
