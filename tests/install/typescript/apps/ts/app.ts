// A TypeScript app using @virtengine/errors as its README says. install_test.py compiles it
// with `tsc --strict` as a CommonJS project (module node16), an ESM one (module nodenext)
// and a bundler-resolution one, all with lib ES2022 and no DOM, then runs each.
// Usage: node app.js BASE_URL  (prints one JSON line)
import { APIError, createFetch, NotFoundError, type ErrorCodeString, type RetryingFetch } from "@virtengine/errors";

interface Retry {
  readonly attempt: number;
  readonly status: number | null;
  readonly delayMs: number;
}

async function main(base: string): Promise<Record<string, unknown>> {
  const retries: Retry[] = [];
  const api: RetryingFetch = createFetch({
    onRetry: (attempt, error, delayMs) => {
      retries.push({ attempt, status: error instanceof APIError ? error.httpStatus : null, delayMs });
    },
  });
  // The client's types are the host's: @types/node's Response and RequestInit here.
  const init: RequestInit & { idempotencyKey?: string | true } = { method: "GET", idempotencyKey: true };
  const response: Response = await api(`${base}/flaky`, init);
  const body: unknown = await response.json();
  let code: ErrorCodeString | null = null;
  let notFound = false;
  let text = "";
  try {
    await api(new URL(`${base}/missing`));
  } catch (error) {
    notFound = error instanceof NotFoundError;
    if (error instanceof APIError) {
      code = error.code;
    }
    text = String(error);
  }
  return { status: response.status, body, retries, notFound, apiError: code !== null, code, text };
}

const base = process.argv[2];
if (base === undefined) {
  throw new Error("usage: node app.js BASE_URL");
}
main(base).then(
  (result) => {
    console.log(JSON.stringify(result));
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
