/**
 * Turn any HTTP error response into an `APIError`; never throw anything else.
 *
 * The body is recognised as one of the shapes the platform's servers send: the
 * documented envelope, an RFC 9457 problem, the chain's REST gateway status
 * (`{"code": <gRPC code>, "message": ...}`), a body whose `error` member is a string (the
 * rate-limit middleware, the portal), or plain text. The catalog and the registry's
 * defaults fill in what the body does not say, and any other body (HTML from a proxy,
 * nothing, broken JSON) still yields the error class of the status.
 */

import { codeFacts } from "./catalog.js";
import { ERROR_TYPES } from "./categories.js";
import { APIError, type APIErrorFields, type ErrorShape } from "./errors.js";
import {
  CATEGORY_DEFAULTS,
  GRPC_STATUS_TABLE,
  MAX_ERROR_BODY_BYTES,
  REASON_PHRASES,
  STATUS_TABLE,
} from "./registry.js";
import { surfaced, withoutStack, type CodeFacts } from "./tables.js";
import type { FetchHeaders } from "./web.js";

/** Response headers: a `Headers`, a record (names in any case) or name/value pairs. */
export type HeadersLike = FetchHeaders | Readonly<Record<string, string>> | Iterable<readonly [string, string]>;

/** Options of `decodeError`. */
export interface DecodeOptions {
  /** Milliseconds since the epoch that HTTP-date and `reset_at` hints count from (default: now). */
  readonly now?: number;
  /** At most this many bytes of the body are looked at and kept. */
  readonly maxBodyBytes?: number;
}

/** A parsed JSON object. */
export type JsonObject = Record<string, unknown>;

const DECIMAL = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
const HTTP_DATE =
  /^(?:[A-Za-z]{3},\s*)?[0-9]{1,2}[\s-]+[A-Za-z]{3}[\s-]+[0-9]{2,4}\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\s*(?:GMT|UTC|UT|Z|[+-][0-9]{4})?$/;
/** The obsolete RFC 850 form of an HTTP-date (RFC 9110, 5.6.7): `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE =
  /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), ([0-9]{2})-([A-Za-z]{3})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT$/i;
/** The obsolete asctime form of an HTTP-date: `Sun Nov  6 08:49:37 1994` (day padded with a space). */
const ASCTIME_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Za-z]{3}) ([ 0-9][0-9]) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([0-9]{4})$/i;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
/** An RFC 3339 date-time: full date, `T`, time with an optional fraction, `Z` or an offset. */
const RFC3339 = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$/;
/** Codes are registered as uint32. */
const MAX_CODE_NUMBER = 4_294_967_295;
/** A JSON body nested deeper than this (objects and arrays together) is not usable. */
const MAX_JSON_DEPTH = 512;
/** A JSON escape of a UTF-16 surrogate, which may stand alone. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
/** A surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** A status message that went through a Go error string once more. */
const RPC_ERROR_PREFIX = /^rpc error: code = [A-Za-z]+ desc = /;
/** How the Cosmos SDK's text of a registered error starts: `codespace veid code 1036: ML inference failed`. */
const CODESPACE = "codespace ";
const PROBLEM_JSON = "application/problem+json";
const TEXT_PLAIN = "text/plain";
/** A plain-text body is cut to this many code points. */
const MAX_TEXT_CODE_POINTS = 1000;
/** An `X-RateLimit-Reset` of at least this is a Unix time in seconds, a smaller one a delay. */
const UNIX_TIME_FROM_SECONDS = 1_000_000_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * The error a response stands for. `body` is the raw body (bytes or text); at most
 * `maxBodyBytes` of it are looked at and kept on the error. The error is a native one with
 * the stack trace of your call.
 */
export function decodeError(
  status: number,
  headers: HeadersLike,
  body: Uint8Array | ArrayBuffer | string,
  options: DecodeOptions = {},
): APIError {
  return surfaced(decodeResponse(status, headers, body, options), decodeError);
}

/**
 * `decodeError` without a stack trace, for the retry helper's attempts: capturing one is
 * most of the cost of decoding, and the errors of retried attempts never reach the caller
 * (the one that does is `surfaced`).
 *
 * @internal
 */
export function decodeResponse(
  status: number,
  headers: HeadersLike,
  body: Uint8Array | ArrayBuffer | string,
  options: DecodeOptions = {},
): APIError {
  const limit = Math.max(0, options.maxBodyBytes ?? MAX_ERROR_BODY_BYTES);
  const rawBody = decoder.decode(capBytes(body, limit));
  const known = knownHeaders(headers);
  const base: Base = {
    httpStatus: status,
    requestId: known.requestId ?? null,
    rawBody,
    headers: new ResponseHeaders(headers),
    known,
    now: options.now,
  };
  const document = parseObject(rawBody);
  if (document !== undefined) {
    const error = member(document, "error");
    if (isObject(error) && typeof member(error, "code") === "string") {
      return fromEnvelope(base, "envelope", error, member(error, "message"));
    }
    if (isProblem(document, known.contentType)) {
      const detail = member(document, "detail");
      const message = typeof detail === "string" ? detail : member(document, "title");
      return fromEnvelope(base, "problem", document, message);
    }
    const grpcCode = member(document, "code");
    const message = member(document, "message");
    if (typeof grpcCode === "number" && Number.isInteger(grpcCode) && typeof message === "string") {
      const grpcCategory = GRPC_STATUS_TABLE.get(grpcCode)?.category ?? null;
      return fromText(base, "grpc_gateway", gatewayText(message), grpcCategory, null);
    }
    if (typeof error === "string") {
      const text = typeof message === "string" && message !== "" ? message : error;
      return fromText(base, "error_member", codeAtStart(text), null, otherMembers(document));
    }
  } else if (hasMediaType(known.contentType, TEXT_PLAIN)) {
    const text = trimAsciiWhitespace(rawBody);
    if (text !== "") {
      const cut = firstCodePoints(text, MAX_TEXT_CODE_POINTS);
      return fromText(base, "text", codeAtStart(cut), null, null);
    }
  }
  return withoutEnvelope(base);
}

function capBytes(body: Uint8Array | ArrayBuffer | string, limit: number): Uint8Array {
  const bytes = typeof body === "string" ? encoder.encode(body) : body instanceof Uint8Array ? body : new Uint8Array(body);
  return bytes.length <= limit ? bytes : bytes.subarray(0, limit);
}

/** The headers the decoder reads. */
interface KnownHeaders {
  contentType: string | undefined;
  requestId: string | undefined;
  retryAfterMs: string | undefined;
  retryAfter: string | undefined;
  rateLimitReset: string | undefined;
}

/** Calls `visit` with each header, its name in lower case. */
function eachHeader(headers: HeadersLike, visit: (name: string, value: string) => void): void {
  if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<readonly [string, string]>) {
      visit(name.toLowerCase(), value);
    }
    return;
  }
  const record = headers as Readonly<Record<string, string>>;
  for (const name in record) {
    const value = record[name];
    if (value !== undefined && Object.prototype.hasOwnProperty.call(record, name)) {
      visit(name.toLowerCase(), value);
    }
  }
}

/** One pass over the headers, keeping those the decoder reads (the last of a name wins). */
function knownHeaders(headers: HeadersLike): KnownHeaders {
  const known: KnownHeaders = {
    contentType: undefined,
    requestId: undefined,
    retryAfterMs: undefined,
    retryAfter: undefined,
    rateLimitReset: undefined,
  };
  if (Symbol.iterator in headers) {
    for (const [name, value] of headers as Iterable<readonly [string, string]>) {
      keep(known, name, value);
    }
    return known;
  }
  const record = headers as Readonly<Record<string, string>>;
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (value !== undefined) {
      keep(known, name, value);
    }
  }
  return known;
}

function keep(known: KnownHeaders, name: string, value: string): void {
  switch (name.toLowerCase()) {
    case "content-type":
      known.contentType = value;
      break;
    case "x-request-id":
      known.requestId = value;
      break;
    case "retry-after-ms":
      known.retryAfterMs = value;
      break;
    case "retry-after":
      known.retryAfter = value;
      break;
    case "x-ratelimit-reset":
      known.rateLimitReset = value;
      break;
    default:
  }
}

/**
 * A response's headers as a read-only map with lower-case names, built the first time it
 * is read (most errors are never asked for their headers).
 *
 * @internal
 */
export class ResponseHeaders implements ReadonlyMap<string, string> {
  readonly #source: HeadersLike;
  #map: Map<string, string> | undefined;

  constructor(source: HeadersLike) {
    this.#source = source;
  }

  #entries(): Map<string, string> {
    if (this.#map === undefined) {
      const map = new Map<string, string>();
      eachHeader(this.#source, (name, value) => map.set(name, value));
      this.#map = map;
    }
    return this.#map;
  }

  get size(): number {
    return this.#entries().size;
  }

  get(name: string): string | undefined {
    return this.#entries().get(name);
  }

  has(name: string): boolean {
    return this.#entries().has(name);
  }

  forEach(callback: (value: string, name: string, map: ReadonlyMap<string, string>) => void, thisArg?: unknown): void {
    this.#entries().forEach((value, name) => {
      callback.call(thisArg, value, name, this);
    });
  }

  entries(): IterableIterator<[string, string]> {
    return this.#entries().entries();
  }

  keys(): IterableIterator<string> {
    return this.#entries().keys();
  }

  values(): IterableIterator<string> {
    return this.#entries().values();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.#entries().entries();
  }
}

/** Whether the media type of a `Content-Type` (before any `;`, trimmed, in any case) is `type`. */
function hasMediaType(contentType: string | undefined, type: string): boolean {
  if (contentType === undefined) {
    return false;
  }
  const semicolon = contentType.indexOf(";");
  const end = semicolon < 0 ? contentType.length : semicolon;
  if (end < type.length) {
    return false; // too short to hold it
  }
  const head = end === contentType.length ? contentType : contentType.slice(0, end);
  return head === type || head.trim().toLowerCase() === type; // as servers write it, or not
}

/**
 * The text as a JSON object, or undefined: only one object, with nothing but whitespace
 * around it, is usable.
 *
 * @internal
 */
export function parseObject(text: string): JsonObject | undefined {
  let first = 0;
  while (first < text.length && isJsonWhitespace(text.charCodeAt(first))) {
    first++;
  }
  if (text.charCodeAt(first) !== 0x7b) {
    return undefined; // not "{": no JSON object, and nothing to parse
  }
  // 513 levels take at least 1,026 characters: shorter bodies need no count.
  if (text.length > 2 * MAX_JSON_DEPTH && nestsDeeperThan(text, MAX_JSON_DEPTH)) {
    return undefined;
  }
  let document: unknown;
  try {
    const escapesSurrogate = text.includes("\\u") && SURROGATE_ESCAPE.test(text);
    document = escapesSurrogate ? JSON.parse(text, wellFormedStrings) : JSON.parse(text);
  } catch {
    return undefined; // invalid JSON
  }
  return isObject(document) ? document : undefined;
}

/** Whether the JSON text nests objects and arrays more than `limit` levels deep. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (inString) {
      if (unit === 0x5c) {
        i++; // the escaped character
      } else if (unit === 0x22) {
        inString = false;
      }
    } else if (unit === 0x22) {
      inString = true;
    } else if (unit === 0x7b || unit === 0x5b) {
      depth++;
      if (depth > limit) {
        return true;
      }
    } else if (unit === 0x7d || unit === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** A `JSON.parse` reviver: strings with a lone surrogate get U+FFFD in its place. */
function wellFormedStrings(_key: string, value: unknown): unknown {
  return typeof value === "string" ? value.replace(LONE_SURROGATE, "\uFFFD") : value;
}

function isJsonWhitespace(unit: number): boolean {
  return unit === 0x20 || unit === 0x0a || unit === 0x0d || unit === 0x09;
}

/** @internal */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A member of a parsed JSON object; never one inherited from `Object.prototype`.
 *
 * @internal
 */
export function member(object: JsonObject, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, name) ? object[name] : undefined;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

function isProblem(document: JsonObject, contentType: string | undefined): boolean {
  if (hasMediaType(contentType, PROBLEM_JSON)) {
    return true;
  }
  return (
    member(document, "type") !== undefined &&
    member(document, "status") !== undefined &&
    typeof member(document, "code") === "string"
  );
}

/** A code and a message found in a text; a null message leaves it to the registry. */
interface CodedText {
  readonly code: string | null;
  readonly message: string | null;
}

/**
 * The message of a gateway status: the SDK's `codespace <module> code <number>`, alone or
 * followed by `: <message>`, else a code prefix.
 */
function gatewayText(message: string): CodedText {
  const text = message.startsWith("rpc error: ") ? message.replace(RPC_ERROR_PREFIX, "") : message;
  if (!text.startsWith(CODESPACE)) {
    return codeAtStart(text);
  }
  const moduleEnd = endOfModule(text, CODESPACE.length);
  const numberStart = moduleEnd + " code ".length;
  const numberEnd = endOfDigits(text, numberStart);
  if (moduleEnd === CODESPACE.length || !text.startsWith(" code ", moduleEnd) || numberEnd === numberStart) {
    return codeAtStart(text);
  }
  const code = `${text.slice(CODESPACE.length, moduleEnd)}:${text.slice(numberStart, numberEnd)}`;
  if (numberEnd === text.length) {
    return { code, message: null };
  }
  return text.startsWith(": ", numberEnd) ? { code, message: text.slice(numberEnd + 2) } : codeAtStart(text);
}

/** `module:number: message` gives the code and the message; any other text is the message. */
function codeAtStart(text: string): CodedText {
  const colon = text.indexOf(":");
  if (colon < 1 || endOfModule(text, 0) !== colon) {
    return { code: null, message: text };
  }
  const numberEnd = endOfDigits(text, colon + 1);
  if (numberEnd === colon + 1 || !text.startsWith(": ", numberEnd)) {
    return { code: null, message: text };
  }
  return { code: text.slice(0, numberEnd), message: text.slice(numberEnd + 2) };
}

/** Where a run of the characters of a module name (`A-Z a-z 0-9 _ . / -`) from `start` ends. */
function endOfModule(text: string, start: number): number {
  let end = start;
  for (; end < text.length; end++) {
    const unit = text.charCodeAt(end);
    const letter = (unit | 0x20) >= 0x61 && (unit | 0x20) <= 0x7a;
    if (!letter && !(unit >= 0x2d && unit <= 0x39) && unit !== 0x5f) {
      break; // 0x2d..0x39 is "-", ".", "/" and the digits
    }
  }
  return end;
}

/** Where a run of ASCII digits from `start` ends. */
function endOfDigits(text: string, start: number): number {
  let end = start;
  while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) {
    end++;
  }
  return end;
}

/**
 * `text` without leading and trailing ASCII whitespace (space, tab, LF, VT, FF, CR);
 * U+00A0 and U+FEFF stay.
 *
 * @internal
 */
export function trimAsciiWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isAsciiWhitespace(text.charCodeAt(start))) {
    start++;
  }
  while (end > start && isAsciiWhitespace(text.charCodeAt(end - 1))) {
    end--;
  }
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isAsciiWhitespace(unit: number): boolean {
  return unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);
}

/** The first `count` code points of `text` (a surrogate pair is one). */
function firstCodePoints(text: string, count: number): string {
  if (text.length <= count) {
    return text;
  }
  let end = 0;
  for (let taken = 0; taken < count && end < text.length; taken++) {
    end += (text.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
  }
  return text.slice(0, end);
}

/** Every member but `error` and `message`, or null when there is none. */
function otherMembers(document: JsonObject): JsonObject | null {
  let others: JsonObject | null = null;
  for (const name of Object.keys(document)) {
    if (name !== "error" && name !== "message") {
      others ??= {};
      if (name === "__proto__") {
        // A data property, as JSON.parse made it, not the object's prototype.
        Object.defineProperty(others, name, { value: document[name], enumerable: true, writable: true, configurable: true });
      } else {
        others[name] = document[name];
      }
    }
  }
  return others;
}

/** What every shape's error takes from the response as it is. */
interface Base {
  readonly httpStatus: number;
  readonly requestId: string | null;
  readonly rawBody: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly known: KnownHeaders;
  readonly now: number | undefined;
}

/** The envelope's value, else the catalog's, else the category's default, else the status table's. */
function fromEnvelope(
  base: Base,
  shape: ErrorShape,
  members: JsonObject,
  message: unknown,
): APIError {
  const code = stringOrNull(member(members, "code"));
  const { module, number, entry } = parseCode(code);
  const row = STATUS_TABLE.get(base.httpStatus);
  const category = stringOrNull(member(members, "category")) ?? entry?.category ?? row?.category ?? null;
  const facts = categoryFacts(category);
  const retryable = member(members, "retryable");
  const context = member(members, "context");
  const contextObject = isObject(context) ? context : null;
  return errorOf(facts, {
    httpStatus: base.httpStatus,
    requestId: base.requestId,
    rawBody: base.rawBody,
    headers: base.headers,
    code,
    module,
    number,
    errorMessage: typeof message === "string" ? message : (entry?.message ?? statusText(base.httpStatus)),
    category,
    severity: stringOrNull(member(members, "severity")) ?? entry?.severity ?? facts?.severity ?? "error",
    retryable:
      typeof retryable === "boolean" ? retryable : (entry?.retryable ?? facts?.retryable ?? row?.retryable ?? false),
    context: contextObject,
    retryAfterMs: retryHintMs(base.known, contextObject, base.now),
    envelope: true,
    shape,
  });
}

/**
 * A gateway status, an error member or plain text: the code found in the text decides,
 * else the gRPC code's category, else the status table.
 */
function fromText(
  base: Base,
  shape: ErrorShape,
  text: CodedText,
  grpcCategory: string | null,
  context: JsonObject | null,
): APIError {
  const { module, number, entry } = parseCode(text.code);
  let category: string | null;
  let retryable: boolean;
  if (entry !== undefined) {
    category = entry.category;
    retryable = entry.retryable;
  } else if (grpcCategory !== null) {
    category = grpcCategory;
    retryable = categoryFacts(grpcCategory)?.retryable ?? false;
  } else {
    const row = STATUS_TABLE.get(base.httpStatus);
    category = row?.category ?? null;
    retryable = row?.retryable ?? false;
  }
  const facts = categoryFacts(category);
  return errorOf(facts, {
    httpStatus: base.httpStatus,
    requestId: base.requestId,
    rawBody: base.rawBody,
    headers: base.headers,
    code: text.code,
    module,
    number,
    errorMessage: text.message ?? entry?.message ?? statusText(base.httpStatus),
    category,
    severity: entry?.severity ?? facts?.severity ?? "error",
    retryable,
    context,
    retryAfterMs: retryHintMs(base.known, context, base.now),
    envelope: false,
    shape,
  });
}

/** Nothing recognised: the status alone decides. */
function withoutEnvelope(base: Base): APIError {
  const row = STATUS_TABLE.get(base.httpStatus);
  const category = row?.category ?? null;
  const facts = categoryFacts(category);
  return errorOf(facts, {
    httpStatus: base.httpStatus,
    requestId: base.requestId,
    rawBody: base.rawBody,
    headers: base.headers,
    code: null,
    module: null,
    number: null,
    errorMessage: statusText(base.httpStatus),
    category,
    severity: facts?.severity ?? "error",
    retryable: row?.retryable ?? false,
    context: null,
    retryAfterMs: retryHintMs(base.known, null, base.now),
    envelope: false,
    shape: "none",
  });
}

/**
 * An error of the category's class; the base class for null or an unknown category.
 *
 * @internal
 */
export function errorOfCategory(category: string | null, fields: APIErrorFields): APIError {
  // Typed loosely: every class of ERROR_TYPES extends APIError (categories.ts).
  const ErrorType: new (fields: APIErrorFields) => unknown = (category === null ? undefined : ERROR_TYPES.get(category)) ?? APIError;
  return new ErrorType(fields) as APIError;
}

/** A category's class and defaults, found in one lookup. */
interface CategoryFacts {
  /** Typed loosely: every class of ERROR_TYPES extends APIError (categories.ts). */
  readonly ErrorType: new (fields: APIErrorFields) => unknown;
  readonly severity: string;
  readonly retryable: boolean;
}

const CATEGORY_FACTS: ReadonlyMap<string, CategoryFacts> = new Map(
  Array.from(CATEGORY_DEFAULTS, ([category, { severity, retryable }]): [string, CategoryFacts] => [
    category,
    { ErrorType: ERROR_TYPES.get(category) ?? APIError, severity, retryable },
  ]),
);

/** An error of the category's class (see `categoryFacts`), built without a stack trace. */
function errorOf(facts: CategoryFacts | undefined, fields: APIErrorFields): APIError {
  const ErrorType = facts?.ErrorType ?? APIError;
  return withoutStack(() => new ErrorType(fields)) as APIError;
}

/** The class and defaults of a category the registry defines; undefined for null or another. */
function categoryFacts(category: string | null): CategoryFacts | undefined {
  return category === null ? undefined : CATEGORY_FACTS.get(category);
}

/** A code's module and number, and the registry's entry for them. */
export interface CodeParts {
  readonly module: string | null;
  readonly number: number | null;
  readonly entry: CodeFacts | undefined;
}

/**
 * `module:number` split at the last colon (a number that does not parse is null), and the
 * catalog entry of exactly (module, number): `veid:01037` finds `veid:1037`.
 *
 * @internal
 */
export function parseCode(code: string | null): CodeParts {
  const colon = code === null ? -1 : code.lastIndexOf(":");
  if (code === null || colon < 0) {
    return NO_CODE;
  }
  const module = code.slice(0, colon);
  const number = codeNumber(code, colon + 1);
  return { module, number, entry: catalogEntry(module, number) };
}

const NO_CODE: CodeParts = Object.freeze({ module: null, number: null, entry: undefined });

/** The number written from `start` to the end of `code`: ASCII digits, at most `MAX_CODE_NUMBER`; else null. */
function codeNumber(code: string, start: number): number | null {
  if (start === code.length) {
    return null;
  }
  let number = 0;
  for (let i = start; i < code.length; i++) {
    const digit = code.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) {
      return null;
    }
    number = number * 10 + digit;
    if (number > MAX_CODE_NUMBER) {
      return null;
    }
  }
  return number;
}

/** The registry's entry for exactly (module, number): `veid:01037` is `veid:1037`. */
function catalogEntry(module: string | null, number: number | null): CodeFacts | undefined {
  return module === null || number === null ? undefined : codeFacts(module, number);
}

function statusText(status: number): string {
  const phrase = REASON_PHRASES.get(status);
  return phrase ? `HTTP ${status} ${phrase}` : `HTTP ${status}`;
}

/**
 * The server's retry hint in milliseconds: `retry-after-ms`, `Retry-After`,
 * `X-RateLimit-Reset`, context `reset_at`, the first that is valid. Dates count from
 * `now`; a past date is 0.
 */
function retryHintMs(headers: KnownHeaders, context: JsonObject | null, now: number | undefined): number | null {
  const millis = headers.retryAfterMs;
  const fromMillis = millis === undefined ? null : decimal(millis);
  if (fromMillis !== null) {
    return fromMillis;
  }
  const retryAfter = headers.retryAfter;
  if (retryAfter !== undefined) {
    const seconds = decimal(retryAfter);
    const hint = seconds !== null ? finite(seconds * 1000) : until(httpDate(retryAfter, now ?? Date.now()), now);
    if (hint !== null) {
      return hint;
    }
  }
  const reset = headers.rateLimitReset;
  const resetSeconds = reset === undefined ? null : decimal(reset);
  if (resetSeconds !== null) {
    const resetMs = resetSeconds * 1000;
    const hint = resetSeconds >= UNIX_TIME_FROM_SECONDS ? until(finite(resetMs), now) : finite(resetMs);
    if (hint !== null) {
      return hint;
    }
  }
  const resetAt = context === null ? undefined : member(context, "reset_at");
  return typeof resetAt === "string" ? until(rfc3339(resetAt), now) : null;
}

function decimal(text: string): number | null {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? finite(Number(trimmed)) : null;
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}

/**
 * An HTTP-date in any of its three forms (RFC 9110, 5.6.7), in milliseconds since the
 * epoch. The two-digit year of the RFC 850 form is the one nearest to `now`, never more
 * than 50 years ahead of it.
 */
function httpDate(text: string, now: number): number | null {
  const trimmed = text.trim();
  if (HTTP_DATE.test(trimmed)) {
    return finite(Date.parse(trimmed));
  }
  const rfc850 = RFC850_DATE.exec(trimmed);
  if (rfc850 !== null) {
    const [, day, month, year, hour, minute, second] = rfc850;
    const thisYear = new Date(now).getUTCFullYear();
    let fullYear = thisYear - (thisYear % 100) + Number(year);
    if (fullYear > thisYear + 50) {
      fullYear -= 100;
    } else if (fullYear <= thisYear - 50) {
      fullYear += 100;
    }
    return utcDate(fullYear, month, day, hour, minute, second);
  }
  const asctime = ASCTIME_DATE.exec(trimmed);
  if (asctime !== null) {
    const [, month, day, hour, minute, second, year] = asctime;
    return utcDate(Number(year), month, day, hour, minute, second);
  }
  return null;
}

/** A UTC moment from the parts of an obsolete HTTP-date; null for a day or time out of range. */
function utcDate(
  year: number,
  monthName: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): number | null {
  const month = MONTHS.indexOf((monthName ?? "").toLowerCase());
  const [d, h, m, s] = [day, hour, minute, second].map((part) => Number((part ?? "").trim()));
  if (month < 0 || d === undefined || h === undefined || m === undefined || s === undefined) {
    return null;
  }
  if (d < 1 || h > 23 || m > 59 || s > 60) {
    return null;
  }
  const moment = new Date(Date.UTC(year, month, d, h, m, Math.min(s, 59)));
  // A leap second counts as the second before it; 31 Feb is no date.
  return moment.getUTCDate() === d && moment.getUTCFullYear() === year ? moment.getTime() : null;
}

function rfc3339(text: string): number | null {
  return RFC3339.test(text) ? finite(Date.parse(text.toUpperCase())) : null;
}

function until(moment: number | null, now: number | undefined): number | null {
  if (moment === null) {
    return null;
  }
  const delta = finite(moment - (now ?? Date.now()));
  return delta === null ? null : Math.max(delta, 0);
}
