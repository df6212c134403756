/**
 * The fetch API's types as the host project declares them: the DOM lib's in a browser
 * project, `@types/node`'s in a Node project, and the minimal structural ones below where
 * neither is loaded. The package's declarations never need the DOM lib.
 */

type Host = typeof globalThis;

/** The host's `fetch` function type. */
export type FetchFunction = Host extends { fetch: infer F extends AnyFetch } ? F : MinimalFetch;

/** What `fetch` accepts as its first argument (a URL string, a `URL` or a `Request`). */
export type FetchInput = Parameters<FetchFunction>[0];

/** The host's `RequestInit`. */
export type FetchInit = NonNullable<Parameters<FetchFunction>[1]>;

/** The host's `Response`. */
export type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/** The host's `Headers`. */
export type FetchHeaders = Host extends { Headers: { prototype: infer H } } ? H : MinimalHeaders;

/** The host's `AbortSignal`. */
export type FetchAbortSignal = Host extends { AbortSignal: { prototype: infer S } } ? S : MinimalAbortSignal;

/** Any function that takes a request and resolves with a response. */
type AnyFetch = (input: never, init?: never) => Promise<unknown>;

/** A function shaped like `fetch`. */
type MinimalFetch = (input: string | MinimalURL, init?: MinimalRequestInit) => Promise<MinimalResponse>;

interface MinimalURL {
  readonly href: string;
}

interface MinimalHeaders {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  forEach(callback: (value: string, name: string) => void): void;
}

interface MinimalAbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: "abort", listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

interface MinimalRequestInit {
  method?: string;
  headers?: MinimalHeaders | Readonly<Record<string, string>> | readonly (readonly [string, string])[];
  body?: string | Uint8Array | ArrayBuffer | null;
  signal?: MinimalAbortSignal | null;
}

interface MinimalResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: MinimalHeaders;
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
  text(): Promise<string>;
}
