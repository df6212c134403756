/**
 * Errors from failed transactions. The chain answers a transaction it rejects with HTTP
 * 200 and the failure inside the body (`{"tx_response": {"codespace", "code", "raw_log"}}`,
 * code 0 meaning success), so `fetch` resolves; these functions give the typed error.
 */

import { errorOfCategory, isObject, member, parseCode, parseObject, trimAsciiWhitespace } from "./decode.js";
import type { APIError } from "./errors.js";
import { surfaced } from "./tables.js";

/** The codespace of an error registered without one, as the Cosmos SDK names it. */
const UNDEFINED_CODESPACE = "undefined";
/** ABCI codes are uint32. */
const MAX_ABCI_CODE = 0xffff_ffff;
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** The body of a broadcast or a transaction query: text, bytes, or already parsed JSON. */
export type TxResponseBody = string | Uint8Array | ArrayBuffer | Readonly<Record<string, unknown>>;

/**
 * The error of a transaction result, or `undefined` for code 0 (success). The error is
 * that of the code `codespace:code` (an empty codespace is `undefined`); its message is
 * the log, or the registry's message when the log is blank (ASCII whitespace only). It has
 * no HTTP status.
 */
export function errorFromAbci(codespace: string, code: number, log: string): APIError | undefined {
  return code === 0 ? undefined : surfaced(abciError(codespace, code, log, ""), errorFromAbci);
}

/**
 * The error in the body of a broadcast or a transaction query (`tx_response` whose `code`
 * is a whole number from 1 to 2^32 - 1), or `undefined`: success, another shape, or not
 * JSON. Never throws.
 *
 * ```ts
 * const response = await api(`${lcd}/cosmos/tx/v1beta1/txs`, { method: "POST", body });
 * const error = errorFromTxResponse(await response.text());
 * if (error !== undefined) throw error;
 * ```
 */
export function errorFromTxResponse(body: TxResponseBody): APIError | undefined {
  let text = "";
  let document: unknown = body;
  if (typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer) {
    text = typeof body === "string" ? body : decoder.decode(body);
    document = parseObject(text);
  }
  const result = isObject(document) ? member(document, "tx_response") : undefined;
  if (!isObject(result)) {
    return undefined;
  }
  const code = member(result, "code");
  if (typeof code !== "number" || !Number.isInteger(code) || code < 1 || code > MAX_ABCI_CODE) {
    return undefined;
  }
  const codespace = member(result, "codespace");
  const log = member(result, "raw_log");
  const error = abciError(typeof codespace === "string" ? codespace : "", code, typeof log === "string" ? log : "", text);
  return surfaced(error, errorFromTxResponse);
}

/** A known code gives the registry's class and flags; an unknown one the base error. */
function abciError(codespace: string, number: number, log: string, rawBody: string): APIError {
  const code = `${codespace === "" ? UNDEFINED_CODESPACE : codespace}:${number}`;
  const parts = parseCode(code);
  const { entry } = parts;
  const category = entry?.category ?? null;
  return errorOfCategory(category, {
    code,
    module: parts.module,
    number: parts.number,
    errorMessage: trimAsciiWhitespace(log) !== "" ? log : (entry?.message ?? code),
    category,
    severity: entry?.severity ?? "error",
    retryable: entry?.retryable ?? false,
    context: null,
    httpStatus: null,
    requestId: null,
    retryAfterMs: null,
    rawBody,
    envelope: false,
    shape: "abci",
  });
}
