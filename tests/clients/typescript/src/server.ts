/** A scripted `node:http` server on 127.0.0.1 that records what reached it. */

import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Milliseconds a busy machine may add to a bounded call before the test sees it end. Every
 * failure these tests look for (a deadline or a cancellation not honoured) costs seconds.
 */
export const SLACK_MS = 1000;

export interface Seen {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Answers one request; may write and end the response itself. */
export type Reply = (response: ServerResponse, seen: Seen) => void;

export interface Scripted {
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** A reply with `status`, `headers` and `body`. */
export const respond =
  (status: number, body = "", headers: Record<string, string> = {}): Reply =>
  (response) => {
    response.writeHead(status, headers);
    response.end(body);
  };

/** Serves `replies` in order; the last one repeats. */
export async function serve(replies: Reply[]): Promise<Scripted> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = { method: request.method ?? "", headers: request.headers, body: Buffer.concat(chunks).toString() };
      seen.push(entry);
      const reply = replies[Math.min(seen.length, replies.length) - 1];
      reply?.(response, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
