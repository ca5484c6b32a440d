/**
 * `photo-conformance extract`: the thin I/O shell around extractPage + SpecBuilder.
 * Pages come from `--docs` or from the manifest `spec/sources.yaml`; the runner
 * (tools/extract/runner) reads them, caches results and spreads them over the cores; the
 * spec is validated and written atomically (or compared, with `--check`).
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { parse as parseYaml } from 'yaml';
import type { Spec } from '../spec/model.ts';
import { DEFAULT_SPEC_PATH, REPO_ROOT, SCHEMA_PATH, serializeSpec, writeSchema, writeSpec, type SpecFormat } from '../spec/io.ts';
import { specJsonSchema } from '../spec/model.ts';
import { withFacts, type FactsInput } from './facts.ts';
import { SpecBuilder } from './merge.ts';
import { extractFiles } from './runner/index.ts';
import type { Diagnostic, PageResult, SourcePins } from './types.ts';

export const MANIFEST_PATH = resolve(REPO_ROOT, 'spec/sources.yaml');

const USAGE = `usage: photo-conformance extract [--docs DIR|FILE...] [--out FILE] [--format yaml|json] [--check] [--report json]

  --docs DIR|FILE...  pages or directories to read (default: the pages listed in spec/sources.yaml)
  --out FILE          where to write the spec (default: spec/profilephoto.yaml)
  --format yaml|json  spec format (default yaml); json without --out prints to stdout
  --check             regenerate in memory; fail with a diff if the written spec is stale
  --report json       diagnostics as JSON (stdout, or stderr when the spec goes to stdout)
  --jobs N            worker threads (default: the cores)
  --no-cache          extract every page, ignoring the result cache
  --verbose           print info diagnostics as well`;

interface Options {
  docs: string[];
  out?: string;
  format: SpecFormat;
  check: boolean;
  report?: 'json';
  jobs?: number;
  cache: boolean;
  verbose: boolean;
}

class UsageError extends Error {}

export function parseArgs(argv: readonly string[]): Options {
  const options: Options = { docs: [], format: 'yaml', check: false, cache: true, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      i += 1;
      return next;
    };
    switch (arg) {
      case '--docs':
        while (argv[i + 1] !== undefined && !(argv[i + 1] as string).startsWith('--')) options.docs.push(argv[++i] as string);
        if (!options.docs.length) throw new UsageError('--docs needs at least one page or directory');
        break;
      case '--out':
        options.out = value();
        break;
      case '--format': {
        const format = value();
        if (format !== 'yaml' && format !== 'json') throw new UsageError(`--format must be yaml or json, not '${format}'`);
        options.format = format;
        break;
      }
      case '--check':
        options.check = true;
        break;
      case '--report': {
        const report = value();
        if (report !== 'json') throw new UsageError(`--report must be json, not '${report}'`);
        options.report = report;
        break;
      }
      case '--jobs': {
        const jobs = Number(value());
        if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError('--jobs must be a positive integer');
        options.jobs = jobs;
        break;
      }
      case '--no-cache':
        options.cache = false;
        break;
      case '--verbose':
        options.verbose = true;
        break;
      default:
        throw new UsageError(`unknown option '${arg}'`);
    }
  }
  return options;
}

export interface ManifestEntry {
  path: string;
  pins?: SourcePins;
}

/** spec/sources.yaml: `pages: [{ path, pins? }]`, paths relative to the repository root. */
export async function readManifest(file = MANIFEST_PATH): Promise<ManifestEntry[]> {
  return (await readManifestFile(file)).pages;
}

/**
 * The whole manifest: the pages, and `facts: [{ path }]`, documents of observed service
 * behaviour the protocol requirements come from (tools/extract/facts.ts).
 */
export async function readManifestFile(file = MANIFEST_PATH): Promise<{ pages: ManifestEntry[]; facts: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    throw new Error(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const pages = (data as { pages?: unknown })?.pages;
  if (!Array.isArray(pages)) throw new Error(`${file}: expected a 'pages' list`);
  const facts = (data as { facts?: unknown }).facts ?? [];
  if (!Array.isArray(facts)) throw new Error(`${file}: 'facts' must be a list of { path }`);
  return {
    pages: pages.map((entry, index) => {
      const path = (entry as { path?: unknown })?.path;
      if (typeof path !== 'string' || !path) throw new Error(`${file}: pages[${index}] has no path`);
      const pins = (entry as { pins?: SourcePins }).pins;
      return pins ? { path, pins } : { path };
    }),
    facts: facts.map((entry, index) => {
      const path = (entry as { path?: unknown })?.path;
      if (typeof path !== 'string' || !path) throw new Error(`${file}: facts[${index}] has no path`);
      return path;
    }),
  };
}

/**
 * Paths in the spec and in messages are relative to the repository root, whatever the cwd,
 * so the committed spec is the same on every machine (`../shared/corpus/...`). A page far
 * outside the checkout is shown absolute: `../../tmp/x.md` would only puzzle its owner.
 */
export function displayPath(file: string): string {
  const absolute = isAbsolute(file) ? file : resolve(file);
  const fromRoot = relative(REPO_ROOT, absolute).split('\\').join('/') || '.';
  return fromRoot.startsWith('../../') ? absolute.split('\\').join('/') : fromRoot;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.message} ${d.ruleId}`;
}

function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
}

export interface ExtractRun {
  spec: Spec;
  diagnostics: Diagnostic[];
  pages: number;
}

/** Reads the pages, merges them, returns the spec and every diagnostic (nothing written). */
export async function runExtraction(entries: ManifestEntry[], options: { jobs?: number; cache?: boolean; facts?: string[] } = {}): Promise<ExtractRun> {
  const builder = new SpecBuilder();
  const diagnostics: Diagnostic[] = [];
  const pins = new Map<string, SourcePins>();
  const inputs = entries.map((entry) => {
    const absolute = resolve(entry.path);
    if (entry.pins) pins.set(absolute, entry.pins);
    return absolute;
  });
  let pages = 0;
  const summary = await extractFiles(inputs, {
    pins,
    // Without --jobs the runner decides from the page count (in process for a small run).
    ...(options.jobs ? { jobs: options.jobs } : {}),
    ...(options.cache === false ? { cache: false } : {}),
    onResult(result: PageResult) {
      pages += 1;
      const file = displayPath(result.path);
      const local = { ...result, path: file, messages: result.messages.map((m) => ({ ...m, file })) };
      diagnostics.push(...local.messages);
      builder.add(local);
    },
    onError(file, diagnostic) {
      diagnostics.push({ ...diagnostic, file: displayPath(file) });
    },
  });
  void summary;
  const built = builder.build();
  diagnostics.push(...built.messages.map((m) => ({ ...m, file: m.file.startsWith('<') ? m.file : displayPath(m.file) })));
  const facts: FactsInput[] = [];
  for (const file of options.facts ?? []) {
    try {
      facts.push({ path: displayPath(file), text: await readFile(file, 'utf8') });
    } catch (error) {
      // Without its facts the spec would lose the protocol requirements: say so, write nothing.
      diagnostics.push({ file: displayPath(file), line: 1, column: 1, severity: 'error', message: `facts document cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, ruleId: 'facts' });
    }
  }
  return { spec: withFacts(built.spec, facts), diagnostics: sortDiagnostics(diagnostics), pages };
}

function schemaRefFor(out: string): string {
  const ref = relative(resolve(out, '..'), SCHEMA_PATH).split('\\').join('/') || './spec.schema.json';
  return ref.startsWith('.') ? ref : `./${ref}`;
}

/** Where the CLI prints; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const say = (line: string) => io.err(`${line}\n`);
  let options: Options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(`${USAGE}\n`);
      return 0;
    }
    say(`photo-conformance extract: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  let entries: ManifestEntry[];
  let facts: string[] = [];
  if (options.docs.length) entries = options.docs.map((path) => ({ path }));
  else {
    try {
      // Manifest paths are relative to the repository root, not to the cwd.
      const manifest = await readManifestFile();
      entries = manifest.pages.map((e) => ({ ...e, path: resolve(REPO_ROOT, e.path) }));
      facts = manifest.facts.map((path) => resolve(REPO_ROOT, path));
    } catch (error) {
      say(`error ${(error as Error).message}`);
      return 1;
    }
  }

  const run = await runExtraction(entries, { ...(options.jobs ? { jobs: options.jobs } : {}), cache: options.cache, facts });
  const specToStdout = options.format === 'json' && !options.out && !options.check;
  const out = options.out ? resolve(options.out) : DEFAULT_SPEC_PATH;
  const errors = run.diagnostics.filter((d) => d.severity === 'error');
  const warnings = run.diagnostics.filter((d) => d.severity === 'warning');

  const shown = run.diagnostics.filter((d) => options.verbose || d.severity !== 'info');
  if (options.report === 'json') {
    const report = `${JSON.stringify({ pages: run.pages, diagnostics: run.diagnostics }, null, 2)}\n`;
    if (specToStdout) io.err(report);
    else io.out(report);
  } else {
    for (const d of shown) say(formatDiagnostic(d));
    say(`${run.pages} page(s), ${run.spec.operations.length} operations, ${run.spec.requirements.length} requirements, ${run.spec.conflicts.length} conflicts; ${errors.length} error(s), ${warnings.length} warning(s)`);
  }

  if (!run.pages) {
    say('error no page could be extracted; the spec is left as it was');
    return 1;
  }
  if (run.spec.operations.length === 0) {
    // Written, an empty spec would replace the committed one, generate an empty suite, and
    // let a run of nothing report the target conformant.
    say(`error none of the ${run.pages} page(s) states a profile photo operation (an HTTP request for a /photo or /photos path); the spec is left as it was`);
    return 1;
  }

  const unreadFacts = run.diagnostics.filter((d) => d.ruleId === 'facts' && d.severity === 'error');
  if (unreadFacts.length) {
    // Written without them, the spec would lose its protocol requirements without a word.
    say(`error ${unreadFacts.map((d) => d.file).join(', ')}: the facts spec/sources.yaml lists cannot be read; the spec is left as it was`);
    return 1;
  }

  let text: string;
  try {
    text = serializeSpec(run.spec, options.format, schemaRefFor(out));
  } catch (error) {
    say(`error ${(error as Error).message}`);
    return 1;
  }

  if (options.check) {
    const stale: string[] = [];
    for (const [file, expected] of [
      [out, text],
      [SCHEMA_PATH, `${JSON.stringify(specJsonSchema(), null, 2)}\n`],
    ] as const) {
      let current = '';
      try {
        current = await readFile(file, 'utf8');
      } catch {
        current = '';
      }
      if (current !== expected) {
        const name = displayPath(file);
        stale.push(createTwoFilesPatch(`${name} (committed)`, `${name} (regenerated)`, current, expected, '', '', { context: 3 }));
      }
    }
    if (stale.length) {
      say(stale.join('\n'));
      say('error the committed spec is stale; run `photo-conformance extract` and commit the result');
      return 1;
    }
    say(`${displayPath(out)} is up to date`);
    return errors.length ? 1 : 0;
  }

  if (specToStdout) {
    io.out(text);
  } else {
    try {
      await writeSpec(run.spec, out, options.format);
      await writeSchema();
    } catch (error) {
      say(`error ${(error as Error).message}`);
      return 1;
    }
    say(`wrote ${displayPath(out)}`);
  }
  return errors.length ? 1 : 0;
}
