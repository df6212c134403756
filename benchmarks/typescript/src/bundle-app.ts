/**
 * The browser app whose bundle `bench.ts` measures: it uses the retrying `fetch` and one
 * error class, as the client's README shows. Only what it imports should reach the bundle,
 * and everything the decoder needs to recognise a code (the bench checks that the bundle
 * still turns a gateway status naming a not-found code into `NotFoundError`).
 */

import { createFetch, NotFoundError } from "@virtengine/errors";

const api = createFetch();

/** The deployment as JSON, or what the platform said when it does not exist. */
export async function loadDeployment(id: string): Promise<unknown> {
  try {
    const response = await api(`/api/v1/deployments/${encodeURIComponent(id)}`);
    return (await response.json()) as unknown;
  } catch (error) {
    if (error instanceof NotFoundError) {
      return { notFound: error.errorMessage, code: error.code };
    }
    throw error;
  }
}
