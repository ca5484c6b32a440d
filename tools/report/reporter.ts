/**
 * Playwright reporter that writes `reports/results.json` (see results-model.ts).
 *
 *   reporter: [['list'], ['./tools/report/reporter.ts', { outputFile: 'reports/results.json' }]]
 *
 * It reads what the generated tests attach (annotations requirement/level/area/source/
 * operation and the `exchange` attachment), looks the requirement up in the spec for its
 * description and source sentence, grades verdicts, and writes the file atomically after
 * a redaction pass over everything in it. Run info comes from the environment the run CLI
 * sets: PHOTO_TARGET, PHOTO_PROFILE, PHOTO_BASE_URL, PHOTO_STRICT, PHOTO_GREP (and
 * PHOTO_SPEC_FILE or PHOTO_SPEC, PHOTO_RESULTS_FILE to move the spec and the output).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestResult as PlaywrightResult } from '@playwright/test/reporter';
import { VERSIONS, type Level, type Spec } from '../spec/model.ts';
import { DEFAULT_SPEC_PATH, REPO_ROOT, parseSpecText, writeFileAtomic } from '../spec/io.ts';
import { CHECK_ANNOTATION, CHECK_OUTCOME_ATTACHMENT, CHECKS_SELECTED_ATTACHMENT, type CheckOutcome } from '../../suites/harness/case.ts';
import { SELECT_ALL, selectionFromEnv, selects, type Selection } from '../../suites/harness/select.ts';
import { redactText, redactValue, secretsFromEnvironment, type RedactionOptions } from './redact.ts';
import {
  gradeVerdict,
  serializeResults,
  STATUSES,
  type Exchange,
  type ExpectedStatus,
  type Results,
  type RunInfo,
  type Status,
  type TestResult,
} from './results-model.ts';

export interface ConformanceReporterOptions {
  /** Where results.json goes; relative paths are taken from the repository root. */
  outputFile?: string;
  specFile?: string;
}

/** What the reporter knows about the spec: enough to annotate a result, nothing more. */
export interface SpecIndex {
  version: number | null;
  sha256: string | null;
  requirements: Map<string, Spec['requirements'][number]>;
  operations: Map<string, Spec['operations'][number]>;
}

export const EMPTY_SPEC_INDEX: SpecIndex = { version: null, sha256: null, requirements: new Map(), operations: new Map() };

export function indexSpec(spec: Spec, sha256: string | null): SpecIndex {
  return {
    version: spec.specVersion,
    sha256,
    requirements: new Map(spec.requirements.map((r) => [r.id, r])),
    operations: new Map(spec.operations.map((o) => [o.id, o])),
  };
}

/** A missing or broken spec must not lose the run's results: they are written without sentences. */
export async function loadSpecIndex(file: string): Promise<{ index: SpecIndex; warning?: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { index: EMPTY_SPEC_INDEX, warning: `${file}: cannot be read (${(error as NodeJS.ErrnoException).code}); results carry no source sentences` };
  }
  try {
    const spec = parseSpecText(bytes.toString('utf8'), file);
    return { index: indexSpec(spec, createHash('sha256').update(bytes).digest('hex')) };
  } catch (error) {
    return { index: EMPTY_SPEC_INDEX, warning: `${(error as Error).message}; results carry no source sentences` };
  }
}

const STATUS_FROM_PLAYWRIGHT: Record<PlaywrightResult['status'], Status> = {
  passed: 'PASS',
  failed: 'FAIL',
  timedOut: 'TIMEOUT',
  skipped: 'SKIP',
  // An interrupted test did not finish; it is neither a pass nor a checked failure.
  interrupted: 'TIMEOUT',
};

const EXPECTED_FROM_PLAYWRIGHT: Record<TestCase['expectedStatus'], ExpectedStatus> = {
  passed: 'PASS',
  failed: 'FAIL',
  timedOut: 'FAIL',
  skipped: 'SKIP',
  interrupted: 'PASS',
};

type Annotation = { type: string; description?: string };

function annotationValue(annotations: readonly Annotation[], type: string): string | null {
  return annotations.find((a) => a.type === type && a.description)?.description ?? null;
}

function asLevel(value: string | null): Level | null {
  const upper = value?.toUpperCase();
  return upper === 'MUST' || upper === 'SHOULD' || upper === 'MAY' ? upper : null;
}

/** Operation ids are `api.version.method.resource.target`, and versions contain a dot. */
export function splitOperationId(id: string): { api: string; version: string } | null {
  const dot = id.indexOf('.');
  if (dot < 0) return null;
  const api = id.slice(0, dot);
  const version = VERSIONS.find((v) => id.startsWith(`${api}.${v}.`) || id === `${api}.${v}`);
  return version ? { api, version } : null;
}

// Playwright colours assertion messages for the terminal; the report is not a terminal.
const ANSI = /\u001b\[[0-9;]*m/g;

function messageOf(result: PlaywrightResult, annotations: readonly Annotation[]): string | null {
  const error = result.errors[0] ?? result.error;
  if (error) {
    const text = (error.message ?? error.value ?? 'failed without a message').replace(ANSI, '');
    return text.length > 4000 ? `${text.slice(0, 4000)}…` : text;
  }
  if (result.status === 'skipped') return annotationValue(annotations, 'skip') ?? annotationValue(annotations, 'fixme');
  if (result.status === 'interrupted') return 'interrupted before it finished';
  return null;
}

function headerRecord(value: unknown): Record<string, string | string[]> | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined || item === null) continue;
    out[name] = Array.isArray(item) ? item.map(String) : String(item);
  }
  return out;
}

/**
 * Coerces one attached exchange into the results schema (headers as strings, integer
 * counts), so a harness detail like a numeric header cannot cost the whole results file.
 */
export function normalizeExchange(item: unknown): Exchange | null {
  if (!item || typeof item !== 'object') return null;
  const { request, response, note, ...rest } = item as { request?: Record<string, unknown>; response?: Record<string, unknown> | null; note?: unknown };
  if (!request || typeof request.method !== 'string' || typeof request.url !== 'string') return null;
  const bodyBytes = Number(request.bodyBytes);
  const status = Number(response?.status);
  return {
    ...rest,
    request: {
      method: request.method,
      url: request.url,
      ...(headerRecord(request.headers) ? { headers: headerRecord(request.headers) } : {}),
      ...(Number.isInteger(bodyBytes) && bodyBytes >= 0 ? { bodyBytes } : {}),
    },
    response:
      response && Number.isInteger(status)
        ? {
            status,
            ...(headerRecord(response.headers) ? { headers: headerRecord(response.headers) } : {}),
            ...('bodyPreview' in response ? { bodyPreview: response.bodyPreview } : {}),
          }
        : null,
    ...(note === undefined || note === null ? {} : { note: String(note) }),
  } as Exchange;
}

/** Reads every `exchange` attachment; a broken one becomes a note, never a lost result. */
export function readExchanges(attachments: PlaywrightResult['attachments']): { exchanges: Exchange[]; problems: string[] } {
  const exchanges: Exchange[] = [];
  const problems: string[] = [];
  for (const attachment of attachments) {
    if (attachment.name !== 'exchange') continue;
    let text: string;
    try {
      text = attachment.body ? attachment.body.toString('utf8') : attachment.path ? readFileSync(attachment.path, 'utf8') : '';
    } catch (error) {
      problems.push(`exchange attachment ${attachment.path ?? ''} cannot be read (${(error as NodeJS.ErrnoException).code})`);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      problems.push(`exchange attachment is not JSON: ${(error as Error).message}`);
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      const exchange = normalizeExchange(item);
      if (exchange) exchanges.push(exchange);
      else problems.push('exchange attachment holds an entry without a request method and url');
    }
  }
  return { exchanges, problems };
}

export interface ResultContext {
  spec: SpecIndex;
  strict: boolean;
  rootDir: string;
  /** the run's --grep over checks (a group lists all of its checks) */
  selection?: Selection;
}

/** One Playwright test and its last attempt -> one results.json entry (not yet redacted). */
export function toTestResult(test: TestCase, result: PlaywrightResult | undefined, context: ResultContext): TestResult {
  const annotations: Annotation[] = [...(result?.annotations ?? []), ...test.annotations];
  const requirementId = annotationValue(annotations, 'requirement');
  const requirement = requirementId ? context.spec.requirements.get(requirementId) : undefined;
  const operationId = annotationValue(annotations, 'operation') ?? requirement?.operations[0] ?? null;
  const operation = operationId ? context.spec.operations.get(operationId) : undefined;
  const fromId = operationId ? splitOperationId(operationId) : null;
  const { exchanges, problems } = result ? readExchanges(result.attachments) : { exchanges: [], problems: [] };

  const status: Status = result ? STATUS_FROM_PLAYWRIGHT[result.status] : 'SKIP';
  const expected = EXPECTED_FROM_PLAYWRIGHT[test.expectedStatus];
  const level = asLevel(annotationValue(annotations, 'level')) ?? requirement?.level ?? null;
  const baseMessage = result ? messageOf(result, annotations) : 'not run (the run ended before this test)';
  const message = [baseMessage, ...problems].filter(Boolean).join('\n') || null;

  // titlePath() starts with '', the project name and the file; the test's own path follows.
  const titles = test.titlePath().filter(Boolean);
  const project = test.parent.project()?.name;
  const file = relative(context.rootDir, test.location.file);
  const titlesWithoutContainer = titles.filter((t, i) => !(i < 2 && (t === project || file.endsWith(t))));

  return {
    test: titlesWithoutContainer.join(' › '),
    file,
    ...(project ? { project } : {}),
    requirement: requirementId,
    level,
    area: annotationValue(annotations, 'area') ?? requirement?.area ?? null,
    operation: operationId,
    api: annotationValue(annotations, 'api') ?? operation?.api ?? fromId?.api ?? null,
    version: annotationValue(annotations, 'version') ?? operation?.version ?? fromId?.version ?? null,
    source: annotationValue(annotations, 'source') ?? null,
    description: requirement?.description ?? null,
    source_sentence: requirement?.quote ?? null,
    status,
    expected,
    verdict: gradeVerdict({ status, expected, level }, { strict: context.strict }),
    message,
    duration: Math.max(0, Math.round(result?.duration ?? 0)),
    exchanges,
  };
}

/** Reads every check outcome a group attached; a broken one becomes a problem, never a lost run. */
export function readOutcomes(attachments: PlaywrightResult['attachments']): { outcomes: Map<string, CheckOutcome>; selected: Set<string> | null; problems: string[] } {
  const outcomes = new Map<string, CheckOutcome>();
  const problems: string[] = [];
  let selected: Set<string> | null = null;
  for (const attachment of attachments) {
    if (attachment.name === CHECKS_SELECTED_ATTACHMENT && attachment.body) {
      try {
        const titles: unknown = JSON.parse(attachment.body.toString('utf8'));
        if (Array.isArray(titles)) selected = new Set(titles.filter((t): t is string => typeof t === 'string'));
      } catch (error) {
        problems.push(`the selected checks are not JSON: ${(error as Error).message}`);
      }
      continue;
    }
    if (attachment.name !== CHECK_OUTCOME_ATTACHMENT || !attachment.body) continue;
    try {
      const outcome = JSON.parse(attachment.body.toString('utf8')) as CheckOutcome;
      if (typeof outcome?.title === 'string') outcomes.set(outcome.title, outcome);
      else problems.push('a check outcome without a title');
    } catch (error) {
      problems.push(`a check outcome is not JSON: ${(error as Error).message}`);
    }
  }
  return { outcomes, selected, problems };
}

/**
 * One Playwright test -> its results.json entries: a group (a test annotated with its checks)
 * gives one entry per check the run selected, from the outcome the harness attached to the
 * check's step; a check without one (its group ended first) is said to be not run, and why.
 * Any other test gives one entry, as `toTestResult` reads it.
 */
export function toTestResults(test: TestCase, result: PlaywrightResult | undefined, context: ResultContext): TestResult[] {
  const checks = test.annotations.filter((a) => a.type === CHECK_ANNOTATION && a.description).map((a) => a.description!);
  if (checks.length === 0) return [toTestResult(test, result, context)];
  const group = toTestResult(test, result, context);
  const path = test.titlePath();
  const [project = '', file = ''] = [path[1], path[2]];
  const describeTitles = path.slice(3, -1);
  const describe = describeTitles.join(' › ');
  const { outcomes, selected, problems } = result ? readOutcomes(result.attachments) : { outcomes: new Map<string, CheckOutcome>(), selected: null, problems: [] };
  const selection = context.selection ?? SELECT_ALL;
  const tags = test.tags;
  const entries: TestResult[] = [];
  for (const title of checks) {
    // The harness names the checks it selected before it runs them. A group that never got that
    // far is judged here, its tags (the union of its checks') standing in for the check's own:
    // at worst a check that was not selected is listed as not run.
    if (selected ? !selected.has(title) : !selects(selection, { project, file, describe, title, tags })) continue;
    const outcome = outcomes.get(title);
    const testTitle = [...describeTitles, title].join(' › ');
    if (outcome) {
      entries.push(fromOutcome(outcome, testTitle, group, context, problems));
      continue;
    }
    const requirementId = title.split(' ')[0] ?? null;
    const requirement = requirementId ? context.spec.requirements.get(requirementId) : undefined;
    const operationId = requirement?.operations[0] ?? null;
    const operation = operationId ? context.spec.operations.get(operationId) : undefined;
    const ended = !result
      ? { status: 'SKIP' as const, message: 'not run (the run ended before this check)' }
      : result.status === 'skipped'
        ? { status: 'SKIP' as const, message: group.message ?? 'skipped with its group' }
        : { status: 'TIMEOUT' as const, message: `not run: its group ended (${result.status}) before this check${group.message ? `\n${group.message}` : ''}` };
    const level = requirement?.level ?? null;
    entries.push({
      ...group,
      test: testTitle,
      requirement: requirement ? requirement.id : requirementId,
      level,
      area: requirement?.area ?? null,
      operation: operationId,
      api: operation?.api ?? null,
      version: operation?.version ?? null,
      source: null,
      description: requirement?.description ?? null,
      source_sentence: requirement?.quote ?? null,
      status: ended.status,
      expected: 'PASS',
      verdict: gradeVerdict({ status: ended.status, expected: 'PASS', level }, { strict: context.strict }),
      message: ended.message,
      duration: 0,
      exchanges: [],
    });
  }
  return entries;
}

function fromOutcome(outcome: CheckOutcome, testTitle: string, group: TestResult, context: ResultContext, problems: string[]): TestResult {
  const requirement = context.spec.requirements.get(outcome.requirement.id);
  const level = asLevel(outcome.requirement.level) ?? requirement?.level ?? null;
  const exchanges: Exchange[] = [];
  for (const item of Array.isArray(outcome.exchanges) ? outcome.exchanges : []) {
    const exchange = normalizeExchange(item);
    if (exchange) exchanges.push(exchange);
    else problems.push('a check outcome holds an exchange without a request method and url');
  }
  const status: Status = (STATUSES as readonly string[]).includes(outcome.status) ? outcome.status : 'FAIL';
  const expected: ExpectedStatus = outcome.expected === 'FAIL' ? 'FAIL' : 'PASS';
  const message = [outcome.message ? outcome.message.replace(ANSI, '') : null, ...problems].filter(Boolean).join('\n') || null;
  return {
    ...group,
    test: testTitle,
    requirement: outcome.requirement.id,
    level,
    area: outcome.requirement.area ?? requirement?.area ?? null,
    operation: outcome.operation,
    api: outcome.api,
    version: outcome.version,
    source: outcome.source || null,
    description: requirement?.description ?? null,
    source_sentence: requirement?.quote ?? null,
    status,
    expected,
    verdict: gradeVerdict({ status, expected, level }, { strict: context.strict }),
    message: message && message.length > 4000 ? `${message.slice(0, 4000)}…` : message,
    duration: Math.max(0, Math.round(outcome.duration)),
    exchanges,
  };
}


function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

function grepText(grep: FullConfig['grep']): string | null {
  const patterns = (Array.isArray(grep) ? grep : [grep]).map((g) => g.source).filter((s) => s !== '.*');
  return patterns.length ? patterns.join(' | ') : null;
}

function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function runInfoFromEnvironment(
  env: NodeJS.ProcessEnv,
  config: Pick<FullConfig, 'grep' | 'shard'>,
  spec: SpecIndex,
  fallbackTarget: string,
  date: Date,
): RunInfo {
  return {
    target: env.PHOTO_TARGET || fallbackTarget,
    profile: env.PHOTO_PROFILE || null,
    base_url: env.PHOTO_BASE_URL || null,
    spec_version: spec.version,
    spec_sha256: spec.sha256,
    date: date.toISOString(),
    strict: truthy(env.PHOTO_STRICT),
    grep: env.PHOTO_GREP || grepText(config.grep),
    shard: config.shard ? `${config.shard.current}/${config.shard.total}` : null,
    tool_version: toolVersion(),
    ...(env.PHOTO_LABEL ? { label: env.PHOTO_LABEL } : {}),
  };
}

/** The second redaction pass: the whole document, strings and keys alike. */
export function redactResults(results: Results, options: RedactionOptions): Results {
  const redacted = redactValue(results, options);
  // Messages get the text rules even where a key rule would not apply.
  return { ...redacted, results: redacted.results.map((r) => ({ ...r, message: r.message === null ? null : redactText(r.message, options) })) };
}

export default class ConformanceReporter implements Reporter {
  private readonly outputFile: string;
  private readonly specFile: string;
  private config: FullConfig | undefined;
  private suite: Suite | undefined;
  private started = new Date();
  // Retries report each attempt; the last one is the test's result.
  private readonly lastResult = new Map<string, { test: TestCase; result: PlaywrightResult }>();

  constructor(options: ConformanceReporterOptions = {}) {
    const output = options.outputFile ?? process.env.PHOTO_RESULTS_FILE ?? 'reports/results.json';
    this.outputFile = isAbsolute(output) ? output : resolve(REPO_ROOT, output);
    // PHOTO_SPEC_FILE is what the run CLI sets from --spec; PHOTO_SPEC is the harness's name.
    const spec = options.specFile ?? process.env.PHOTO_SPEC_FILE ?? process.env.PHOTO_SPEC ?? DEFAULT_SPEC_PATH;
    this.specFile = isAbsolute(spec) ? spec : resolve(REPO_ROOT, spec);
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig, suite: Suite): void {
    this.config = config;
    this.suite = suite;
    this.started = new Date();
  }

  onTestEnd(test: TestCase, result: PlaywrightResult): void {
    this.lastResult.set(test.id, { test, result });
  }

  async onEnd(_result: FullResult): Promise<void> {
    const { index, warning } = await loadSpecIndex(this.specFile);
    if (warning) console.warn(`conformance reporter: ${warning}`);
    const strict = truthy(process.env.PHOTO_STRICT);
    const rootDir = REPO_ROOT;
    const tests = this.suite?.allTests() ?? [...this.lastResult.values()].map((entry) => entry.test);
    let selection: Selection = SELECT_ALL;
    try {
      selection = selectionFromEnv();
    } catch (error) {
      console.warn(`conformance reporter: ${(error as Error).message}; every check is listed`);
    }
    const results = tests.flatMap((test) => toTestResults(test, this.lastResult.get(test.id)?.result, { spec: index, strict, rootDir, selection }));
    const firstProject = tests[0]?.parent.project()?.name;
    const document: Results = {
      run_info: runInfoFromEnvironment(process.env, this.config ?? { grep: /.*/, shard: null }, index, firstProject || 'mock', this.started),
      time_start: this.started.getTime(),
      time_end: Date.now(),
      results,
    };
    const redacted = redactResults(document, { knownSecrets: secretsFromEnvironment() });
    await writeFileAtomic(this.outputFile, serializeResults(redacted));
  }
}
