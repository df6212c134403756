// Compiled by src/typecheck.test.ts with lib ES2022 only: no DOM lib, no @types/node.
// Every line must type-check; a `@ts-expect-error` line must not.
import {
  type APIError,
  type ErrorCodeString,
  type RetryingFetch,
  createFetch,
  decodeError,
  ERR_NOT_FOUND,
  isConflict,
  isNotFound,
  isNotFoundError,
  matches,
} from "@virtengine/errors";

// The false branch of a sentinel guard keeps the type it had.
export function codeUnlessNotFound(error: APIError): ErrorCodeString | null | "not found" {
  if (!isNotFound(error)) {
    return error.code;
  }
  return "not found";
}

// A chain of guards leaves a reachable, typed last branch.
export function describe(error: APIError): string {
  if (isNotFound(error)) {
    return "missing";
  } else if (isConflict(error)) {
    return "conflict";
  }
  return error.errorMessage;
}

// One error may match two sentinels: the true branch of both is not `never`.
export function both(error: unknown): number | null | undefined {
  if (isNotFound(error) && isConflict(error)) {
    return error.httpStatus;
  }
  return matches(error, ERR_NOT_FOUND) ? error.number : undefined;
}

// Category guards narrow as before, both ways.
export function status(error: APIError): number | null {
  if (!isNotFoundError(error)) {
    return error.httpStatus;
  }
  return error.number;
}

// A guard on unknown gives an APIError in its true branch.
export function onUnknown(error: unknown): string | undefined {
  if (isNotFound(error)) {
    return error.errorMessage;
  }
  // @ts-expect-error: outside the guard, `error` is still unknown.
  return error.errorMessage;
}

// The fetch wrapper and the decoder are usable without the DOM lib.
export const client: RetryingFetch = createFetch({ retryAttemptHeader: false });
export const decoded: APIError = decodeError(404, { "content-type": "text/plain" }, "gone");
