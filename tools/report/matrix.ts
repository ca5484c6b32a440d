/**
 * The conformance matrix as a view model: requirements in rows grouped by area, runs
 * (targets) in columns, one cell per requirement and run holding that run's tests; and,
 * beside it, the suite's strength from the last mutation sweep (strength.json). Pure:
 * results, an optional spec and an optional sweep in, plain data out; the templates only
 * lay it out.
 */
import { createHash } from 'node:crypto';
import { relative, resolve } from 'node:path';
import { diffLines } from 'diff';
import { AREAS, LEVELS, type Quote, type Spec } from '../spec/model.ts';
import { REPO_ROOT } from '../spec/io.ts';
import { shortTestTitle, type Outcome, type Strength } from '../mutate/strength.ts';
import {
  VERDICTS,
  countVerdicts,
  worstVerdict,
  type Exchange,
  type Results,
  type RunInfo,
  type TestResult,
  type Verdict,
  type VerdictCounts,
} from './results-model.ts';

export interface VerdictStyle {
  verdict: Verdict;
  label: string;
  symbol: string;
  meaning: string;
}

/** Text and symbol as well as colour, so a verdict reads without colour vision. */
export const VERDICT_STYLES: Record<Verdict, VerdictStyle> = {
  pass: { verdict: 'pass', label: 'pass', symbol: '✓', meaning: 'behaves as the pages say' },
  fail: { verdict: 'fail', label: 'fail', symbol: '✗', meaning: 'a MUST is broken (or any requirement, in strict mode)' },
  'non-strict': { verdict: 'non-strict', label: 'non-strict', symbol: '!', meaning: 'a SHOULD is broken' },
  informational: { verdict: 'informational', label: 'info', symbol: 'i', meaning: 'a MAY is broken' },
  'expected-fail': { verdict: 'expected-fail', label: 'expected fail', symbol: '≈', meaning: 'a known deviation, recorded in the expectations' },
  'unexpected-pass': { verdict: 'unexpected-pass', label: 'unexpected pass', symbol: '?', meaning: 'passes, but the expectations record a failure' },
  skip: { verdict: 'skip', label: 'skip', symbol: '–', meaning: 'not checked on this target' },
};

/** Summary and legend order: the good news first, then by how loudly it needs attention. */
export const VERDICT_DISPLAY_ORDER: readonly Verdict[] = ['pass', 'fail', 'non-strict', 'informational', 'expected-fail', 'unexpected-pass', 'skip'];

export interface SourceLink {
  text: string;
  href: string;
}

export interface Column {
  index: number;
  label: string;
  detail: string;
  runInfo: RunInfo;
  files: string[];
  counts: VerdictCounts;
  durationMs: number;
}

export interface ExchangeView {
  method: string;
  url: string;
  requestHeaders: [string, string][];
  bodyBytes: number | null;
  status: number | null;
  responseHeaders: [string, string][];
  bodyPreview: string | null;
  expected: string | null;
  observed: string | null;
  diff: { kind: 'same' | 'added' | 'removed'; text: string }[] | null;
  note: string | null;
}

export interface CellTest {
  title: string;
  file: string;
  status: TestResult['status'];
  expected: TestResult['expected'];
  expectedReason: string | null;
  verdict: Verdict;
  style: VerdictStyle;
  message: string | null;
  durationMs: number;
  source: SourceLink | null;
  exchanges: ExchangeView[];
}

export interface Cell {
  id: string;
  column: number;
  verdict: Verdict | null;
  style: VerdictStyle | null;
  counts: VerdictCounts;
  tests: CellTest[];
}

export interface Row {
  key: string;
  requirement: string | null;
  title: string;
  level: string | null;
  area: string;
  description: string | null;
  quote: Quote | null;
  sources: SourceLink[];
  cells: Cell[];
  verdicts: Verdict[];
}

export interface AreaGroup {
  area: string;
  rows: Row[];
  counts: VerdictCounts[];
}

export interface Matrix {
  generatedAt: string;
  columns: Column[];
  areas: AreaGroup[];
  verdictStyles: VerdictStyle[];
  levels: readonly string[];
  requirementCount: number;
}

export interface MatrixInput {
  /** Each run with the file it came from (shown in the column header). */
  runs: { file: string; results: Results }[];
  spec?: Spec;
  /** Where the report is written: source links are made relative to it. */
  outDir: string;
  now?: Date;
}

const NO_AREA = 'unclassified';

/** `file:line` relative to the repository root -> a link relative to the report. */
export function sourceLink(source: string, outDir: string): SourceLink | null {
  const match = /^(.+?):(\d+)(?::\d+)?$/.exec(source);
  if (!match) return null;
  const [, file, line] = match;
  const href = relative(outDir, resolve(REPO_ROOT, file!)).split('\\').join('/');
  return { text: `${file}:${line}`, href: `${encodeURI(href)}#L${line}` };
}

/** Shards of one run (same target, profile and base URL) belong in one column. */
function columnKey(runInfo: RunInfo, fileIndex: number): string {
  return runInfo.shard
    ? ['shard', runInfo.target, runInfo.profile, runInfo.base_url, runInfo.spec_sha256].join('|')
    : `file|${fileIndex}`;
}

function headerEntries(headers: Exchange['request']['headers']): [string, string][] {
  return Object.entries(headers ?? {}).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]);
}

function pretty(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        return JSON.stringify(JSON.parse(trimmed), null, 2);
      } catch {
        return value;
      }
    }
    return value;
  }
  return JSON.stringify(value, null, 2);
}

function exchangeView(exchange: Exchange): ExchangeView {
  const expected = pretty(exchange.expected);
  const observed = pretty(exchange.observed);
  const diff =
    expected !== null && observed !== null && expected !== observed
      ? diffLines(expected, observed).map((part) => ({
          kind: part.added ? ('added' as const) : part.removed ? ('removed' as const) : ('same' as const),
          text: part.value,
        }))
      : null;
  return {
    method: exchange.request.method,
    url: exchange.request.url,
    requestHeaders: headerEntries(exchange.request.headers),
    bodyBytes: exchange.request.bodyBytes ?? null,
    status: exchange.response?.status ?? null,
    responseHeaders: headerEntries(exchange.response?.headers),
    bodyPreview: exchange.response ? pretty(exchange.response.bodyPreview) : null,
    expected,
    observed,
    diff,
    note: exchange.note ?? null,
  };
}

// Tags are for --grep; in the report they are noise next to the requirement id.
const displayTitle = (test: string) => test.replace(/\s+@[\w.-]+/g, '').trim();

function cellTest(result: TestResult, outDir: string): CellTest {
  return {
    title: displayTitle(result.test),
    file: result.file,
    status: result.status,
    expected: result.expected,
    expectedReason: result.expected_reason ?? null,
    verdict: result.verdict,
    style: VERDICT_STYLES[result.verdict],
    message: result.message,
    durationMs: result.duration,
    source: result.source ? sourceLink(result.source, outDir) : null,
    exchanges: result.exchanges.map(exchangeView),
  };
}

function columnLabels(runs: RunInfo[]): { label: string; detail: string }[] {
  const base = runs.map((info) => info.label || [info.target, info.profile].filter(Boolean).join(' · '));
  return runs.map((info, i) => {
    const same = base.filter((b) => b === base[i]).length > 1;
    const nth = base.slice(0, i + 1).filter((b) => b === base[i]).length;
    const detail = [info.base_url, info.date.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), info.strict ? 'strict' : null, info.grep ? `grep ${info.grep}` : null]
      .filter(Boolean)
      .join(' · ');
    return { label: same ? `${base[i]} #${nth}` : base[i]!, detail };
  });
}

const verdictRank = (v: Verdict) => VERDICTS.indexOf(v);

export function buildMatrix(input: MatrixInput): Matrix {
  const { runs, spec, outDir } = input;

  // Columns: one per results file, shards of the same run merged.
  const groups = new Map<string, { runInfo: RunInfo; files: string[]; results: TestResult[]; durationMs: number }>();
  runs.forEach(({ file, results }, i) => {
    const key = columnKey(results.run_info, i);
    const group = groups.get(key);
    const durationMs = Math.max(0, results.time_end - results.time_start);
    if (group) {
      group.files.push(file);
      group.results.push(...results.results);
      group.durationMs = Math.max(group.durationMs, durationMs);
    } else {
      groups.set(key, { runInfo: { ...results.run_info, shard: null }, files: [file], results: [...results.results], durationMs });
    }
  });
  const grouped = [...groups.values()];
  const labels = columnLabels(grouped.map((g) => g.runInfo));
  const columns: Column[] = grouped.map((g, index) => ({
    index,
    label: labels[index]!.label,
    detail: labels[index]!.detail,
    runInfo: g.runInfo,
    files: g.files,
    counts: countVerdicts(g.results),
    durationMs: g.durationMs,
  }));

  // Rows: one per requirement; a test without one gets a row of its own.
  const requirements = new Map((spec?.requirements ?? []).map((r) => [r.id, r]));
  const rows = new Map<string, Row>();
  const emptyCells = (key: string): Cell[] =>
    columns.map((c) => ({ id: `cell-${c.index}-${key}`, column: c.index, verdict: null, style: null, counts: countVerdicts([]), tests: [] }));
  const rowFor = (result: TestResult): Row => {
    const key = result.requirement ?? `test:${result.file}:${result.test}`;
    let row = rows.get(key);
    if (!row) {
      const requirement = result.requirement ? requirements.get(result.requirement) : undefined;
      row = {
        key,
        requirement: result.requirement,
        title: result.requirement ?? displayTitle(result.test),
        level: result.level ?? requirement?.level ?? null,
        area: result.area ?? requirement?.area ?? NO_AREA,
        description: result.description ?? requirement?.description ?? null,
        quote: result.source_sentence ?? requirement?.quote ?? null,
        sources: [],
        cells: emptyCells(domId(key)),
        verdicts: [],
      };
      rows.set(key, row);
    }
    return row;
  };

  grouped.forEach((group, columnIndex) => {
    for (const result of group.results) {
      const row = rowFor(result);
      const link = result.source ? sourceLink(result.source, outDir) : null;
      if (link && !row.sources.some((s) => s.text === link.text)) row.sources.push(link);
      row.cells[columnIndex]!.tests.push(cellTest(result, outDir));
    }
  });

  // Requirements the spec has but no run checked are shown too: a gap is a finding.
  for (const requirement of spec?.requirements ?? []) {
    if (rows.has(requirement.id)) continue;
    rows.set(requirement.id, {
      key: requirement.id,
      requirement: requirement.id,
      title: requirement.id,
      level: requirement.level,
      area: requirement.area,
      description: requirement.description,
      quote: requirement.quote,
      sources: [],
      cells: emptyCells(domId(requirement.id)),
      verdicts: [],
    });
  }

  for (const row of rows.values()) {
    const requirement = row.requirement ? requirements.get(row.requirement) : undefined;
    if (row.sources.length === 0) {
      for (const source of requirement?.sources ?? []) {
        const link = sourceLink(source.ref, outDir);
        if (link && !row.sources.some((s) => s.text === link.text)) row.sources.push(link);
      }
    }
    for (const cell of row.cells) {
      // Worst first inside a cell, so the test that decides the verdict is on top.
      cell.tests.sort((a, b) => verdictRank(a.verdict) - verdictRank(b.verdict) || a.title.localeCompare(b.title));
      cell.counts = countVerdicts(cell.tests);
      cell.verdict = worstVerdict(cell.tests.map((t) => t.verdict));
      cell.style = cell.verdict ? VERDICT_STYLES[cell.verdict] : null;
    }
    row.verdicts = [...new Set(row.cells.flatMap((c) => (c.verdict ? [c.verdict] : [])))];
  }

  const areaOrder = (area: string) => {
    const known = (AREAS as readonly string[]).indexOf(area);
    return known >= 0 ? known : area === NO_AREA ? AREAS.length + 1 : AREAS.length;
  };
  const levelOrder = (level: string | null) => (level ? (LEVELS as readonly string[]).indexOf(level) : LEVELS.length);
  const byArea = new Map<string, Row[]>();
  for (const row of rows.values()) byArea.set(row.area, [...(byArea.get(row.area) ?? []), row]);
  const areas: AreaGroup[] = [...byArea.entries()]
    .sort(([a], [b]) => areaOrder(a) - areaOrder(b) || a.localeCompare(b))
    .map(([area, areaRows]) => {
      areaRows.sort((a, b) => levelOrder(a.level) - levelOrder(b.level) || a.title.localeCompare(b.title));
      return {
        area,
        rows: areaRows,
        counts: columns.map((c) => countVerdicts(areaRows.flatMap((r) => r.cells[c.index]!.tests))),
      };
    });

  return {
    generatedAt: (input.now ?? new Date()).toISOString(),
    columns,
    areas,
    verdictStyles: VERDICT_DISPLAY_ORDER.map((v) => VERDICT_STYLES[v]),
    levels: LEVELS,
    requirementCount: [...rows.values()].filter((r) => r.requirement).length,
  };
}

/**
 * Requirement ids hold dots and slashes; element ids and fragments should not. The hash
 * keeps two ids that differ only in punctuation apart.
 */
export function domId(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${readable}-${createHash('sha256').update(key).digest('hex').slice(0, 6)}`;
}

export interface StrengthRow {
  fault: string;
  description: string;
  outcome: Outcome;
  /** killed, SURVIVED or ERROR: a survivor reads as loudly as a failing MUST */
  label: string;
  level: string | null;
  requirement: string | null;
  /** the killing test beside its requirement (tags and the requirement id left out) */
  test: string | null;
  /** its whole title path, for the tooltip */
  fullTest: string | null;
  seconds: string;
  byPreviousKiller: boolean;
  error: string | null;
}

/** The "suite strength" section: the last mutation sweep of the mock, from strength.json. */
export interface StrengthView {
  generatedAt: string;
  profile: string;
  catalogue: number;
  swept: number;
  killed: number;
  survived: string[];
  errors: string[];
  partial: boolean;
  wallSeconds: string;
  workers: number;
  rows: StrengthRow[];
}

const OUTCOME_LABELS: Record<Outcome, string> = { killed: 'killed', survived: 'SURVIVED', error: 'ERROR' };

export function buildStrengthView(strength: Strength): StrengthView {
  return {
    generatedAt: strength.generatedAt,
    profile: strength.profile,
    catalogue: strength.catalogue,
    swept: strength.swept,
    killed: strength.killed,
    survived: strength.survived,
    errors: strength.errors,
    partial: strength.swept < strength.catalogue,
    wallSeconds: strength.wallSeconds.toFixed(1),
    workers: strength.workers,
    rows: strength.faults.map((f) => ({
      fault: f.name,
      description: f.description,
      outcome: f.outcome,
      label: OUTCOME_LABELS[f.outcome],
      level: f.level,
      requirement: f.requirement,
      test: f.test ? shortTestTitle(f.test, f.requirement) : null,
      fullTest: f.test ? displayTitle(f.test) : null,
      seconds: f.seconds.toFixed(1),
      byPreviousKiller: f.phase === 'previous-killer',
      error: f.error,
    })),
  };
}
