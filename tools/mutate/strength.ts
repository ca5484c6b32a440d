/**
 * reports/strength.json: the suite's strength as data, one entry per fault of the mock's
 * catalogue that a mutation sweep switched on, saying whether the suite killed it (a test
 * failed that passes on the conformant mock) and which requirement and test did. The kill
 * matrix on the terminal and the "suite strength" section of matrix.html and matrix.md are
 * rendered from this file only; the next sweep reads it back to run each fault's previous
 * killer first.
 *
 * Declared once with TypeBox, checked with ajv on every read and write (as results.json is),
 * with a schemaVersion so that a later shape can tell an old file from a broken one.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Type as T, type Static } from '@sinclair/typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import { REPO_ROOT } from '../spec/io.ts';
import { LEVELS } from '../spec/model.ts';

export const STRENGTH_FILE = resolve(REPO_ROOT, 'reports/strength.json');
export const STRENGTH_SCHEMA_VERSION = 1;

const Nullable = <S extends Parameters<typeof T.Union>[0][number]>(schema: S) => T.Union([schema, T.Null()]);

export const OUTCOMES = ['killed', 'survived', 'error'] as const;
export type Outcome = (typeof OUTCOMES)[number];
/**
 * Which run decided a fault's verdict: its killer in the previous sweep alone, the tests
 * that killed other faults, or the whole suite (plan.ts).
 */
export const PHASES = ['previous-killer', 'known-killers', 'full-suite'] as const;
export type Phase = (typeof PHASES)[number];

export const FaultStrength = T.Object(
  {
    name: T.String(),
    description: T.String(),
    outcome: T.Union(OUTCOMES.map((o) => T.Literal(o))),
    killed: T.Boolean(),
    level: Nullable(T.Union(LEVELS.map((l) => T.Literal(l)))),
    requirement: Nullable(T.String()),
    test: Nullable(T.String({ description: 'the killing test, its title path as results.json writes it' })),
    file: Nullable(T.String({ description: 'the killing test file, relative to the repository root' })),
    phase: Nullable(T.Union(PHASES.map((p) => T.Literal(p)))),
    seconds: T.Number({ minimum: 0, description: 'wall time of this fault, every run of it' }),
    error: Nullable(T.String({ description: 'why the sweep could not judge this fault' })),
    areas: T.Optional(T.Array(T.String(), { description: '`mutate --areas`: the requirement areas with a check this fault fails' })),
  },
  { additionalProperties: false },
);
export type FaultStrength = Static<typeof FaultStrength>;

/** `mutate --areas`: for each requirement area of the spec, the faults its checks catch, and those only they catch. */
export const AreaCoverage = T.Object(
  {
    area: T.String(),
    caughtBy: T.Array(T.String()),
    onlyBy: T.Array(T.String({ description: 'faults no other area catches' })),
  },
  { additionalProperties: false },
);
export type AreaCoverage = Static<typeof AreaCoverage>;

export const Strength = T.Object(
  {
    schemaVersion: T.Literal(STRENGTH_SCHEMA_VERSION),
    generatedAt: T.String({ description: 'when the sweep ended' }),
    profile: T.String({ description: 'the mock profile the faults were switched on in' }),
    catalogue: T.Integer({ minimum: 0, description: 'faults in the catalogue' }),
    swept: T.Integer({ minimum: 0, description: 'faults this sweep switched on (fewer with --fault)' }),
    killed: T.Integer({ minimum: 0 }),
    survived: T.Array(T.String()),
    errors: T.Array(T.String()),
    workers: T.Integer({ minimum: 1, description: 'fault runs at once' }),
    wallSeconds: T.Number({ minimum: 0 }),
    faults: T.Array(FaultStrength),
    areaCoverage: T.Optional(T.Array(AreaCoverage)),
  },
  { additionalProperties: false, $id: 'https://photo-conformance.local/strength.schema.json' },
);
export type Strength = Static<typeof Strength>;

/** What the sweep learnt about one fault (the entry without its catalogue description). */
export type FaultVerdict = Omit<FaultStrength, 'description' | 'killed'>;

export interface StrengthInput {
  catalogue: Readonly<Record<string, string>>;
  verdicts: readonly FaultVerdict[];
  profile: string;
  workers: number;
  wallSeconds: number;
  now: Date;
  /** `mutate --areas`: the spec's requirement areas, to tally which faults each catches */
  areas?: readonly string[];
}

/** Pure: each area's catches, from faults that ran the whole suite (`areas` on each verdict). */
export function areaCoverage(areas: readonly string[], faults: readonly Pick<FaultStrength, 'name' | 'areas'>[]): AreaCoverage[] {
  return [...areas].sort().map((area) => {
    const caughtBy = faults.filter((f) => f.areas?.includes(area)).map((f) => f.name);
    return { area, caughtBy, onlyBy: faults.filter((f) => f.areas?.length === 1 && f.areas[0] === area).map((f) => f.name) };
  });
}

const tenths = (seconds: number) => Math.round(seconds * 10) / 10;

/** Pure: the document, faults in catalogue order whatever order the runs ended in. */
export function buildStrength(input: StrengthInput): Strength {
  const order = Object.keys(input.catalogue);
  const faults = [...input.verdicts]
    .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    .map(
      (v): FaultStrength => ({
        name: v.name,
        description: input.catalogue[v.name] ?? '',
        outcome: v.outcome,
        killed: v.outcome === 'killed',
        level: v.level,
        requirement: v.requirement,
        test: v.test,
        file: v.file,
        phase: v.phase,
        seconds: tenths(v.seconds),
        error: v.error,
        ...(v.areas ? { areas: v.areas } : {}),
      }),
    );
  return {
    schemaVersion: STRENGTH_SCHEMA_VERSION,
    generatedAt: input.now.toISOString(),
    profile: input.profile,
    catalogue: order.length,
    swept: faults.length,
    killed: faults.filter((f) => f.killed).length,
    survived: faults.filter((f) => f.outcome === 'survived').map((f) => f.name),
    errors: faults.filter((f) => f.outcome === 'error').map((f) => f.name),
    workers: input.workers,
    wallSeconds: tenths(input.wallSeconds),
    faults,
    ...(input.areas ? { areaCoverage: areaCoverage(input.areas, faults) } : {}),
  };
}

export class StrengthError extends Error {
  override name = 'StrengthError';
}

let validator: ValidateFunction | undefined;

export function assertValidStrength(value: unknown, file = '<strength>'): asserts value is Strength {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(Strength);
  if (validator(value)) return;
  const detail = (validator.errors ?? [])
    .slice(0, 10)
    .map((e) => `  ${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
    .join('\n');
  throw new StrengthError(`${file}: does not match the strength schema (version ${STRENGTH_SCHEMA_VERSION}):\n${detail}`);
}

export function parseStrengthText(text: string, file = '<strength>'): Strength {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StrengthError(`${file}: is not JSON: ${(error as Error).message}`);
  }
  assertValidStrength(value, file);
  return value;
}

/** undefined when there is no file: no sweep has run here yet. */
export async function readStrength(file = STRENGTH_FILE): Promise<Strength | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StrengthError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  return parseStrengthText(text, file);
}

export function serializeStrength(strength: Strength): string {
  assertValidStrength(strength, '<strength being written>');
  return `${JSON.stringify(strength, null, 2)}\n`;
}

/**
 * A killing test as a reader wants it beside its requirement: tags left out, and the
 * describe block and requirement id that start every generated title dropped
 * (`graph v1.0 › graph.v1.0.x/status PUT /me/photo/$value: ...` -> `PUT /me/photo/$value: ...`).
 */
export function shortTestTitle(test: string, requirement: string | null): string {
  const last = test.split(' › ').at(-1)!.replace(/\s+@[\w.-]+/g, '').trim();
  return requirement && last.startsWith(`${requirement} `) ? last.slice(requirement.length + 1) : last;
}
