/**
 * operations: every request line in every fenced block. A block is an endpoint listing
 * (the `ignored` annotation, or several bare request lines, or templates) or a request
 * example (the `request` annotation, or one line followed by headers or a body). API and
 * version come from the URL, else the block's `Start ... content` region, else the page.
 *
 * No request line disappears silently: each yields an operation or a message saying why
 * not (not a photo path, an owner or a tail the grammar does not know, a path that cannot
 * be read, a method the API does not have). Where a syntax block names a collection the
 * page's examples spell otherwise (`/team/{id}/photo` against
 * `https://graph.microsoft.com/v1.0/teams/172b.../photo`), the examples' spelling wins,
 * as the service answers it; the merge records the conflict and warns, naming both lines.
 */
import type { Version } from '../../../spec/model.ts';
import type { OperationFact } from '../../types.ts';
import type { CodeBlock, PageView } from '../../view.ts';
import { mentions } from '../lexicon.ts';
import { declaresResource } from '../resource/index.ts';
import type { Rule, RuleFactory, RuleMessage } from '../rule.ts';
import { versionsAt } from '../rule.ts';
import {
  normalizePath,
  rejectedRequestLinesIn,
  requestLinesIn,
  sameCollection,
  withCollection,
  type RequestLine,
  type RequestLineAt,
} from './path-template.ts';

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

interface PageLine {
  line: RequestLineAt;
  block: CodeBlock;
  from: OperationFact['from'];
  /** 1-based line in the page. */
  at: number;
  column: number;
}

const isTemplate = (p: { original: string }) => /^'?[{<]/.test(p.original);

/** A request as an example writes it: an absolute URL, or concrete keys only. */
function isExampleForm(request: Readonly<RequestLine>): boolean {
  return /^https?:\/\//i.test(request.url) || !request.parameters.some(isTemplate);
}

/**
 * The example a line of an unknown collection should have been written like: a request of
 * the page, in example form, on a known collection that is the same word (`team`, `teams`);
 * one of the same method and target first.
 */
function exampleFor(unknown: PageLine, all: readonly PageLine[]): PageLine | undefined {
  const request = unknown.line.request;
  const collectionOf = (c: PageLine) => c.line.request.path.split('/')[1] ?? '';
  const candidates = all.filter((c) => c.line.request.resource && isExampleForm(c.line.request) && sameCollection(request.unclassified?.collection ?? '', collectionOf(c)));
  const first = candidates[0];
  if (!first) return undefined;
  const target = normalizePath(withCollection(request.originalPath, collectionOf(first))).target;
  const rank = (c: PageLine) => (c.line.request.method === request.method ? 0 : 2) + (c.line.request.target === target ? 0 : 1);
  return [...candidates].sort((a, b) => rank(a) - rank(b) || a.at - b.at)[0];
}

/**
 * `PUT /groups/{id}/photo/$value` right after a sentence about a team's photo ("To update
 * the photo of a team:") is the team's route through its group, as `{teamId}` would say.
 */
function introducesTeam(view: PageView, block: CodeBlock): boolean {
  for (let i = block.block - 1; i >= 0 && i >= block.block - 3; i--) {
    const node = view.blocks[i]?.node;
    if (!node || node.type === 'heading' || node.type === 'code') return false;
    if (node.type === 'html') continue;
    const sentences = view.sentences.filter((s) => s.block === i);
    return sentences.some((s) => mentions('team', s.text, s.en)) && !sentences.some((s) => mentions('group', s.text, s.en));
  }
  return false;
}

function whyNotAPhotoOperation(request: Readonly<RequestLine>): { severity: RuleMessage['severity']; message: string } {
  const line = `${request.method} ${request.originalPath}`;
  const why = request.unclassified;
  if (!why || why.why === 'not-photo-path') return { severity: 'info', message: `${line}: not a profile photo path; no operation` };
  if (why.why === 'unknown-owner') {
    const otherwise = why.keyed ? ', and no example on the page writes it otherwise' : '';
    return { severity: 'warning', message: `${line}: '${why.collection}' is not a collection whose photo the API serves (me, users/{id}, groups/{id}, teams/{id})${otherwise}; no operation` };
  }
  return { severity: 'warning', message: `${line}: not a photo target the API knows (photo, photo/$value, photos, photos/{size}, photos/{size}/$value); no operation` };
}

export const operationsRule: RuleFactory = () => ({
  id: OPERATIONS_RULE_ID,
  run({ view, detection }) {
    const operations: OperationFact[] = [];
    const messages: RuleMessage[] = [];
    const all: PageLine[] = [];
    for (const block of view.codeBlocks) {
      const fenceLine = block.node.position?.start.line ?? 1;
      const column = block.node.position?.start.column ?? 1;
      for (const rejected of rejectedRequestLinesIn(block.node)) {
        messages.push({ line: fenceLine + 1 + rejected.offset, column, severity: 'warning', message: `${rejected.raw}: ${rejected.why}; no operation` });
      }
      const lines = requestLinesIn(block.node);
      if (!lines.length) continue;
      const from = blockKind(block, lines);
      for (const line of lines) all.push({ line, block, from, at: fenceLine + 1 + line.offset, column });
    }
    for (const pageLine of all) {
      const { line, block, from, at, column } = pageLine;
      let request: Readonly<RequestLine> = line.request;
      const api = request.api ?? detection.api;
      if (request.api && request.api !== detection.api) {
        messages.push({ line: at, column, severity: 'info', message: `request for the ${request.api} API on a ${detection.api} page` });
      }
      let pathConflict: OperationFact['pathConflict'];
      if (request.unclassified?.why === 'unknown-owner' && request.unclassified.keyed) {
        const example = exampleFor(pageLine, all);
        const collection = example?.line.request.path.split('/')[1];
        const resolved = example && collection ? { ...request, ...normalizePath(withCollection(request.originalPath, collection)) } : undefined;
        if (example && resolved?.resource) {
          // The merge warns, naming both lines by the file as the run shows it.
          messages.push({
            line: at,
            column,
            severity: 'info',
            message: `${request.method} ${request.originalPath}: the examples write ${example.line.raw} (line ${example.at}); read as ${resolved.path}`,
          });
          pathConflict = {
            syntaxPath: request.path,
            examplePath: example.line.request.originalPath,
            exampleAt: { line: example.at, column: example.column, quote: { text: example.line.raw, lang: 'en', en: example.line.raw } },
          };
          request = resolved;
        }
      }
      if (request.resource === 'group' && !request.route && from === 'endpoint' && introducesTeam(view, block)) {
        const [key, ...rest] = request.parameters;
        if (key?.name === 'groupId') {
          messages.push({ line: at, column, severity: 'info', message: `${request.method} ${request.originalPath}: the sentence before the block is about a team; read as the team's photo through its group` });
          request = { ...request, resource: 'team', route: 'groups', path: request.path.replace('{groupId}', '{teamId}'), parameters: [{ ...key, name: 'teamId' }, ...rest] };
        }
      }
      if (!request.resource || !request.target) {
        const { severity, message } = whyNotAPhotoOperation(request);
        messages.push({ line: at, column, severity, message });
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
          ...(request.route ? { route: request.route } : {}),
          ...(pathConflict ? { pathConflict } : {}),
          from,
          section: block.section,
          at: { line: at, column, quote: { text: line.raw, lang: 'en', en: line.raw } },
        });
      }
    }
    // A resource page has no request line by nature: the resource rule reads it.
    if (!operations.length && view.codeBlocks.length && !messages.length && !declaresResource({ view })) {
      messages.push({ line: 1, column: 1, severity: 'warning', message: 'no HTTP request line found in any code block' });
    }
    return { facts: { operations }, messages };
  },
});

export default operationsRule satisfies RuleFactory;
export type { Rule };
