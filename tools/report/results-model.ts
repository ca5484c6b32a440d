/**
 * results.json: the conformance run as data, close to the wptreport shape (run_info, then
 * one entry per test with status, expected, message, duration). HTML and markdown are
 * rendered from this file only, so a run on another machine can be put side by side.
 *
 * Declared once with TypeBox; ajv checks every read so a hand-edited or truncated file
 * fails with the path of what is wrong instead of a blank cell in the matrix.
 */
import { readFile } from 'node:fs/promises';
import { Type as T, type Static } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { LEVELS, Quote, type Level } from '../spec/model.ts';

const StringEnum = <V extends string>(values: readonly V[], description?: string) =>
  T.Union(
    values.map((v) => T.Literal(v)),
    description ? { description } : {},
  );
const Nullable = <S extends Parameters<typeof T.Union>[0][number]>(schema: S) => T.Union([schema, T.Null()]);

export const STATUSES = ['PASS', 'FAIL', 'SKIP', 'TIMEOUT'] as const;
export type Status = (typeof STATUSES)[number];
export const EXPECTED_STATUSES = ['PASS', 'FAIL', 'SKIP'] as const;
export type ExpectedStatus = (typeof EXPECTED_STATUSES)[number];

/**
 * Ordered by how much a verdict needs attention: a cell holding several tests shows the
 * first that occurs. A skip comes last: a pass next to a skipped variant is still a pass.
 */
export const VERDICTS = [
  'fail',
  'unexpected-pass',
  'non-strict',
  'informational',
  'expected-fail',
  'pass',
  'skip',
] as const;
export type Verdict = (typeof VERDICTS)[number];

const Headers = T.Record(T.String(), T.Union([T.String(), T.Array(T.String())]));

/** One HTTP exchange as the harness attaches it (`exchange` attachment), redacted. */
export const Exchange = T.Object(
  {
    request: T.Object({
      method: T.String(),
      url: T.String(),
      headers: T.Optional(Headers),
      bodyBytes: T.Optional(T.Integer({ minimum: 0 })),
    }),
    response: T.Optional(
      T.Union([
        T.Object({
          status: T.Integer(),
          headers: T.Optional(Headers),
          bodyPreview: T.Optional(T.Unknown()),
        }),
        T.Null(),
      ]),
    ),
    expected: T.Optional(T.Unknown()),
    observed: T.Optional(T.Unknown()),
    note: T.Optional(T.String()),
  },
  { additionalProperties: true },
);
export type Exchange = Static<typeof Exchange>;

export const RunInfo = T.Object(
  {
    target: T.String({ description: 'mock, url or tenant (or a Playwright project name)' }),
    profile: Nullable(T.String()),
    base_url: Nullable(T.String()),
    spec_version: Nullable(T.Integer()),
    spec_sha256: Nullable(T.String({ pattern: '^[0-9a-f]{64}$' })),
    date: T.String({ format: 'date-time' }),
    strict: T.Boolean(),
    grep: Nullable(T.String()),
    shard: Nullable(T.String({ pattern: '^\\d+/\\d+$' })),
    tool_version: T.String(),
    label: T.Optional(T.String({ description: 'what the run names its target in a report (`run --label`), e.g. prism' })),
  },
  { additionalProperties: false },
);
export type RunInfo = Static<typeof RunInfo>;

export const TestResult = T.Object(
  {
    test: T.String({ description: 'title path, joined with " › "' }),
    file: T.String({ description: 'test file, relative to the repository root' }),
    project: T.Optional(T.String({ description: 'Playwright project' })),
    requirement: Nullable(T.String()),
    level: Nullable(StringEnum(LEVELS)),
    area: Nullable(T.String()),
    operation: Nullable(T.String()),
    api: Nullable(T.String()),
    version: Nullable(T.String()),
    source: Nullable(T.String({ description: "'file:line', file relative to the repository root" })),
    description: T.Optional(Nullable(T.String())),
    source_sentence: Nullable(Quote),
    status: StringEnum(STATUSES),
    expected: StringEnum(EXPECTED_STATUSES),
    expected_reason: T.Optional(T.String({ description: 'why a deviation is expected (from the expectation file)' })),
    verdict: StringEnum(VERDICTS),
    message: Nullable(T.String()),
    duration: T.Number({ minimum: 0, description: 'milliseconds' }),
    exchanges: T.Array(Exchange),
  },
  { additionalProperties: false },
);
export type TestResult = Static<typeof TestResult>;

export const Results = T.Object(
  {
    run_info: RunInfo,
    time_start: T.Integer({ description: 'ms since the epoch' }),
    time_end: T.Integer(),
    results: T.Array(TestResult),
  },
  { additionalProperties: false, $id: 'https://photo-conformance.local/results.schema.json' },
);
export type Results = Static<typeof Results>;

export class ResultsError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ResultsError';
  }
}

let validator: ValidateFunction | undefined;
function resultsValidator(): ValidateFunction {
  // date-time is checked by hand below: one format is not worth ajv-formats' weight here,
  // but an unparseable date would silently sort columns wrong.
  validator ??= new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(Results);
  return validator;
}

export function assertValidResults(value: unknown, file = '<results>'): asserts value is Results {
  const validate = resultsValidator();
  if (!validate(value)) {
    const detail = (validate.errors ?? [])
      .slice(0, 10)
      .map((e) => `  ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
      .join('\n');
    throw new ResultsError(file, `does not match the results schema:\n${detail}`);
  }
  const { date } = (value as Results).run_info;
  if (Number.isNaN(Date.parse(date))) {
    throw new ResultsError(file, `/run_info/date '${date}' is not a date-time`);
  }
}

export function parseResultsText(text: string, file = '<results>'): Results {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ResultsError(file, `is not JSON: ${(error as Error).message}`);
  }
  assertValidResults(value, file);
  return value;
}

export async function readResults(file: string): Promise<Results> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ResultsError(file, code === 'ENOENT' ? 'not found; run `photo-conformance run` first' : `cannot be read (${code})`);
  }
  return parseResultsText(text, file);
}

export function serializeResults(results: Results): string {
  assertValidResults(results, '<results being written>');
  return `${JSON.stringify(results, null, 2)}\n`;
}

/**
 * Grades one result (Autobahn): a broken MUST fails, a broken SHOULD is non-strict, a
 * broken MAY is informational. A known deviation (expected FAIL) is `expected-fail`; a
 * pass where a failure was recorded is `unexpected-pass`, so a stale expectation is seen.
 * Strict mode makes every unexpected failure a `fail`, whatever its level. A failing test
 * without a level (harness trouble, not a requirement) always fails: it must not hide.
 */
export function gradeVerdict(
  result: Pick<TestResult, 'status' | 'expected' | 'level'>,
  options: { strict: boolean },
): Verdict {
  const { status, expected, level } = result;
  if (status === 'SKIP') return 'skip';
  if (status === 'PASS') return expected === 'FAIL' ? 'unexpected-pass' : 'pass';
  if (expected === 'FAIL') return 'expected-fail';
  if (options.strict) return 'fail';
  return brokenVerdictByLevel[level ?? 'MUST'];
}

const brokenVerdictByLevel: Record<Level, Verdict> = {
  MUST: 'fail',
  SHOULD: 'non-strict',
  MAY: 'informational',
};

/** Pure: returns new results with every verdict recomputed (after E's run CLI sets `expected`). */
export function applyVerdicts(results: Results, options: { strict: boolean }): Results {
  return {
    ...results,
    run_info: { ...results.run_info, strict: options.strict },
    results: results.results.map((result) => ({ ...result, verdict: gradeVerdict(result, options) })),
  };
}

export type VerdictCounts = Record<Verdict, number> & { total: number };

export function countVerdicts(results: readonly Pick<TestResult, 'verdict'>[]): VerdictCounts {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const result of results) counts[result.verdict] += 1;
  return { ...counts, total: results.length };
}

/**
 * Verdicts the report lists loudly: a new failure, and an unexpected pass (a stale
 * expectation). Whether the second fails the run is the run CLI's decision.
 */
export const LOUD_VERDICTS: readonly Verdict[] = ['fail', 'unexpected-pass'];

export function worstVerdict(verdicts: readonly Verdict[]): Verdict | null {
  let worst: number | null = null;
  for (const verdict of verdicts) {
    const rank = VERDICTS.indexOf(verdict);
    if (worst === null || rank < worst) worst = rank;
  }
  return worst === null ? null : VERDICTS[worst]!;
}
