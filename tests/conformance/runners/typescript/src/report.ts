/** What the client reports, in tests/conformance/FORMAT.md's member names. */

import {
  APIError,
  ConnectionError,
  ERROR_TYPES,
  SENTINELS,
  lookup,
  matches,
  type VirtEngineError,
} from "@virtengine/errors";
import type { Json } from "./compare.js";

const CATEGORY_OF_TYPE = new Map<unknown, string>([...ERROR_TYPES].map(([category, type]) => [type, category]));

export function lookupGot(code: string): Json {
  const entry = lookup(code);
  if (entry === undefined) {
    return { known: false };
  }
  return {
    known: true,
    module: entry.module,
    number: entry.number,
    name: entry.name,
    category: entry.category,
    severity: entry.severity,
    retryable: entry.retryable,
    http_status: entry.httpStatus,
    message: entry.message,
    deprecated: entry.deprecated,
  };
}

/** The names of the registry's sentinels `error` matches, sorted. */
export function sentinelsGot(error: unknown): string[] {
  return SENTINELS.filter((sentinel) => matches(error, sentinel))
    .map((sentinel) => sentinel.name)
    .sort();
}

function typeOf(error: APIError): string {
  return CATEGORY_OF_TYPE.get(error.constructor) ?? "api_error";
}

export function errorGot(error: VirtEngineError): Json {
  if (error instanceof ConnectionError) {
    const last = error.lastApiError;
    return {
      type: "connection",
      retryable: error.retryable,
      text: String(error),
      stop_reason: error.stopReason,
      method: error.method,
      url: error.url,
      last_api_error: last === null ? null : { type: typeOf(last), http_status: last.httpStatus, code: last.code },
      sentinels: sentinelsGot(error),
    };
  }
  if (!(error instanceof APIError)) {
    throw new Error(`not an error of the package: ${String(error)}`);
  }
  return {
    type: typeOf(error),
    code: error.code,
    module: error.module,
    number: error.number,
    message: error.errorMessage,
    category: error.category,
    severity: error.severity,
    retryable: error.retryable,
    http_status: error.httpStatus,
    request_id: error.requestId,
    retry_after_ms: error.retryAfterMs,
    envelope: error.envelope,
    shape: error.shape,
    text: String(error),
    context: (error.context as Json) ?? null,
    raw_body_prefix: Array.from(error.rawBody).slice(0, 64).join(""),
    stop_reason: error.stopReason,
    method: error.method,
    url: error.url,
    last_api_error: null,
    sentinels: sentinelsGot(error),
  };
}
