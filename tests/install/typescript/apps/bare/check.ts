// Compiles against @virtengine/errors with neither the DOM lib nor @types/node loaded: the
// declarations fall back to their own minimal fetch types (install_test.py, `tsc --strict`).
import { createFetch, decodeError, NotFoundError, type FetchResponse, type HeadersLike } from "@virtengine/errors";

export async function probe(url: string): Promise<number> {
  const api = createFetch({ policy: { maxAttempts: 2 } });
  const response: FetchResponse = await api(url, { method: "GET", idempotencyKey: true, deadlineMs: 1000 });
  const text: string = await response.text();
  return response.status + text.length;
}

const headers: HeadersLike = { "content-type": "application/json" };
export const missing: boolean = decodeError(404, headers, "{}") instanceof NotFoundError;
