/**
 * `photo-conformance mutate [--fault NAME...] [--workers N]`: how strong the suite is. Runs
 * the suite against the mock once per fault of the catalogue (tools/mock/faults.ts), each
 * run stopping at its first unexpected failure (a killed fault needs no more), and prints
 * the kill matrix. A fault that no test notices is a hole in the suite: the sweep fails.
 * A last control run checks that no killing test fails with no fault on, so that a red
 * suite cannot pass for a strong one. Writes reports/strength.json, and renders matrix.html
 * and matrix.md again when there are results to render, so that their "suite strength"
 * section is this sweep's.
 */
import { access, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, readSpec, writeFileAtomic } from '../spec/io.ts';
import { FAULTS, FAULT_NAMES, UnknownFaultError, parseFaults, type FaultName } from '../mock/faults.ts';
import { UsageError, loadBaseline, writeKnownDeviations } from '../run/cli.ts';
import { firstKillers, previousKillers, seedKillers, serializeSeed, sweepOrder, type Killer } from './plan.ts';
import { STRENGTH_FILE, buildStrength, readStrength, serializeStrength, shortTestTitle, type FaultVerdict, type Strength } from './strength.ts';
import { controlKills, inLanes, sweepFault, type SweepContext } from './sweep.ts';

export const USAGE = `usage: photo-conformance mutate [--fault NAME ...] [--workers N] [--full | --areas] [--json]

Runs the suite against the mock once per fault of the catalogue, each run stopping at its
first unexpected failure, and prints the kill matrix: each fault killed or SURVIVED, the
requirement and test that caught it, and the time. A kill counts when its test does not
fail with no fault on (one control run at the end). Writes reports/strength.json; when
reports/results.json exists, renders matrix.html and matrix.md again with the
"suite strength" section (otherwise the next \`run\` or \`report\` shows it).

  --fault NAME   sweep this fault only (repeatable; default: the whole catalogue,
                 \`photo-conformance mock --list-faults\` lists it)
  --workers N    fault runs at once (default: the CPUs, ${availableParallelism()} here); each has one
                 Playwright worker
  --full         the whole suite for every fault; by default a fault first runs, alone, the
                 test that killed it in the previous sweep (reports/strength.json), then the
                 tests that killed other faults, and the whole suite only if those do not kill it
  --areas        every fault runs the whole suite to its end, and the sweep tallies, for each
                 requirement area of the spec, the faults its checks catch and those only they
                 catch; an area that catches no fault alone fails the sweep (exit 1)
  --json         print strength.json instead of the table
  --save-killers after a full sweep with every fault killed, write each fault's killer to
                 spec/expectations/mutation-killers.yaml, the seed a clean checkout (no
                 reports/strength.json) runs first
  -h, --help     this text

Exit: 0 every fault killed, 1 a fault survived, 2 a usage error or a run the sweep could
not judge (Playwright or its global setup did not run).`;

/** The mock's profile the catalogue breaks: each fault is a departure from the pages. */
export const PROFILE = 'docs';

export interface MutateOptions {
  faults: FaultName[];
  workers: number;
  full: boolean;
  areas: boolean;
  json: boolean;
  saveKillers: boolean;
}

/** The committed seed of killers a clean checkout starts from (plan.ts: seedKillers). */
export const KILLERS_SEED = join(REPO_ROOT, 'spec/expectations/mutation-killers.yaml');

export function parseMutateArgs(argv: string[], cpus = availableParallelism()): MutateOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        fault: { type: 'string', multiple: true },
        workers: { type: 'string', short: 'j' },
        full: { type: 'boolean' },
        areas: { type: 'boolean' },
        json: { type: 'boolean' },
        'save-killers': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.workers !== undefined && !/^[1-9]\d*$/.test(values.workers)) {
    throw new UsageError(`--workers must be a whole number of fault runs at once, 1 or more, not '${values.workers}'`);
  }
  // Throws UnknownFaultError naming the known faults.
  const asked = parseFaults(values.fault ?? []);
  return {
    faults: asked.size ? FAULT_NAMES.filter((name) => asked.has(name)) : [...FAULT_NAMES],
    workers: values.workers ? Number(values.workers) : Math.max(1, cpus),
    full: values.full ?? false,
    areas: values.areas ?? false,
    json: values.json ?? false,
    saveKillers: values['save-killers'] ?? false,
  };
}

/**
 * 1 a survivor (or, with --areas, an area no fault is caught by alone), 2 a fault the sweep
 * could not judge (the louder: the sweep is incomplete), else 0.
 */
export function strengthExitCode(strength: Pick<Strength, 'survived' | 'errors' | 'areaCoverage'>): number {
  if (strength.errors.length) return 2;
  return strength.survived.length || (strength.areaCoverage ?? []).some((a) => a.onlyBy.length === 0) ? 1 : 0;
}

/** `--areas`: a row per requirement area, the faults only it catches first. */
export function areaCoverageLines(strength: Strength): string[] {
  if (!strength.areaCoverage) return [];
  const rows = strength.areaCoverage.map((a) => [
    a.area,
    String(a.caughtBy.length),
    a.onlyBy.length ? a.onlyBy.join(', ') : 'NONE: every fault it catches, another area catches too',
  ]);
  return ['', ...alignedTable(['area', 'catches', 'faults only this area catches'], rows)];
}

const RESULT_LABEL = { killed: 'killed', survived: 'SURVIVED', error: 'ERROR' } as const;

function alignedTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  // The last column goes unpadded: a long test title should not push trailing blanks.
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The kill matrix as aligned text: a row a fault in catalogue order, then the totals. */
export function killMatrixLines(strength: Strength): string[] {
  const rows = strength.faults.map((f) => [
    f.name,
    RESULT_LABEL[f.outcome],
    `${f.seconds.toFixed(1)} s`,
    f.level ?? '-',
    f.requirement ?? '-',
    f.test ? shortTestTitle(f.test, f.requirement) : f.outcome === 'error' ? 'see below' : '-',
  ]);
  const lines = alignedTable(['fault', 'result', 'time', 'level', 'requirement', 'test that caught it'], rows);
  for (const f of strength.faults.filter((x) => x.outcome === 'error')) lines.push(`ERROR ${f.name}: ${f.error}`);
  lines.push('', strengthSummary(strength));
  return lines;
}

export function strengthSummary(strength: Strength): string {
  const partial = strength.swept < strength.catalogue ? ` (a partial sweep: ${strength.swept} of the catalogue's ${strength.catalogue})` : '';
  const parts = [`suite strength: ${strength.killed}/${strength.swept} faults killed${partial}, ${strength.wallSeconds.toFixed(1)} s wall, ${strength.workers} at once`];
  if (strength.survived.length) parts.push(`SURVIVED: ${strength.survived.join(', ')}`);
  if (strength.errors.length) parts.push(`not judged (errors): ${strength.errors.join(', ')}`);
  return parts.join('; ');
}

const PHASE_NOTE = { 'previous-killer': 'its previous killer', 'known-killers': 'the known killers', 'full-suite': 'the whole suite' } as const;

function progressLine(verdict: FaultVerdict, done: number, total: number): string {
  const what =
    verdict.outcome === 'killed'
      ? `killed by ${verdict.requirement ?? verdict.test} (${PHASE_NOTE[verdict.phase ?? 'full-suite']})`
      : RESULT_LABEL[verdict.outcome];
  return `mutate [${String(done).padStart(String(total).length)}/${total}] ${verdict.name}: ${what} in ${verdict.seconds.toFixed(1)} s`;
}

/** The previous sweep, for its killers; a broken file is only a slower sweep. */
async function previousSweep(log: (line: string) => void): Promise<Strength | undefined> {
  try {
    return await readStrength();
  } catch (error) {
    log(`mutate: ${(error as Error).message.split('\n')[0]}; every fault runs the whole suite`);
    return undefined;
  }
}

/** matrix.html and matrix.md again, from the last run's results, with this sweep's section. */
async function renderMatrix(log: (line: string) => void): Promise<void> {
  const results = join(REPO_ROOT, 'reports/results.json');
  try {
    await access(results);
  } catch {
    log('mutate: no reports/results.json to render; the next `run` or `report` shows the suite strength section');
    return;
  }
  try {
    const { renderReports } = await import('../report/render.ts');
    const rendered = await renderReports({ results: [results], outDir: join(REPO_ROOT, 'reports') });
    log(`mutate: ${relative(process.cwd(), rendered.html)} and ${relative(process.cwd(), rendered.markdown)} rendered with the suite strength`);
  } catch (error) {
    log(`mutate: the matrix could not be rendered again: ${(error as Error).message}`);
  }
}

/** Every fault in lanes, stage after stage (plan.ts), then the control run: the document they make. */
async function sweep(options: MutateOptions, log: (line: string) => void): Promise<Strength> {
  const started = performance.now();
  const previous = options.full || options.areas
    ? new Map<string, Killer>()
    : firstKillers(previousKillers(await previousSweep(log), PROFILE), seedKillers(await readFile(KILLERS_SEED, 'utf8').catch(() => undefined)));
  const order = sweepOrder(options.faults, previous);
  const { expectations } = await loadBaseline({ target: 'mock', profile: PROFILE });
  const known = await writeKnownDeviations(expectations);
  log(
    `mutate: ${order.length} fault(s) against the mock (${PROFILE}), ${options.workers} at once; ` +
      `${order.filter((f) => previous.has(f)).length} with a previous killer to run first`,
  );
  const context: SweepContext = {
    expectations,
    knownDeviationsFile: known.file,
    env: process.env,
    knownKillers: [...previous.values()],
    wholeSuiteOnly: options.full,
    areas: options.areas,
  };
  let verdicts: FaultVerdict[];
  try {
    let done = 0;
    const swept = await inLanes(order, options.workers, async (fault) => {
      const verdict = await sweepFault(fault, previous.get(fault), context);
      log(progressLine(verdict, ++done, order.length));
      return verdict;
    });
    verdicts = await controlKills(swept, context);
    const unconfirmed = verdicts.filter((v, i) => v.outcome !== swept[i]!.outcome).length;
    log(`mutate: control run with no fault on: ${unconfirmed ? `${unconfirmed} kill(s) NOT confirmed` : 'every kill confirmed'}`);
  } finally {
    await known.remove();
  }
  return buildStrength({
    catalogue: FAULTS,
    verdicts,
    profile: PROFILE,
    workers: options.workers,
    wallSeconds: (performance.now() - started) / 1000,
    now: new Date(),
    ...(options.areas ? { areas: [...new Set((await readSpec()).requirements.map((r) => r.area))] } : {}),
  });
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let options: MutateOptions;
  try {
    options = parseMutateArgs(argv);
  } catch (error) {
    if (error instanceof UnknownFaultError) console.error(`mutate: ${error.message}`);
    else if (error instanceof UsageError) console.error(`mutate: ${error.message}\n\n${USAGE}`);
    else throw error;
    return 2;
  }
  // With --json, stdout holds the document only; what happens on the way goes to stderr.
  const log = options.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const strength = await sweep(options, log);
  await writeFileAtomic(STRENGTH_FILE, serializeStrength(strength));
  if (options.saveKillers) {
    if (strength.swept < strength.catalogue || strength.killed < strength.swept) log('mutate: --save-killers needs a full sweep with every fault killed; the seed is left as it was');
    else {
      await writeFileAtomic(KILLERS_SEED, serializeSeed(strength));
      log(`mutate: ${relative(process.cwd(), KILLERS_SEED)} written (commit it)`);
    }
  }
  await renderMatrix(log);
  if (options.json) console.log(serializeStrength(strength).trimEnd());
  else {
    console.log('');
    for (const line of killMatrixLines(strength)) console.log(line);
    for (const line of areaCoverageLines(strength)) console.log(line);
    console.log(`mutate: ${relative(process.cwd(), STRENGTH_FILE)}`);
  }
  return strengthExitCode(strength);
}
