/**
 * operations: every request line in every fenced block. A block is an endpoint listing
 * (the `ignored` annotation, or several bare request lines, or templates) or a request
 * example (the `request` annotation, or one line followed by headers or a body). API and
 * version come from the URL, else the block's `Start ... content` region, else the page.
 */
import type { Version } from '../../../spec/model.ts';
import type { OperationFact } from '../../types.ts';
import type { CodeBlock } from '../../view.ts';
import type { Rule, RuleFactory, RuleMessage } from '../rule.ts';
import { versionsAt } from '../rule.ts';
import { requestLinesIn, type RequestLineAt } from './path-template.ts';

export const OPERATIONS_RULE_ID = 'operations';

function blockKind(block: CodeBlock, lines: readonly RequestLineAt[]): OperationFact['from'] {
  const type = String(block.annotation?.value.blockType ?? '').toLowerCase();
  if (type === 'request') return 'example';
  if (type === 'ignored') return 'endpoint';
  const nonEmpty = block.node.value.split('\n').filter((l) => l.trim()).length;
  if (lines.length > 1 && lines.length === nonEmpty) return 'endpoint';
  if (lines.some((l) => l.request.parameters.some((p) => !/^[^{<]*$/.test(p.original) || /^'?[{<]/.test(p.original)))) {
    return nonEmpty > lines.length ? 'example' : 'endpoint';
  }
  return 'example';
}

export const operationsRule: RuleFactory = () => ({
  id: OPERATIONS_RULE_ID,
  run({ view, detection }) {
    const operations: OperationFact[] = [];
    const messages: RuleMessage[] = [];
    for (const block of view.codeBlocks) {
      const lines = requestLinesIn(block.node);
      if (!lines.length) continue;
      const from = blockKind(block, lines);
      const fenceLine = block.node.position?.start.line ?? 1;
      const column = block.node.position?.start.column ?? 1;
      for (const { request, offset, raw } of lines) {
        const api = request.api ?? detection.api;
        if (request.api && request.api !== detection.api) {
          messages.push({
            line: fenceLine + 1 + offset,
            column,
            severity: 'info',
            message: `request for the ${request.api} API on a ${detection.api} page`,
          });
        }
        const versions: Version[] = request.version ? [request.version] : versionsAt(detection, block.versions);
        for (const version of versions) {
          operations.push({
            api,
            version,
            method: request.method,
            path: request.path,
            originalPath: request.originalPath,
            parameters: request.parameters,
            ...(request.resource ? { resource: request.resource } : {}),
            ...(request.target ? { target: request.target } : {}),
            ...(request.owner ? { owner: request.owner } : {}),
            from,
            section: block.section,
            at: { line: fenceLine + 1 + offset, column, quote: { text: raw, lang: 'en', en: raw } },
          });
        }
      }
    }
    if (!operations.length && view.codeBlocks.length) {
      messages.push({ line: 1, column: 1, severity: 'warning', message: 'no HTTP request line found in any code block' });
    }
    return { facts: { operations }, messages };
  },
});

export default operationsRule satisfies RuleFactory;
export type { Rule };
