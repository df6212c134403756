/** What the client reports, in tests/conformance/FORMAT.md's member names. */

import {
  APIError,
  ConnectionError,
  ERROR_TYPES,
  lookup,
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

export function errorGot(error: VirtEngineError): Json {
  if (error instanceof ConnectionError) {
    return { type: "connection", retryable: error.retryable, text: String(error) };
  }
  if (!(error instanceof APIError)) {
    throw new Error(`not an error of the package: ${String(error)}`);
  }
  return {
    type: CATEGORY_OF_TYPE.get(error.constructor) ?? "api_error",
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
  };
}
