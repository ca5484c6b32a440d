/**
 * One page in, its facts out: input hygiene -> parse -> bilingual view -> detect -> rules.
 * Pure (no I/O) and JSON-serializable, so the runner can call it in a worker thread and
 * cache the result by content hash. It never throws: whatever goes wrong becomes a message.
 */
import { createHash } from 'node:crypto';
import type { Yaml } from 'mdast';
import { parseFrontmatter, parseMarkdown, prepareText } from './markdown.ts';
import { detect, DETECT_RULE_ID, sourceIdFromPath } from './rules/detect/index.ts';
import { pipelineRules } from './rules/index.ts';
import { emptyFacts, type FactLists, type Rule } from './rules/rule.ts';
import type { Diagnostic, PageFacts, PageInput, PageResult } from './types.ts';
import { buildView } from './view.ts';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function appendFacts(into: FactLists, from: Partial<FactLists>): void {
  for (const [key, value] of Object.entries(from) as [keyof FactLists, unknown][]) {
    if (key === 'schemas') Object.assign(into.schemas, value as Record<string, unknown>);
    else (into[key] as unknown[]).push(...(value as unknown[]));
  }
}

export function extractPage(input: PageInput, rules: readonly Rule[] = pipelineRules): PageResult {
  const messages: Diagnostic[] = [];
  const file = input.path;
  const say = (ruleId: string, m: { line: number; column: number; severity: Diagnostic['severity']; message: string }) =>
    messages.push({ file, line: m.line, column: m.column, severity: m.severity, message: m.message, ruleId });

  const prepared = prepareText(typeof input.text === 'string' ? input.text : '');
  for (const note of prepared.notes) say(note.ruleId, note);
  const digest = sha256(input.text ?? '');

  let facts: PageFacts;
  let httpRequestBlocks = 0;
  try {
    const tree = parseMarkdown(prepared.text);
    const yaml = tree.children.find((n): n is Yaml => n.type === 'yaml');
    let frontmatter: Record<string, unknown> = {};
    if (yaml) {
      const parsed = parseFrontmatter(yaml.value);
      frontmatter = parsed.data;
      if (parsed.error) {
        say('frontmatter', { line: yaml.position?.start.line ?? 1, column: 1, severity: 'warning', message: `front matter is not valid YAML (${parsed.error}); read as key: value lines` });
      }
    }
    const view = buildView(file, prepared.text, tree, frontmatter);
    const detected = detect(view, input.pins);
    for (const m of detected.messages) say(DETECT_RULE_ID, m);
    const lists = emptyFacts();
    for (const rule of rules) {
      try {
        const output = rule.run({ view, detection: detected.detection, facts: lists });
        if (output.facts) appendFacts(lists, output.facts);
        for (const m of output.messages ?? []) say(rule.id, m);
      } catch (error) {
        say(rule.id, { line: 1, column: 1, severity: 'error', message: `rule failed: ${(error as Error).message}` });
      }
    }
    facts = { detection: detected.detection, ...lists };
    httpRequestBlocks = view.codeBlocks.filter((b) => /^\s*(GET|PUT|PATCH|POST|DELETE)\s+\S/m.test(b.node.value)).length;
  } catch (error) {
    say('parse', { line: 1, column: 1, severity: 'error', message: `page could not be parsed: ${(error as Error).message}` });
    facts = {
      detection: {
        id: input.pins?.id ?? sourceIdFromPath(file),
        locale: input.pins?.locale ?? 'und',
        api: input.pins?.api ?? 'graph',
        versions: input.pins?.versions ?? ['v1.0'],
        translation: input.pins?.translation ?? 'original',
        bilingual: false,
        pinned: [],
      },
      ...emptyFacts(),
    };
  }
  if (prepared.binary) httpRequestBlocks = 0;
  return {
    path: file,
    sha256: digest,
    facts,
    messages,
    stats: { httpRequestBlocks, operations: facts.operations.length },
  };
}
