/**
 * The errors this package throws: `VirtEngineError` is the root; `APIError` (one subclass
 * per category) stands for an error response, `ConnectionError` for a transport failure.
 *
 * Each class sets its `name` to its own name as a string, so that a minified bundle keeps
 * it. Test errors with `instanceof` or the guards rather than by `name`: `TimeoutError`
 * and `NotFoundError` are also names of `DOMException` kinds (`AbortSignal.timeout()`
 * aborts `fetch` with a `DOMException` named `TimeoutError`), and no error of this package
 * is a `DOMException`.
 */

import type { ErrorCodeString } from "./catalog.js";

/**
 * Why the retry helper stopped and threw this error (docs/client-behaviour.md, 2.9). A
 * cancelled call rejects with the caller's abort reason instead, which has no stop reason.
 */
export type StopReason =
  | "not_retryable"
  | "not_idempotent"
  | "max_attempts"
  | "budget_exhausted"
  | "hint_too_long"
  | "deadline"
  | "body_not_replayable";

/** How a connection failed: while connecting (never sent), reset, or timed out. */
export type ConnectionPhase = "connect" | "reset" | "timeout";

/** One attempt of a call: its HTTP status or connection phase, and the delay slept before it. */
export interface AttemptRecord {
  /** The status of the error response; null for a connection error. */
  readonly status: number | null;
  /** The phase of the connection error; null for an error response. */
  readonly phase: ConnectionPhase | null;
  /** Milliseconds slept before the attempt (0 for the first). */
  readonly delayMs: number;
}

const NO_HISTORY: readonly AttemptRecord[] = Object.freeze([]);

/** The root of every error of this package. */
export abstract class VirtEngineError extends Error {
  /** Attempts made when the error was thrown (1 without retries). */
  attempts = 1;

  /** Why the retry helper stopped with this error; null when no helper ran the call. */
  stopReason: StopReason | null = null;

  /** The call's attempts, in order, when the retry helper threw this error; else empty. */
  history: readonly AttemptRecord[] = NO_HISTORY;

  /** The request's method, when the retry helper or `createFetch` sent it. */
  method: string | null = null;

  /** The request's URL, when the retry helper or `createFetch` sent it. */
  url: string | null = null;

  /** Whether sending the request again may succeed. */
  abstract readonly retryable: boolean;

  protected constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }

  /** The error's text: `module:number: message`, or the message alone without a code. */
  override toString(): string {
    return this.message;
  }
}

/**
 * What the body of an error was recognised as: an `envelope` or an RFC 9457 `problem`, the
 * chain's REST gateway status (`grpc_gateway`), a body whose `error` member is a string
 * (`error_member`), a plain-text body (`text`), or nothing (`none`); `abci` for an error
 * built from a transaction result (`errorFromAbci`, `errorFromTxResponse`).
 */
export type ErrorShape = "envelope" | "problem" | "grpc_gateway" | "error_member" | "text" | "none" | "abci";

/** The fields of an API error, as the decoder found or inferred them. */
export interface APIErrorFields {
  readonly code: ErrorCodeString | null;
  readonly module: string | null;
  readonly number: number | null;
  /** The message alone, without the code. */
  readonly errorMessage: string;
  readonly category: string | null;
  readonly severity: string;
  readonly retryable: boolean;
  readonly context: Readonly<Record<string, unknown>> | null;
  /** The response's status; null for an error built from a transaction result. */
  readonly httpStatus: number | null;
  /** The `x-request-id` response header. */
  readonly requestId: string | null;
  /** The server's retry hint in milliseconds, or null without one. */
  readonly retryAfterMs: number | null;
  /**
   * The body as received (at most the body cap), decoded as UTF-8. Not enumerable on an
   * `APIError`: loggers and `JSON.stringify` leave it out; read it by name.
   */
  readonly rawBody: string;
  /** Whether the body was an envelope or an RFC 9457 problem. */
  readonly envelope: boolean;
  /** What the body was recognised as. */
  readonly shape: ErrorShape;
  /** The response's headers, names in lower case; none for a transaction result. */
  readonly headers?: ReadonlyMap<string, string>;
}

/**
 * An error response. Its class is that of its category; the base class itself stands
 * for a status without a category or a category this version does not know.
 */
export class APIError extends VirtEngineError implements APIErrorFields {
  override name = "APIError";
  readonly code: ErrorCodeString | null;
  readonly module: string | null;
  readonly number: number | null;
  readonly errorMessage: string;
  readonly category: string | null;
  readonly severity: string;
  readonly retryable: boolean;
  readonly context: Readonly<Record<string, unknown>> | null;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  readonly retryAfterMs: number | null;
  readonly envelope: boolean;
  readonly shape: ErrorShape;
  // Up to the body cap (1 MiB by default) and the headers: kept off enumeration, so off logs and JSON.
  readonly #rawBody: string;
  readonly #headers: ReadonlyMap<string, string>;

  constructor(fields: APIErrorFields, cause?: unknown) {
    super(fields.code === null ? fields.errorMessage : `${fields.code}: ${fields.errorMessage}`, cause);
    this.code = fields.code;
    this.module = fields.module;
    this.number = fields.number;
    this.errorMessage = fields.errorMessage;
    this.category = fields.category;
    this.severity = fields.severity;
    this.retryable = fields.retryable;
    this.context = fields.context;
    this.httpStatus = fields.httpStatus;
    this.requestId = fields.requestId;
    this.retryAfterMs = fields.retryAfterMs;
    this.envelope = fields.envelope;
    this.shape = fields.shape;
    this.#rawBody = fields.rawBody;
    this.#headers = fields.headers ?? new Map<string, string>();
  }

  /**
   * The body as received (at most the body cap), decoded as UTF-8. Not an own property:
   * loggers and `JSON.stringify` leave it out; read it by name.
   */
  get rawBody(): string {
    return this.#rawBody;
  }

  /** The response's headers, names in lower case; like `rawBody`, off logs and JSON. */
  get headers(): ReadonlyMap<string, string> {
    return this.#headers;
  }
}

/**
 * The request failed below HTTP: connection refused, DNS failure, reset, or a timeout
 * while reading. Always retryable; `requestSent` tells whether the server may have seen it.
 */
export class ConnectionError extends VirtEngineError {
  override name = "ConnectionError";
  readonly retryable = true;
  /** False only when the failure happened while connecting: the server never saw the request. */
  readonly requestSent: boolean;
  /**
   * The most recent error response of the same call when a later attempt failed below
   * HTTP (set by the retry helper; null otherwise). In a browser, a retry that needs a CORS
   * preflight the server refuses fails as `Failed to fetch`; the server's answer to the
   * attempt before stays here.
   */
  lastApiError: APIError | null = null;

  constructor(
    message: string,
    readonly phase: ConnectionPhase,
    cause?: unknown,
  ) {
    super(message, cause);
    this.requestSent = phase !== "connect";
  }
}

/**
 * The request itself is wrong (an invalid URL, a scheme other than http or https, a header
 * that cannot be sent): raised at once, never sent, never retried.
 */
export class RequestError extends VirtEngineError {
  override name = "RequestError";
  readonly retryable = false;
  /** Always false: nothing was sent. */
  readonly requestSent = false;

  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- public: the base's is protected
  constructor(message: string, cause?: unknown) {
    super(message, cause);
  }
}

/** Whether `error` is an error of this package. */
export function isVirtEngineError(error: unknown): error is VirtEngineError {
  return error instanceof VirtEngineError;
}

/** Whether `error` is an error response. */
export function isAPIError(error: unknown): error is APIError {
  return error instanceof APIError;
}

/** Whether `error` is a transport failure. */
export function isConnectionError(error: unknown): error is ConnectionError {
  return error instanceof ConnectionError;
}

/** Whether `error` is a mistake in the request, raised before anything was sent. */
export function isRequestError(error: unknown): error is RequestError {
  return error instanceof RequestError;
}

/** Whether `error` is an error response with exactly this code. */
export function hasCode<C extends ErrorCodeString>(error: unknown, code: C): error is APIError & { readonly code: C } {
  return error instanceof APIError && error.code === code;
}
