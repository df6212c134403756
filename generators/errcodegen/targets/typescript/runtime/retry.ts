/**
 * Send a request again when that is safe and useful, and only then.
 *
 * `Retrier` runs one call under a `RetryPolicy`: it stops on errors that are not
 * retryable, never resends a non-idempotent request the server may have acted on, backs
 * off with full jitter, honours the server's retry hints, respects a deadline, and draws
 * from a `RetryBudget` shared by every call of one client so that an outage is not
 * multiplied by retries. The random source, clock and sleep are injectable.
 */

import type { HeadersLike } from "./decode.js";
import { APIError, ConnectionError, type AttemptRecord, type StopReason, type VirtEngineError } from "./errors.js";
import {
  BASE_DELAY_MS,
  BUDGET_CAPACITY,
  BUDGET_ENABLED,
  IDEMPOTENT_METHODS,
  MAX_ATTEMPTS,
  MAX_DELAY_MS,
  MAX_RETRY_AFTER_MS,
  RETRY_COST,
  SUCCESS_REFUND,
  THROTTLE_BASE_DELAY_MS,
  THROTTLE_RETRY_COST,
} from "./registry.js";
import { FrozenMap, surfaced, withoutStack } from "./tables.js";
import type { FetchAbortSignal } from "./web.js";

/** How a call is retried; durations in milliseconds. Defaults come from the registry. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  /** Base delay after a rate-limit error. */
  readonly throttleBaseDelayMs: number;
  readonly maxDelayMs: number;
  /** A server hint longer than this stops retrying rather than waiting. */
  readonly maxRetryAfterMs: number;
  /**
   * Time allowed for a call, all attempts, reading error bodies and sleeps included; null
   * for none.
   */
  readonly deadlineMs: number | null;
  /** Whether retries draw from the client's retry budget. */
  readonly budget: boolean;
}

/** The registry's retry policy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: MAX_ATTEMPTS,
  baseDelayMs: BASE_DELAY_MS,
  throttleBaseDelayMs: THROTTLE_BASE_DELAY_MS,
  maxDelayMs: MAX_DELAY_MS,
  maxRetryAfterMs: MAX_RETRY_AFTER_MS,
  deadlineMs: null,
  budget: BUDGET_ENABLED,
});

/** The request of a call, as the hooks see it. */
export interface RetryRequest {
  readonly method: string;
  /** Null when the call did not say (`CallOptions.url`). */
  readonly url: string | null;
  /** The headers the caller set, names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
}

/**
 * Called before each retry with the attempt about to be sent (2 for the first retry), the
 * error, the delay (ms) and the request. If it throws, the call ends with that exception
 * and the retry's tokens go back to the budget.
 */
export type OnRetry = (attempt: number, error: VirtEngineError, delayMs: number, request: RetryRequest) => void;

/**
 * Decides whether an error is retryable, in place of its `retryable` flag: `true` retries,
 * `false` stops (`not_retryable`), `undefined` keeps the default. Called with the error,
 * the number of the attempt that failed and the request. It cannot send a request
 * without an idempotency key through the idempotency gate, nor pass the attempt limit,
 * the deadline or the budget. If it throws, the call ends with that exception.
 */
export type ShouldRetry = (
  error: APIError | ConnectionError,
  attempt: number,
  request: RetryRequest,
) => boolean | undefined | Promise<boolean | undefined>;

/** Waits `ms` milliseconds; rejects with the signal's reason as soon as `signal` aborts. */
export type Sleep = (ms: number, signal?: FetchAbortSignal) => Promise<void>;

/** Where the helper reports each retry at debug level (e.g. `console`). */
export interface DebugLogger {
  debug(message: string): void;
}

/**
 * A token bucket shared by every call of one client: retries spend, successes refill.
 * A retry costs `retryCost` tokens (`throttleRetryCost` after a rate-limit error);
 * without enough tokens the call stops retrying.
 */
export class RetryBudget {
  #tokens: number;

  constructor(
    readonly capacity: number = BUDGET_CAPACITY,
    tokens: number = capacity,
    readonly retryCost: number = RETRY_COST,
    readonly throttleRetryCost: number = THROTTLE_RETRY_COST,
    readonly successRefund: number = SUCCESS_REFUND,
  ) {
    for (const [name, value] of Object.entries({ capacity, tokens, retryCost, throttleRetryCost, successRefund })) {
      requireAtLeastZero(`RetryBudget ${name}`, value);
    }
    this.#tokens = Math.max(0, Math.min(tokens, capacity));
  }

  /** Tokens left. */
  get tokens(): number {
    return this.#tokens;
  }

  /** Take the cost of one retry; null (and nothing taken) if too few tokens are left. */
  acquire(throttling: boolean): number | null {
    const cost = throttling ? this.throttleRetryCost : this.retryCost;
    if (this.#tokens < cost) {
      return null;
    }
    this.#tokens -= cost;
    return cost;
  }

  /** Give `tokens` back, never above capacity. */
  release(tokens: number): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + tokens);
  }
}


/** Options of a `Retrier`. */
export interface RetrierOptions {
  readonly policy?: Partial<RetryPolicy>;
  readonly budget?: RetryBudget;
  /** Draws in [0, 1); default `Math.random`. */
  readonly random?: () => number;
  /** A monotonic clock in milliseconds; default `performance.now`. */
  readonly clock?: () => number;
  readonly sleep?: Sleep;
  readonly onRetry?: OnRetry;
  readonly shouldRetry?: ShouldRetry;
  readonly logger?: DebugLogger;
}

/** What one call tells the helper about its request, and per-call overrides. */
export interface CallOptions {
  /** The HTTP method; default GET. */
  readonly method?: string;
  /** The request's URL, for errors, hooks and the log line. */
  readonly url?: string;
  /** The request's headers; an `Idempotency-Key` header that is not empty counts as a key. */
  readonly headers?: HeadersLike;
  /** The request carries an idempotency key, so resending it is safe. */
  readonly idempotencyKey?: boolean;
  readonly maxAttempts?: number;
  readonly deadlineMs?: number | null;
  /** Aborting ends the call at once, during an attempt or a backoff sleep. */
  readonly signal?: FetchAbortSignal;
  /** False when the request cannot be sent again (e.g. a streaming body). */
  readonly replayable?: boolean;
}

/** What the helper gives each attempt. */
export interface AttemptContext {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /**
   * Aborts when the caller aborts or when the call's deadline passes; hand it to the
   * transport (`fetch`'s `signal`) so that the attempt, reading its body included, stops
   * there. Undefined without a caller's signal and without a deadline.
   */
  readonly signal: FetchAbortSignal | undefined;
  /** The time this attempt may take (ms): what is left until the deadline; null without one. */
  readonly budgetMs: number | null;
}

/** The longest single timer: `setTimeout` fires at once for anything longer. */
const MAX_TIMER_MS = 2_147_483_647;
/** 2 ** n stays finite; maxDelayMs caps the delay long before. */
const MAX_EXPONENT = 1000;
const IDEMPOTENCY_KEY = "idempotency-key";

/** The default sleep: timers, cut short by `signal`. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const wait = (left: number): void => {
      timer = setTimeout(() => {
        if (left > MAX_TIMER_MS) {
          wait(left - MAX_TIMER_MS);
          return;
        }
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.min(Math.max(left, 0), MAX_TIMER_MS));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    wait(ms);
  });

/** The error an aborted call rejects with: the signal's reason, else an `AbortError`. */
export function abortReason(signal: FetchAbortSignal | undefined): unknown {
  return signal?.reason ?? new DOMException("This operation was aborted", "AbortError");
}

/** The default clock: monotonic milliseconds. */
const monotonic = (): number => performance.now();

interface Call {
  readonly request: RetryRequest;
  readonly safe: boolean;
  readonly replayable: boolean;
  readonly maxAttempts: number;
  readonly deadlineAt: number | null;
  readonly history: AttemptRecord[];
  attempts: number;
  retries: number;
  tokensTaken: number;
  delayMs: number;
  lastApiError: APIError | null;
}

/** The signals of one attempt: the one to hand on, and the deadline's own. */
interface AttemptBounds {
  readonly signal: FetchAbortSignal | undefined;
  readonly deadline: FetchAbortSignal | undefined;
}

/**
 * Runs a call, retrying it under the policy (docs/client-behaviour.md section 2).
 *
 * `call(send, options)` calls `send(attempt, context)` (attempt 1, 2, ...). `send` resolves
 * with the result or rejects with an `APIError` or a `ConnectionError`; any other rejection
 * (a `RequestError`, a bug) ends the call at once, unchanged. `context.signal` aborts when
 * the caller aborts or the deadline passes: the helper then stops waiting for the attempt
 * (a deadline makes it a `ConnectionError` of phase `timeout`, an abort ends the call with
 * the abort's reason). On stop the last error is thrown with `attempts`, `stopReason`,
 * `history`, `method` and `url` set; a `ConnectionError` keeps the most recent error
 * response of the call as `lastApiError`.
 */
export class Retrier {
  readonly policy: RetryPolicy;
  readonly budget: RetryBudget;
  readonly #random: () => number;
  readonly #clock: () => number;
  readonly #sleep: Sleep;
  readonly #onRetry: OnRetry | undefined;
  readonly #shouldRetry: ShouldRetry | undefined;
  readonly #logger: DebugLogger | undefined;

  constructor(options: RetrierOptions = {}) {
    this.policy = Object.freeze(validatePolicy({ ...DEFAULT_RETRY_POLICY, ...options.policy }));
    this.budget = options.budget ?? new RetryBudget();
    this.#random = options.random ?? Math.random;
    this.#clock = options.clock ?? monotonic;
    this.#sleep = options.sleep ?? sleep;
    this.#onRetry = options.onRetry;
    this.#shouldRetry = options.shouldRetry;
    this.#logger = options.logger;
  }

  /** Run `send` until it succeeds or the policy says stop. */
  async call<T>(send: (attempt: number, context: AttemptContext) => Promise<T>, options: CallOptions = {}): Promise<T> {
    const call = this.#start(options);
    const signal = options.signal;
    for (;;) {
      if (signal?.aborted) {
        throw abortReason(signal);
      }
      call.attempts += 1;
      const budgetMs = call.deadlineAt === null ? null : Math.max(0, call.deadlineAt - this.#clock());
      const bounds = attemptBounds(signal, budgetMs);
      let result: T;
      try {
        result = await settleBefore(() => send(call.attempts, { attempt: call.attempts, signal: bounds.signal, budgetMs }), bounds.signal);
      } catch (thrown) {
        if (signal?.aborted) {
          throw abortReason(signal);
        }
        const deadlinePassed = bounds.deadline?.aborted === true;
        const error = deadlinePassed && !isFailure(thrown) ? deadlineError(thrown) : thrown;
        if (!isFailure(error)) {
          throw error;
        }
        this.#record(call, error);
        const next = await this.#decide(call, error, deadlinePassed, signal);
        if (typeof next === "string") {
          error.stopReason = next;
          // Built without a stack (most never reach the caller): this one gets the caller's.
          throw surfaced(error);
        }
        await this.#sleep(next, signal);
        call.delayMs = next;
        continue;
      }
      this.#succeeded(call);
      return result;
    }
  }

  #start(options: CallOptions): Call {
    const method = options.method ?? "GET";
    const headers = lowerCaseHeaders(options.headers);
    const key = headers.get(IDEMPOTENCY_KEY);
    const deadline = options.deadlineMs === undefined ? this.policy.deadlineMs : options.deadlineMs;
    const maxAttempts = options.maxAttempts ?? this.policy.maxAttempts;
    requireAttempts("maxAttempts", maxAttempts);
    if (deadline !== null) {
      requireDeadline("deadlineMs", deadline);
    }
    return {
      request: Object.freeze({ method, url: options.url ?? null, headers }),
      safe:
        options.idempotencyKey === true ||
        (key !== undefined && key.trim() !== "") ||
        IDEMPOTENT_METHODS.has(method.toUpperCase()),
      replayable: options.replayable !== false,
      maxAttempts,
      deadlineAt: deadline === null ? null : this.#clock() + deadline,
      history: [],
      attempts: 0,
      retries: 0,
      tokensTaken: 0,
      delayMs: 0,
      lastApiError: null,
    };
  }

  /** Mark the error with what the call knows so far. */
  #record(call: Call, error: APIError | ConnectionError): void {
    const isApiError = error instanceof APIError;
    call.history.push(
      Object.freeze({
        status: isApiError ? error.httpStatus : null,
        phase: isApiError ? null : error.phase,
        delayMs: call.delayMs,
      }),
    );
    error.attempts = call.attempts;
    error.history = Object.freeze(call.history.slice());
    error.method = call.request.method;
    error.url = call.request.url;
    if (isApiError) {
      call.lastApiError = error;
    } else if (call.lastApiError !== null) {
      error.lastApiError = call.lastApiError;
    }
  }

  /** Rules 2.1 to 2.8: the delay before the next attempt, or why the call stops. */
  async #decide(
    call: Call,
    error: APIError | ConnectionError,
    deadlinePassed: boolean,
    signal: FetchAbortSignal | undefined,
  ): Promise<number | StopReason> {
    const now = this.#clock();
    if (call.deadlineAt !== null && (deadlinePassed || now >= call.deadlineAt)) {
      return "deadline";
    }
    const verdict = this.#shouldRetry === undefined ? undefined : await this.#shouldRetry(error, call.attempts, call.request);
    if (signal?.aborted) {
      throw abortReason(signal);
    }
    if (!(verdict ?? error.retryable)) {
      return "not_retryable";
    }
    const throttling = isThrottling(error);
    if (!(call.safe || throttling || neverSent(error))) {
      return "not_idempotent";
    }
    if (!call.replayable) {
      return "body_not_replayable";
    }
    if (call.attempts >= call.maxAttempts) {
      return "max_attempts";
    }
    const policy = this.policy;
    const base = throttling ? policy.throttleBaseDelayMs : policy.baseDelayMs;
    const backoff = this.#random() * Math.min(policy.maxDelayMs, base * 2 ** Math.min(call.retries, MAX_EXPONENT));
    const hint = error instanceof APIError ? error.retryAfterMs : null;
    if (hint !== null && hint > policy.maxRetryAfterMs) {
      return "hint_too_long";
    }
    const delay = hint === null ? backoff : Math.max(hint, backoff);
    if (call.deadlineAt !== null && now + delay > call.deadlineAt) {
      return "deadline";
    }
    let cost = 0;
    if (policy.budget) {
      const taken = this.budget.acquire(throttling);
      if (taken === null) {
        return "budget_exhausted";
      }
      cost = taken;
    }
    try {
      this.#report(call, error, delay);
    } catch (hookError) {
      this.budget.release(cost);
      throw hookError;
    }
    call.tokensTaken += cost;
    call.retries += 1;
    return delay;
  }

  #report(call: Call, error: VirtEngineError, delay: number): void {
    const { method, url } = call.request;
    this.#logger?.debug(
      `retrying ${method}${url === null ? "" : ` ${url}`} (attempt ${call.attempts + 1} of ${call.maxAttempts}) in ${delay.toFixed(0)} ms after: ${error.message}`,
    );
    this.#onRetry?.(call.attempts + 1, error, delay, call.request);
  }

  #succeeded(call: Call): void {
    if (this.policy.budget) {
      this.budget.release(call.retries > 0 ? call.tokensTaken : this.budget.successRefund);
    }
  }
}

function isFailure(error: unknown): error is APIError | ConnectionError {
  return error instanceof APIError || error instanceof ConnectionError;
}

function isThrottling(error: VirtEngineError): boolean {
  return error instanceof APIError && (error.category === "rate_limit" || error.httpStatus === 429);
}

function neverSent(error: VirtEngineError): boolean {
  return error instanceof ConnectionError && !error.requestSent;
}

/** The attempt the deadline cut short: a connection error of phase `timeout`. */
function deadlineError(cause: unknown): ConnectionError {
  const message = "connection failed (timeout): the call's deadline passed during the attempt";
  return withoutStack(() => new ConnectionError(message, "timeout", cause));
}

/** The headers of a call that has none. */
const NO_HEADERS: ReadonlyMap<string, string> = new FrozenMap<string, string>([]);

function lowerCaseHeaders(headers: HeadersLike | undefined): ReadonlyMap<string, string> {
  if (headers === undefined) {
    return NO_HEADERS;
  }
  const lowered = new Map<string, string>();
  const pairs: Iterable<readonly [string, string]> =
    Symbol.iterator in headers ? (headers as Iterable<readonly [string, string]>) : Object.entries(headers);
  for (const [name, value] of pairs) {
    lowered.set(name.toLowerCase(), value);
  }
  return lowered;
}

/**
 * The signal of one attempt: the caller's, and one that aborts `budgetMs` from now with a
 * `TimeoutError` (`AbortSignal.timeout`'s reason), joined with `AbortSignal.any`.
 */
function attemptBounds(caller: FetchAbortSignal | undefined, budgetMs: number | null): AttemptBounds {
  if (budgetMs === null) {
    return { signal: caller, deadline: undefined };
  }
  const deadline = timeoutSignal(budgetMs);
  return { signal: caller === undefined ? deadline : anySignal(caller, deadline), deadline };
}

function timeoutSignal(ms: number): FetchAbortSignal {
  const delay = Math.min(Math.ceil(ms), MAX_TIMER_MS);
  if (typeof AbortSignal.timeout === "function") {
    return AbortSignal.timeout(delay);
  }
  const controller = new AbortController();
  const timer: unknown = setTimeout(() => {
    controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
  }, delay);
  (timer as { unref?: () => void }).unref?.();
  return controller.signal;
}

function anySignal(first: FetchAbortSignal, second: FetchAbortSignal): FetchAbortSignal {
  if (typeof AbortSignal.any === "function") {
    return AbortSignal.any([first, second]);
  }
  const controller = new AbortController();
  for (const signal of [first, second]) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener(
      "abort",
      () => {
        controller.abort(signal.reason);
      },
      { once: true },
    );
  }
  return controller.signal;
}

/**
 * What `start()` settles with, unless `signal` aborts first: then the signal's reason, at
 * once (an attempt that ignores its signal is abandoned, its outcome ignored).
 */
function settleBefore<T>(start: () => Promise<T>, signal: FetchAbortSignal | undefined): Promise<T> {
  let pending: Promise<T>;
  try {
    pending = start();
  } catch (error) {
    return Promise.reject(error);
  }
  if (signal === undefined) {
    return pending;
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(abortReason(signal));
    };
    if (signal.aborted) {
      onAbort();
    } else {
      signal.addEventListener("abort", onAbort, { once: true });
    }
    pending.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The policy, or a `RangeError` naming the first option that is out of range. */
function validatePolicy(policy: RetryPolicy): RetryPolicy {
  requireAttempts("policy.maxAttempts", policy.maxAttempts);
  requireAtLeastZero("policy.baseDelayMs", policy.baseDelayMs);
  requireAtLeastZero("policy.throttleBaseDelayMs", policy.throttleBaseDelayMs);
  requireAtLeastZero("policy.maxDelayMs", policy.maxDelayMs);
  requireAtLeastZero("policy.maxRetryAfterMs", policy.maxRetryAfterMs);
  if (policy.deadlineMs !== null) {
    requireDeadline("policy.deadlineMs", policy.deadlineMs);
  }
  if (typeof policy.budget !== "boolean") {
    throw new TypeError(`policy.budget must be true or false, got ${String(policy.budget)}`);
  }
  return policy;
}

function requireAttempts(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer of at least 1, got ${String(value)}`);
  }
}

function requireAtLeastZero(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number of at least 0, got ${String(value)}`);
  }
}

function requireDeadline(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a finite number greater than 0 (or null for none), got ${String(value)}`);
  }
}
