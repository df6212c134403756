/**
 * Send a request again when that is safe and useful, and only then.
 *
 * `Retrier` runs one call under a `RetryPolicy`: it stops on errors that are not
 * retryable, never resends a non-idempotent request the server may have acted on, backs
 * off with full jitter, honours the server's retry hints, respects a deadline, and draws
 * from a `RetryBudget` shared by every call of one client so that an outage is not
 * multiplied by retries. The random source, clock and sleep are injectable.
 */

import { APIError, ConnectionError, VirtEngineError } from "./errors.js";
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
  /** Time allowed for a call, all attempts and sleeps included; null for none. */
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

/** Called before each retry with the attempt about to be sent, the error and the delay (ms). */
export type OnRetry = (attempt: number, error: VirtEngineError, delayMs: number) => void;

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
  /** Milliseconds since the epoch; default `Date.now`. */
  readonly clock?: () => number;
  readonly sleep?: Sleep;
  readonly onRetry?: OnRetry;
  readonly logger?: DebugLogger;
}

/** What one call tells the helper about its request, and per-call overrides. */
export interface CallOptions {
  /** The HTTP method; default GET. */
  readonly method?: string;
  /** The request carries an idempotency key, so resending it is safe. */
  readonly idempotencyKey?: boolean;
  readonly maxAttempts?: number;
  readonly deadlineMs?: number | null;
  /** Aborting stops the call, at once even during a backoff sleep. */
  readonly signal?: FetchAbortSignal;
  /** False when the request cannot be sent again (e.g. a streaming body). */
  readonly replayable?: boolean;
}

/** The longest single timer: `setTimeout` fires at once for anything longer. */
const MAX_TIMER_MS = 2_147_483_647;
/** 2 ** n stays finite; maxDelayMs caps the delay long before. */
const MAX_EXPONENT = 1000;

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

interface Call {
  readonly safe: boolean;
  readonly maxAttempts: number;
  readonly deadlineAt: number | null;
  attempts: number;
  retries: number;
  tokensTaken: number;
}

/**
 * Runs a call, retrying it under the policy (docs/client-behaviour.md section 2).
 *
 * `call(send, options)` calls `send(attempt)` (attempt 1, 2, ...). `send` resolves with the
 * result or rejects with an error of this package; any other rejection propagates at once.
 * On stop the last error is thrown with `attempts` set; a `ConnectionError` that ends a
 * call after an error response carries that response's error as `lastApiError`.
 */
export class Retrier {
  readonly policy: RetryPolicy;
  readonly budget: RetryBudget;
  readonly #random: () => number;
  readonly #clock: () => number;
  readonly #sleep: Sleep;
  readonly #onRetry: OnRetry | undefined;
  readonly #logger: DebugLogger | undefined;

  constructor(options: RetrierOptions = {}) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    this.budget = options.budget ?? new RetryBudget();
    this.#random = options.random ?? Math.random;
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? sleep;
    this.#onRetry = options.onRetry;
    this.#logger = options.logger;
  }

  /** Run `send` until it succeeds or the policy says stop. */
  async call<T>(send: (attempt: number) => Promise<T>, options: CallOptions = {}): Promise<T> {
    const call = this.#start(options);
    let lastApiError: APIError | null = null;
    for (;;) {
      if (options.signal?.aborted) {
        throw abortReason(options.signal);
      }
      call.attempts += 1;
      let result: T;
      try {
        result = await send(call.attempts);
      } catch (error) {
        if (!(error instanceof VirtEngineError)) {
          throw error;
        }
        if (error instanceof APIError) {
          lastApiError = error;
        } else if (error instanceof ConnectionError && lastApiError !== null) {
          error.lastApiError = lastApiError;
        }
        const delay = this.#plan(call, error, options.signal);
        if (delay === null) {
          throw error;
        }
        await this.#sleep(delay, options.signal);
        continue;
      }
      this.#succeeded(call);
      return result;
    }
  }

  #start(options: CallOptions): Call {
    const deadline = options.deadlineMs === undefined ? this.policy.deadlineMs : options.deadlineMs;
    const method = (options.method ?? "GET").toUpperCase();
    return {
      safe: options.idempotencyKey === true || IDEMPOTENT_METHODS.has(method),
      maxAttempts: options.replayable === false ? 1 : (options.maxAttempts ?? this.policy.maxAttempts),
      deadlineAt: deadline === null ? null : this.#clock() + deadline,
      attempts: 0,
      retries: 0,
      tokensTaken: 0,
    };
  }

  /** The delay before the next attempt, or null to stop. */
  #plan(call: Call, error: VirtEngineError, signal: FetchAbortSignal | undefined): number | null {
    error.attempts = call.attempts;
    const now = this.#clock();
    if (signal?.aborted || (call.deadlineAt !== null && now >= call.deadlineAt)) {
      return null;
    }
    if (!error.retryable) {
      return null;
    }
    const throttling = isThrottling(error);
    if (!(call.safe || throttling || neverSent(error))) {
      return null;
    }
    if (call.attempts >= call.maxAttempts) {
      return null;
    }
    const delay = this.#delay(call, error, throttling);
    if (delay === null || (call.deadlineAt !== null && now + delay > call.deadlineAt)) {
      return null;
    }
    if (this.policy.budget) {
      const cost = this.budget.acquire(throttling);
      if (cost === null) {
        return null;
      }
      call.tokensTaken += cost;
    }
    call.retries += 1;
    this.#report(call, error, delay);
    return delay;
  }

  #delay(call: Call, error: VirtEngineError, throttling: boolean): number | null {
    const policy = this.policy;
    const base = throttling ? policy.throttleBaseDelayMs : policy.baseDelayMs;
    const backoff = this.#random() * Math.min(policy.maxDelayMs, base * 2 ** Math.min(call.retries, MAX_EXPONENT));
    const hint = error instanceof APIError ? error.retryAfterMs : null;
    if (hint === null) {
      return backoff;
    }
    return hint > policy.maxRetryAfterMs ? null : Math.max(hint, backoff);
  }

  #report(call: Call, error: VirtEngineError, delay: number): void {
    this.#logger?.debug(
      `retrying (attempt ${call.attempts + 1} of ${call.maxAttempts}) in ${delay.toFixed(0)} ms after: ${error.message}`,
    );
    this.#onRetry?.(call.attempts + 1, error, delay);
  }

  #succeeded(call: Call): void {
    if (this.policy.budget) {
      this.budget.release(call.retries > 0 ? call.tokensTaken : this.budget.successRefund);
    }
  }
}

function isThrottling(error: VirtEngineError): boolean {
  return error instanceof APIError && (error.category === "rate_limit" || error.httpStatus === 429);
}

function neverSent(error: VirtEngineError): boolean {
  return error instanceof ConnectionError && !error.requestSent;
}
