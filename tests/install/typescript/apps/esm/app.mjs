// An ESM app using @virtengine/errors as its README says: a retrying fetch, typed errors.
// Usage: node app.mjs BASE_URL  (prints one JSON line for install_test.py)
import { APIError, createFetch, NotFoundError } from "@virtengine/errors";

const base = process.argv[2];
/** @type {{ attempt: number, status: number | null, delayMs: number }[]} */
const retries = [];
const api = createFetch({
  onRetry: (attempt, error, delayMs) => {
    retries.push({ attempt, status: error instanceof APIError ? error.httpStatus : null, delayMs });
  },
});

const response = await api(`${base}/flaky`);
const body = await response.json();
let error;
try {
  await api(`${base}/missing`);
} catch (caught) {
  error = caught;
}
console.log(
  JSON.stringify({
    resolved: import.meta.resolve("@virtengine/errors"),
    status: response.status,
    body,
    retries,
    notFound: error instanceof NotFoundError,
    apiError: error instanceof APIError,
    code: error instanceof APIError ? error.code : null,
    requestId: error instanceof APIError ? error.requestId : null,
    text: String(error),
  }),
);
