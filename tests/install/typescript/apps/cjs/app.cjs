// A CommonJS app using @virtengine/errors as its README says: a retrying fetch, typed errors.
// Usage: node --no-experimental-require-module app.cjs BASE_URL  (prints one JSON line)
"use strict";

const { APIError, createFetch, NotFoundError } = require("@virtengine/errors");

/** @param {string} base the API's base URL */
async function main(base) {
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
  return {
    resolved: require.resolve("@virtengine/errors"),
    status: response.status,
    body,
    retries,
    notFound: error instanceof NotFoundError,
    apiError: error instanceof APIError,
    code: error instanceof APIError ? error.code : null,
    requestId: error instanceof APIError ? error.requestId : null,
    text: String(error),
  };
}

main(process.argv[2] ?? "").then(
  (result) => {
    console.log(JSON.stringify(result));
  },
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
