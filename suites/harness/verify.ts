/**
 * The checks' assertions: a small subset of `expect` (toBe, toEqual, toBeLessThan,
 * toBeDefined, toBeTruthy, not.toBe) over plain values.
 *
 * Why not Playwright's `expect`: it records every call as a test step, and each step costs a
 * captured, source-mapped stack and two messages to the runner. A conformance run makes
 * thousands of these comparisons; as steps they were a large part of the suite's own time
 * (`npm run bench:suite`). A check already records what it expected and what it observed on
 * the exchange it judged (the report shows both), so a failed comparison only has to stop the
 * test with a message in the shape Playwright prints: what, expected, received.
 */
import { inspect, isDeepStrictEqual } from 'node:util';

export class VerificationError extends Error {
  override name = 'VerificationError';
  constructor(
    message: string,
    readonly expected: unknown,
    readonly actual: unknown,
  ) {
    super(message);
  }
}

const show = (value: unknown) => inspect(value, { depth: 6, breakLength: 120, sorted: true });

function fail(what: string, expected: unknown, actual: unknown, expectedLabel = 'Expected'): never {
  throw new VerificationError(`${what}\n\n${expectedLabel}: ${show(expected)}\nReceived: ${show(actual)}`, expected, actual);
}

export interface Verification<T> {
  /** the same value (Object.is) */
  toBe(expected: T): void;
  /** structurally equal (own enumerable properties, recursively; undefined-valued properties ignored) */
  toEqual(expected: unknown): void;
  toBeLessThan(limit: number): void;
  toBeDefined(): void;
  toBeTruthy(): void;
  not: { toBe(unexpected: T): void };
}

/** Drops properties whose value is undefined, as expect's toEqual does. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, withoutUndefined(v)]));
  }
  return value;
}

export function verify<T>(actual: T, what: string): Verification<T> {
  return {
    toBe(expected) {
      if (!Object.is(actual, expected)) fail(what, expected, actual);
    },
    toEqual(expected) {
      if (!isDeepStrictEqual(withoutUndefined(actual), withoutUndefined(expected))) fail(what, expected, actual);
    },
    toBeLessThan(limit) {
      if (!(typeof actual === 'number' && actual < limit)) fail(what, limit, actual, 'Expected less than');
    },
    toBeDefined() {
      if (actual === undefined) fail(what, 'a value', actual);
    },
    toBeTruthy() {
      if (!actual) fail(what, 'a truthy value', actual);
    },
    not: {
      toBe(unexpected) {
        if (Object.is(actual, unexpected)) fail(what, unexpected, actual, 'Expected anything but');
      },
    },
  };
}
