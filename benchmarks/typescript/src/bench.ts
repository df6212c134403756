/**
 * The TypeScript client's benchmark (issue 19): one JSON line of raw samples, turned into
 * medians and spreads by `benchmarks/report.py`.
 *
 *     node dist/bench.js SHAPES_JSON
 *
 * Every cost is process CPU time (`process.cpuUsage()`: user plus system time of this
 * process, all its threads), so waiting for the machine's other processes does not count;
 * wall time is kept beside it.
 *
 * - decode: for each shape of SHAPES_JSON, the decode of an attempt (bytes and headers in,
 *   typed error out, as the retry helper decodes every failed response: no stack trace) and
 *   `JSON.parse` of the same bytes (UTF-8 decoding included), in alternating rounds (the
 *   order flips every round), ns per call in each round; then, as a diagnostic, the public
 *   `decodeError`, whose error is a native one with the caller's stack trace.
 * - success: GETs with the global `fetch` and with `createFetch()` to a keep-alive
 *   `node:http` server in a child process (its CPU is not counted); the two take turns
 *   request by request (the order flips every pair, so both see the same load), and a
 *   600 of each a round, after 2,000 pairs of warm-up; CPU and wall ns of every request.
 * - bundle: `src/bundle-app.ts` (an app that uses `createFetch` and `NotFoundError`)
 *   bundled by esbuild with `bundle` and `minify` for the browser; minified and gzipped
 *   (level 9) bytes, and each input's bytes in the output from esbuild's metafile. The
 *   bundle is run first against a stubbed `fetch` (`checkBundle`) and must still decode a
 *   catalog code the way the package does.
 */

import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build, version as esbuildVersion } from "esbuild";
import { Codes, createFetch, decodeError, lookup, type ErrorCode } from "@virtengine/errors";
// Internal to the package (not exported): what the retry helper runs on every failed attempt.
import { decodeResponse } from "../../../clients/typescript/dist/esm/decode.js";

const DECODE_ROUNDS = 31;
const DECODE_ROUND_US = 20_000; // CPU time one side of a decode round aims at
const PUBLIC_ROUNDS = 11;
const SUCCESS_ROUNDS = 31;
const PAIRS_PER_ROUND = 600;
const WARM_UP_PAIRS = 2_000; // the JIT compiles both paths before the first round

interface Shape {
  readonly shape: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly parse_body?: string;
}

interface ShapesFile {
  readonly now_ms: number;
  readonly shapes: readonly Shape[];
}

let sink: unknown;

function cpuUs(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** CPU ns per call of `work` over `count` calls. */
function cpuNsPerCall(work: () => unknown, count: number): number {
  const started = cpuUs();
  for (let i = 0; i < count; i += 1) {
    sink = work();
  }
  return ((cpuUs() - started) * 1000) / count;
}

/** Calls of `work` that take about DECODE_ROUND_US of CPU (after a warm-up). */
function calibrate(work: () => unknown): number {
  for (let count = 100; ; count *= 4) {
    const spentUs = (cpuNsPerCall(work, count) * count) / 1000;
    if (spentUs >= DECODE_ROUND_US / 4) {
      return Math.max(100, Math.round((count * DECODE_ROUND_US) / spentUs));
    }
  }
}

function decodeSamples(spec: ShapesFile): unknown[] {
  const utf8 = new TextDecoder();
  return spec.shapes.map((shape) => {
    const body = new TextEncoder().encode(shape.body);
    const parseBody = new TextEncoder().encode(shape.parse_body ?? shape.body);
    const decode = (): unknown => decodeResponse(shape.status, shape.headers, body, { now: spec.now_ms });
    const decodePublic = (): unknown => decodeError(shape.status, shape.headers, body, { now: spec.now_ms });
    const parse = (): unknown => JSON.parse(utf8.decode(parseBody)) as unknown;
    const decodeCount = calibrate(decode);
    const parseCount = calibrate(parse);
    const decodeNs: number[] = [];
    const parseNs: number[] = [];
    for (let round = 0; round < DECODE_ROUNDS; round += 1) {
      if (round % 2 === 0) {
        decodeNs.push(cpuNsPerCall(decode, decodeCount));
        parseNs.push(cpuNsPerCall(parse, parseCount));
      } else {
        parseNs.push(cpuNsPerCall(parse, parseCount));
        decodeNs.push(cpuNsPerCall(decode, decodeCount));
      }
    }
    // Diagnostic, not judged: the public decodeError (a native error, the caller's stack).
    const publicNs: number[] = [];
    for (let round = 0; round < PUBLIC_ROUNDS; round += 1) {
      publicNs.push(cpuNsPerCall(decodePublic, decodeCount));
    }
    const decoded = decode() as { constructor: { name: string } };
    return {
      shape: shape.shape,
      decoded_as: decoded.constructor.name,
      decode_ns: decodeNs,
      parse_ns: parseNs,
      decode_public_ns: publicNs,
    };
  });
}

/** A loopback server in a child process; resolves with its URL. */
function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(fileURLToPath(import.meta.url), ["--serve"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    child.once("message", (port) => resolve({ url: `http://127.0.0.1:${String(port)}/health`, child }));
    child.once("error", reject);
  });
}

function serve(): void {
  const server = createServer((_, response) => {
    response.writeHead(200, { "content-type": "application/json", "content-length": "2" });
    response.end("{}");
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1", () => process.send?.((server.address() as AddressInfo).port));
  process.on("disconnect", () => process.exit(0));
}

async function successSamples(): Promise<Record<string, unknown>> {
  const { url, child } = await startServer();
  try {
    const api = createFetch();
    const sides = {
      bare: async (): Promise<void> => {
        const response = await fetch(url);
        await response.arrayBuffer();
        if (response.status !== 200) {
          throw new Error(`the loopback server answered ${String(response.status)}`);
        }
      },
      retry: async (): Promise<void> => {
        const response = await api(url);
        await response.arrayBuffer();
        if (response.status !== 200) {
          throw new Error(`the loopback server answered ${String(response.status)}`);
        }
      },
    };
    const timed = async (work: () => Promise<void>): Promise<[number, number]> => {
      const wall = process.hrtime.bigint();
      const cpu = cpuUs();
      await work();
      return [(cpuUs() - cpu) * 1000, Number(process.hrtime.bigint() - wall)];
    };
    for (let i = 0; i < WARM_UP_PAIRS; i += 1) {
      await sides.bare();
      await sides.retry();
    }
    const rounds: Record<string, number[]>[] = [];
    for (let round = 0; round < SUCCESS_ROUNDS; round += 1) {
      const samples: Record<string, number[]> = { bare_cpu_ns: [], retry_cpu_ns: [], bare_wall_ns: [], retry_wall_ns: [] };
      for (let pair = 0; pair < PAIRS_PER_ROUND; pair += 1) {
        const order: ("bare" | "retry")[] = pair % 2 === 0 ? ["bare", "retry"] : ["retry", "bare"];
        for (const side of order) {
          const [cpu, wall] = await timed(sides[side]);
          samples[`${side}_cpu_ns`]?.push(cpu);
          samples[`${side}_wall_ns`]?.push(wall);
        }
      }
      rounds.push(samples);
    }
    return { requests_per_round: PAIRS_PER_ROUND, rounds };
  } finally {
    child.disconnect();
  }
}

async function bundleSize(): Promise<Record<string, unknown>> {
  const entry = fileURLToPath(new URL("../src/bundle-app.ts", import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    outfile: "bundle-app.min.js",
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  const [meta] = Object.values(result.metafile.outputs);
  if (output === undefined || meta === undefined) {
    throw new Error("esbuild wrote no output");
  }
  await checkBundle(output.contents);
  const inputs = Object.entries(meta.inputs)
    .map(([path, input]) => ({ path: path.replace(/^.*?(clients\/typescript\/)/, "$1"), bytes: input.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return {
    esbuild: esbuildVersion,
    minified_bytes: output.contents.length,
    gzipped_bytes: gzipSync(output.contents, { level: 9 }).length,
    inputs,
  };
}

/**
 * Run the bundled app with a `fetch` that answers as the chain gateway does for a
 * not-found code (HTTP 500, gRPC Unknown, `codespace <module> code <number>` and no
 * text): only the code catalog can make that a `NotFoundError` with the registry's
 * message, so a bundle that lost a lookup the decoder needs fails here.
 */
async function checkBundle(contents: Uint8Array): Promise<void> {
  const known = Object.values(Codes)
    .map((code) => lookup(code))
    .find((entry): entry is ErrorCode => entry?.category === "not_found" && !entry.retryable && !entry.deprecated);
  if (known === undefined) {
    throw new Error("the catalog has no not-found code to check the bundle with");
  }
  const body = JSON.stringify({ code: 2, message: `codespace ${known.module} code ${String(known.number)}`, details: [] });
  const folder = mkdtempSync(join(tmpdir(), "virtengine-errors-bundle-"));
  const original = globalThis.fetch;
  globalThis.fetch = () =>
    Promise.resolve(new Response(body, { status: 500, headers: { "content-type": "application/json" } }));
  // The page the app runs in, as in a browser: the client resolves a relative URL against it.
  Object.defineProperty(globalThis, "location", { value: { href: "https://portal.example/" }, configurable: true });
  try {
    const file = join(folder, "bundle-app.min.mjs");
    writeFileSync(file, contents);
    const app = (await import(pathToFileURL(file).href)) as { loadDeployment(id: string): Promise<unknown> };
    const got = JSON.stringify(await app.loadDeployment("d-1"));
    const want = JSON.stringify({ notFound: known.message, code: known.code });
    if (got !== want) {
      throw new Error(`the bundled app decoded ${body} as ${got}, want ${want}`);
    }
  } finally {
    globalThis.fetch = original;
    Reflect.deleteProperty(globalThis, "location");
    rmSync(folder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const shapesFile = process.argv[2];
  if (shapesFile === undefined) {
    throw new Error("usage: node dist/bench.js SHAPES_JSON");
  }
  const spec = JSON.parse(readFileSync(shapesFile, "utf8")) as ShapesFile;
  const decode = decodeSamples(spec);
  const success = await successSamples();
  const bundle = await bundleSize();
  if (sink === undefined) {
    throw new Error("the benchmark's work returned nothing");
  }
  console.log(JSON.stringify({ language: "typescript", runtime: `Node.js ${process.version}`, decode, success, bundle }));
}

if (process.argv.includes("--serve")) {
  serve();
} else {
  await main();
}
