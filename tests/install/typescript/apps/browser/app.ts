// A browser app: install_test.py bundles it with `esbuild --bundle --minify` and loads it in
// headless Chromium from one origin while the API answers from another (CORS). The API
// base URL comes in the page's query string (?api=...); the result lands in
// document.body.dataset.result as JSON.
import { APIError, createFetch, NotFoundError } from "@virtengine/errors";

interface Retry {
  readonly attempt: number;
  readonly status: number | null;
  readonly retryAfterMs: number | null;
}

async function run(base: string): Promise<Record<string, unknown>> {
  const retries: Retry[] = [];
  const api = createFetch({
    onRetry: (attempt, error) => {
      const status = error instanceof APIError ? error.httpStatus : null;
      retries.push({ attempt, status, retryAfterMs: error instanceof APIError ? error.retryAfterMs : null });
    },
  });
  const response = await api(`${base}/flaky`, { idempotencyKey: "browser-key-1" });
  const body: unknown = await response.json();
  let error: unknown;
  try {
    await api(`${base}/missing`);
  } catch (caught) {
    error = caught;
  }
  return {
    status: response.status,
    body,
    requestId: response.headers.get("X-Request-Id"),
    retries,
    notFound: error instanceof NotFoundError,
    apiError: error instanceof APIError,
    code: error instanceof APIError ? error.code : null,
    errorRequestId: error instanceof APIError ? error.requestId : null,
    text: String(error),
  };
}

const base = new URL(window.location.href).searchParams.get("api") ?? "";
run(base).then(
  (result) => {
    document.body.dataset["result"] = JSON.stringify(result);
  },
  (error: unknown) => {
    document.body.dataset["result"] = JSON.stringify({ failed: String(error) });
  },
);
