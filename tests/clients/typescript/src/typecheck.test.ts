import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

const project = fileURLToPath(new URL("../typecheck/tsconfig.json", import.meta.url));
const compiler = createRequire(import.meta.url).resolve("typescript/bin/tsc");

test("sentinel guards narrow both ways and the package type-checks with lib ES2022, no DOM", () => {
  const run = spawnSync(process.execPath, [compiler, "-p", project, "--listFiles"], { encoding: "utf8" });
  assert.equal(run.status, 0, `tsc failed:\n${run.stdout}${run.stderr}`);
  const files = run.stdout.split("\n");
  assert.ok(files.some((file) => file.endsWith("dist/esm/sentinels.d.ts")), "the package was read");
  assert.ok(!files.some((file) => file.endsWith("lib.dom.d.ts")), "the DOM lib was loaded");
  assert.ok(!files.some((file) => file.includes("@types/node")), "@types/node was loaded");
});
