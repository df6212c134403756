/** tests/conformance/FORMAT.md's comparison: only the members `expect` names; numbers within 0.001. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TOLERANCE = 0.001;

export function mismatches(expect: unknown, got: unknown, path = ""): string[] {
  if (isRecord(expect)) {
    if (!isRecord(got)) {
      return [`${path || "value"}: expected an object, got ${show(got)}`];
    }
    return Object.entries(expect).flatMap(([key, value]) => {
      if (!(key in got)) {
        return [`${path}${key}: missing`];
      }
      const actual = got[key];
      if (key === "raw_body_prefix") {
        return typeof actual === "string" && typeof value === "string" && actual.startsWith(value)
          ? []
          : [`${path}${key}: ${show(actual)} does not start with ${show(value)}`];
      }
      return mismatches(value, actual, `${path}${key}.`);
    });
  }
  if (Array.isArray(expect)) {
    if (!Array.isArray(got) || got.length !== expect.length) {
      return [`${trim(path)}: expected ${show(expect)}, got ${show(got)}`];
    }
    return expect.flatMap((value, i) => mismatches(value, got[i], `${path}${i}.`));
  }
  return same(expect, got) ? [] : [`${trim(path)}: expected ${show(expect)}, got ${show(got)}`];
}

function same(expect: unknown, got: unknown): boolean {
  if (typeof expect === "number" && typeof got === "number") {
    return Math.abs(expect - got) <= TOLERANCE;
  }
  return expect === got;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function trim(path: string): string {
  return path.replace(/\.$/, "") || "value";
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
