/**
 * Read-only tables, what sentinels match beyond categories, codes and statuses, and
 * errors built without a stack trace until they reach the caller.
 *
 * Every table the package carries (the catalog, the category defaults, the status and
 * gRPC tables, the reason phrases, the sentinels' sets) is a `FrozenMap` or a
 * `FrozenSet`: an application cannot change how later responses are decoded or matched,
 * not even through `Map.prototype.set.call`. Not exported by the package.
 */

import { APIError, ConnectionError, VirtEngineError } from "./errors.js";
import type { SentinelFailure } from "./sentinels.js";

/** A map that cannot change after it is built. */
export class FrozenMap<K, V> implements ReadonlyMap<K, V> {
  readonly #entries: Map<K, V>;

  constructor(entries: Iterable<readonly [K, V]>) {
    this.#entries = new Map(entries);
    Object.freeze(this);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    this.#entries.forEach((value, key) => {
      callback.call(thisArg, value, key, this);
    });
  }

  entries(): IterableIterator<[K, V]> {
    return this.#entries.entries();
  }

  keys(): IterableIterator<K> {
    return this.#entries.keys();
  }

  values(): IterableIterator<V> {
    return this.#entries.values();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.#entries.entries();
  }
}

/** A set that cannot change after it is built. */
export class FrozenSet<T> implements ReadonlySet<T> {
  readonly #members: Set<T>;

  constructor(members: Iterable<T>) {
    this.#members = new Set(members);
    Object.freeze(this);
  }

  get size(): number {
    return this.#members.size;
  }

  has(member: T): boolean {
    return this.#members.has(member);
  }

  forEach(callback: (value: T, value2: T, set: ReadonlySet<T>) => void, thisArg?: unknown): void {
    this.#members.forEach((member) => {
      callback.call(thisArg, member, member, this);
    });
  }

  entries(): IterableIterator<[T, T]> {
    return this.#members.entries();
  }

  keys(): IterableIterator<T> {
    return this.#members.keys();
  }

  values(): IterableIterator<T> {
    return this.#members.values();
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.#members.values();
  }
}

Object.freeze(FrozenMap.prototype);
Object.freeze(FrozenSet.prototype);

/**
 * The client-side failures `error` stands for (docs/client-behaviour.md, 3.1): a connection
 * error's phase, `deadline` for a call stopped by its deadline or a `TimeoutError`
 * `DOMException` (`AbortSignal.timeout()`), `cancelled` for an `AbortError`, `max_attempts`
 * for a call that used all its attempts.
 */
export function failuresOf(error: unknown): SentinelFailure[] {
  if (error instanceof VirtEngineError) {
    const failures: SentinelFailure[] = error instanceof ConnectionError ? [error.phase] : [];
    if (error instanceof APIError || error instanceof ConnectionError) {
      if (error.stopReason === "deadline") {
        failures.push("deadline");
      } else if (error.stopReason === "max_attempts") {
        failures.push("max_attempts");
      }
    }
    return failures;
  }
  const name = typeof error === "object" && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name === "AbortError") {
    return ["cancelled"];
  }
  return name === "TimeoutError" ? ["deadline"] : [];
}

/** V8's stack-trace controls (Node, Chromium, Deno); elsewhere absent, and nothing changes. */
const stackTraces = Error as ErrorConstructor & {
  stackTraceLimit?: number;
  captureStackTrace?: (target: object, below: (...args: never[]) => unknown) => void;
};

/**
 * What `build(...args)` returns, with no stack trace captured for the errors it constructs:
 * capturing one is most of the cost of decoding a response, and the errors of attempts
 * that are retried never reach the caller. `surfaced` gives an error its stack when it does.
 */
export function withoutStack<A extends unknown[], T>(build: (...args: A) => T, ...args: A): T {
  const limit = stackTraces.stackTraceLimit;
  if (typeof limit !== "number") {
    return build(...args);
  }
  stackTraces.stackTraceLimit = 0;
  try {
    return build(...args);
  } finally {
    stackTraces.stackTraceLimit = limit;
  }
}

/**
 * `error` with a stack trace taken here, below `below`, where it is handed to the caller
 * (async frames included); on an engine without `Error.captureStackTrace`, the frames of an
 * `Error` made here.
 */
export function surfaced<E extends Error>(error: E, below: (...args: never[]) => unknown = surfaced): E {
  if (stackTraces.captureStackTrace !== undefined) {
    stackTraces.captureStackTrace(error, below);
  } else {
    const { stack } = new Error(error.message);
    if (stack !== undefined) {
      error.stack = stack;
    }
  }
  return error;
}

/** What decoding needs of a code of the catalog. */
export interface CodeFacts {
  readonly module: string;
  readonly number: number;
  readonly message: string;
  readonly category: string;
  readonly severity: string;
  readonly retryable: boolean;
}

/**
 * A code of the compact catalog: its number step (none for 1), category letter, `!` when
 * its retryable flag is flipped, `~` and a severity index when not its category's.
 */
const PACKED_CODE = /([0-9]*)([a-zA-Z])(!?)(?:~([0-9]))?/g;

/**
 * The codes of the compact catalog (catalog.ts, `MODULE_CODES`), in its order, each with
 * its message and with its category's defaults where it does not say otherwise.
 */
export function unpackCodes(
  modules: readonly (readonly [module: string, codes: string])[],
  messages: readonly string[],
  categories: readonly string[],
  severities: readonly string[],
  defaults: ReadonlyMap<string, { readonly severity: string; readonly retryable: boolean }>,
): CodeFacts[] {
  const codes: CodeFacts[] = [];
  for (const [module, packed] of modules) {
    let number = 0;
    for (const [, step = "", letter = "a", flipped, severity] of packed.matchAll(PACKED_CODE)) {
      const unit = letter.charCodeAt(0);
      const category = categories[unit >= 0x61 ? unit - 0x61 : unit - 0x41 + 26] ?? "";
      const fallback = defaults.get(category);
      number += step === "" ? 1 : Number(step);
      codes.push(
        Object.freeze({
          module,
          number,
          message: messages[codes.length] ?? "",
          category,
          severity: severity === undefined ? (fallback?.severity ?? "error") : (severities[Number(severity)] ?? "error"),
          retryable: (fallback?.retryable ?? false) !== (flipped === "!"),
        }),
      );
    }
  }
  return codes;
}
