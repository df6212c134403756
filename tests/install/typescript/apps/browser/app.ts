// A browser app: install_test.py bundles it with `esbuild --bundle --minify` and loads it in
// headless Chromium from one origin while the API answers from another (CORS). The API
// base URL comes in the page's query string (?api=...); `strict` names a second API that
// answers with CORS headers but refuses every preflight. The result lands in
// document.body.dataset.result as JSON.
import { APIError, ConnectionError, createFetch, NotFoundError } from "@virtengine/errors";

interface Retry {
  readonly attempt: number;
  readonly status: number | null;
  readonly retryAfterMs: number | null;
}

/** Against a server that refuses preflights: the default client, then one without Retry-Attempt. */
async function strict(base: string): Promise<Record<string, unknown>> {
  let error: unknown;
  try {
    await createFetch()(`${base}/strict-default/flaky`);
  } catch (caught) {
    error = caught;
  }
  const quiet = await createFetch({ retryAttemptHeader: false })(`${base}/strict-quiet/flaky`);
  const last = error instanceof ConnectionError ? error.lastApiError : null;
  return {
    connectionError: error instanceof ConnectionError,
    name: error instanceof Error ? error.name : null,
    attempts: error instanceof ConnectionError ? error.attempts : null,
    lastApiName: last?.name ?? null,
    lastApiStatus: last?.httpStatus ?? null,
    lastApiRequestId: last?.requestId ?? null,
    quietStatus: quiet.status,
  };
}

async function run(base: string, strictBase: string): Promise<Record<string, unknown>> {
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
    name: error instanceof Error ? error.name : null,
    strict: await strict(strictBase),
    errorRequestId: error instanceof APIError ? error.requestId : null,
    text: String(error),
  };
}

const query = new URL(window.location.href).searchParams;
run(query.get("api") ?? "", query.get("strict") ?? "").then(
  (result) => {
    document.body.dataset["result"] = JSON.stringify(result);
  },
  (error: unknown) => {
    document.body.dataset["result"] = JSON.stringify({ failed: String(error) });
  },
);
