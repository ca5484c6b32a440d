/**
 * The normalized view of one page that every rule reads: the mdast tree plus
 *  - bilingual text: each docfx `sxs-lookup` unit split into the localized text and the
 *    English source text, with the unit's own line:column;
 *  - the page skeleton: top-level blocks with the stable anchor of the section they sit in,
 *    the annotation comment that precedes a code block, and the API version of any
 *    `<!-- Start beta content -->`-style region around them.
 * Nothing here looks at localized wording: sections come from anchors, comments and
 * thematic breaks only.
 */
import type { Code, Heading, Html, Nodes, PhrasingContent, Root, RootContent, Table } from 'mdast';
import type { Version } from '../spec/model.ts';

/** Text of a piece of phrasing content: localized text and, where the page keeps it, the English source. */
export interface Bitext {
  text: string;
  en?: string;
}

export interface Sentence extends Bitext {
  line: number;
  column: number;
  /** Index of the top-level block. */
  block: number;
  container: 'paragraph' | 'heading' | 'listItem' | 'tableCell' | 'blockquote' | 'html';
  /** Links inside the sentence's container (URLs are language independent). */
  links: string[];
}

export interface Annotation {
  value: Record<string, unknown>;
  line: number;
  column: number;
}

export interface Block {
  node: RootContent;
  index: number;
  /** The stable key of the section: the nearest `<a name>` anchor (or English heading slug), lower case. */
  sectionKey: string;
  /** Counter bumped at anchors, headings (depth <= 3) and thematic breaks: groups lists with endpoint blocks. */
  section: number;
  /** Versions of the enclosing `Start beta/v2 content` region; empty outside one. */
  versions: Version[];
  anchors: string[];
}

export interface CodeBlock {
  node: Code;
  block: number;
  annotation?: Annotation;
  sectionKey: string;
  section: number;
  versions: Version[];
}

export interface PageView {
  path: string;
  text: string;
  tree: Root;
  frontmatter: Record<string, unknown>;
  blocks: Block[];
  codeBlocks: CodeBlock[];
  sentences: Sentence[];
  /** True when `sxs-lookup` spans are present. */
  bilingual: boolean;
  /** HTML comments that are neither annotations nor version markers (uuid/date comments...). */
  comments: { value: string; line: number; column: number }[];
  /** Version-region markers found, for detection. */
  versionMarkers: Version[];
  /** `[!INCLUDE [name](...)]` names, e.g. beta-disclaimer. */
  includes: string[];
}

const ANCHOR = /<a\s+name\s*=\s*["']([^"']+)["']/gi;

export function anchorsIn(html: string): string[] {
  return [...html.matchAll(ANCHOR)].map((m) => (m[1] ?? '').toLowerCase());
}

function versionOfMarker(word: string): Version | undefined {
  const w = word.toLowerCase();
  if (w === 'beta') return 'beta';
  if (w === 'v2' || w === 'v2.0') return 'v2.0';
  if (w === 'v1' || w === 'v1.0') return 'v1.0';
  return undefined;
}

/** Parses `<!-- { "blockType": ... } -->`; tolerates trailing commas. */
export function parseAnnotation(html: string): Record<string, unknown> | undefined {
  const match = /^<!--\s*(\{[\s\S]*\})\s*-->\s*$/.exec(html.trim());
  if (!match?.[1]) return undefined;
  for (const candidate of [match[1], match[1].replace(/,\s*([}\]])/g, '$1')]) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // try the next, more lenient form
    }
  }
  return undefined;
}

const KNOWN_TAGS = new Set(['a', 'b', 'br', 'code', 'del', 'div', 'em', 'font', 'i', 'img', 'ins', 'kbd', 'li', 'ol', 'p', 's', 'span', 'strong', 'sub', 'sup', 'table', 'td', 'th', 'tr', 'u', 'ul', 'var']);

type SpanKind = 'ttu' | 'sxs' | 'stu' | 'other';

/** Walks phrasing content keeping the localized and English streams apart. */
class BitextWriter {
  text = '';
  en = '';
  sawSxs = false;
  links: string[] = [];
  private stack: SpanKind[] = [];

  private inSxs(): boolean {
    return this.stack.includes('sxs');
  }
  private inTtu(): boolean {
    return this.stack.includes('ttu');
  }

  write(value: string): void {
    if (this.inSxs()) this.en += value;
    else if (this.inTtu()) this.text += value;
    else {
      this.text += value;
      this.en += value;
    }
  }

  html(value: string): void {
    // One inline html node is usually one tag, but docfx sometimes glues several.
    for (const tag of value.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
      const [whole, name = '', attrs = ''] = tag;
      const lower = name.toLowerCase();
      if (lower === 'br') {
        this.write('\n');
      } else if (lower === 'span') {
        if (whole.startsWith('</')) this.stack.pop();
        else if (/class\s*=\s*["'][^"']*sxs-lookup/.test(attrs)) {
          this.sawSxs = true;
          this.stack.push('sxs');
        } else if (/data-ttu-id/.test(attrs)) this.stack.push('ttu');
        else if (/data-stu-id/.test(attrs)) this.stack.push('stu');
        else if (!whole.endsWith('/>')) this.stack.push('other');
      } else if (!KNOWN_TAGS.has(lower)) {
        // `Bearer <token>`: a placeholder in angle brackets parses as an HTML tag; it is text.
        this.write(whole);
      }
    }
  }

  phrasing(nodes: readonly PhrasingContent[] | readonly Nodes[]): void {
    for (const node of nodes) this.node(node as Nodes);
  }

  node(node: Nodes): void {
    switch (node.type) {
      case 'text':
        this.write(node.value);
        break;
      case 'inlineCode':
        this.write(`\`${node.value}\``);
        break;
      case 'html':
        this.html(node.value);
        break;
      case 'break':
        this.write('\n');
        break;
      case 'link':
        this.links.push(node.url);
        this.phrasing(node.children);
        break;
      case 'image':
        break;
      default:
        if ('children' in node) this.phrasing(node.children as Nodes[]);
    }
  }

  result(): Bitext & { bilingual: boolean } {
    const text = tidy(this.text);
    // Without an sxs-lookup span the English stream is the same text, and is not returned.
    return this.sawSxs ? { text, en: tidy(this.en), bilingual: true } : { text, bilingual: false };
  }
}

// Most cells and sentences hold single spaces only: those need nothing but the trim.
const UNTIDY = /[\t\u00a0\n]| {2}/;

function tidy(value: string): string {
  if (!UNTIDY.test(value)) return value.trim();
  return value
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

/** Text of any node, bilingual aware. */
export function bitextOf(node: Nodes | readonly Nodes[]): Bitext & { bilingual: boolean; links: string[] } {
  const writer = new BitextWriter();
  if (Array.isArray(node)) writer.phrasing(node as Nodes[]);
  else writer.node(node as Nodes);
  return { ...writer.result(), links: writer.links };
}

/** Splits a paragraph into docfx units where it has them: one unit per `data-ttu-id` span. */
function unitsOf(children: readonly Nodes[]): { nodes: Nodes[]; line: number; column: number }[] {
  const units: { nodes: Nodes[]; line: number; column: number }[] = [];
  let current: { nodes: Nodes[]; line: number; column: number } | undefined;
  let depth = 0;
  for (const child of children) {
    const start = child.position?.start;
    if (child.type === 'html' && /data-ttu-id/.test(child.value) && depth === 0) {
      current = { nodes: [], line: start?.line ?? 1, column: start?.column ?? 1 };
      units.push(current);
    }
    if (!current) {
      current = { nodes: [], line: start?.line ?? 1, column: start?.column ?? 1 };
      units.push(current);
    }
    current.nodes.push(child);
    if (child.type === 'html') {
      for (const tag of child.value.matchAll(/<(\/?)span\b[^>]*?(\/?)>/gi)) {
        if (tag[1]) depth = Math.max(0, depth - 1);
        else if (!tag[2]) depth += 1;
      }
    }
  }
  return units;
}

const SENTENCE_END = /(?<=[.!?。！？])\s+(?=\S)|(?<=[。！？])(?=\S)/u;

function splitSentences(value: string): { text: string; offset: number }[] {
  const parts: { text: string; offset: number }[] = [];
  let offset = 0;
  for (const piece of value.split(SENTENCE_END)) {
    const at = value.indexOf(piece, offset);
    parts.push({ text: piece, offset: at < 0 ? offset : at });
    offset = (at < 0 ? offset : at) + piece.length;
  }
  return parts.filter((p) => p.text.trim().length > 0);
}

function sentencesFromPhrasing(
  children: readonly Nodes[],
  block: number,
  container: Sentence['container'],
  fallback: { line: number; column: number },
  out: Sentence[],
): boolean {
  let bilingual = false;
  for (const unit of unitsOf(children)) {
    const bt = bitextOf(unit.nodes);
    if (!bt.text && !bt.en) continue;
    if (bt.bilingual) {
      bilingual = true;
      out.push({ text: bt.text, en: bt.en, line: unit.line, column: unit.column, block, container, links: bt.links });
      continue;
    }
    // Plain prose: split into sentences, placing each by its offset within the unit.
    const base = { line: unit.line || fallback.line, column: unit.column || fallback.column };
    // Walk the offsets forward once: counting newlines from the start for every sentence is quadratic.
    let scanned = 0;
    let newlines = 0;
    let lastNewline = -1;
    for (const piece of splitSentences(bt.text)) {
      for (; scanned < piece.offset; scanned++) {
        if (bt.text.charCodeAt(scanned) === 10) {
          newlines += 1;
          lastNewline = scanned;
        }
      }
      const line = base.line + newlines;
      const column = newlines ? piece.offset - lastNewline : base.column + piece.offset;
      out.push({ text: piece.text.trim(), line, column, block, container, links: bt.links });
    }
  }
  return bilingual;
}

function collectSentences(node: Nodes, block: number, container: Sentence['container'], out: Sentence[]): boolean {
  const start = { line: node.position?.start.line ?? 1, column: node.position?.start.column ?? 1 };
  switch (node.type) {
    case 'paragraph':
      return sentencesFromPhrasing(node.children, block, container, start, out);
    case 'heading':
      return sentencesFromPhrasing(node.children, block, 'heading', start, out);
    case 'table': {
      let bilingual = false;
      for (const row of (node as Table).children)
        for (const cell of row.children)
          bilingual = sentencesFromPhrasing(cell.children, block, 'tableCell', start, out) || bilingual;
      return bilingual;
    }
    case 'blockquote':
    case 'list':
    case 'listItem': {
      let bilingual = false;
      const inner = node.type === 'blockquote' ? 'blockquote' : node.type === 'list' || node.type === 'listItem' ? 'listItem' : container;
      for (const child of node.children as Nodes[]) bilingual = collectSentences(child, block, inner, out) || bilingual;
      return bilingual;
    }
    default:
      return false;
  }
}

function headingKey(node: Heading): { anchors: string[]; slug?: string } {
  const anchors: string[] = [];
  for (const child of node.children) if (child.type === 'html') anchors.push(...anchorsIn(child.value));
  if (anchors.length) return { anchors };
  // No anchor: docfx derives one from the English heading. Only trust text that is plain ASCII words.
  const bt = bitextOf(node.children as Nodes[]);
  const english = bt.en ?? bt.text;
  if (/^[A-Za-z][A-Za-z0-9 ()\-']*$/.test(english)) {
    return { anchors, slug: english.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') };
  }
  return { anchors };
}

export function buildView(path: string, text: string, tree: Root, frontmatter: Record<string, unknown>): PageView {
  const blocks: Block[] = [];
  const codeBlocks: CodeBlock[] = [];
  const sentences: Sentence[] = [];
  const comments: PageView['comments'] = [];
  const versionMarkers: Version[] = [];
  const includes: string[] = [];
  let bilingual = false;
  let sectionKey = '';
  let section = 0;
  const versionStack: Version[] = [];
  let pending: Annotation | undefined;

  const visitCode = (node: Code, index: number): void => {
    codeBlocks.push({
      node,
      block: index,
      ...(pending ? { annotation: pending } : {}),
      sectionKey,
      section,
      versions: versionStack.length ? [versionStack[versionStack.length - 1] as Version] : [],
    });
    pending = undefined;
  };

  tree.children.forEach((node, index) => {
    const anchors: string[] = [];
    const start = node.position?.start ?? { line: 1, column: 1 };
    if (node.type === 'html') {
      const value = (node as Html).value;
      const found = anchorsIn(value);
      if (found.length) {
        anchors.push(...found);
        sectionKey = found[0] ?? sectionKey;
        section += 1;
      }
      for (const comment of value.matchAll(/<!--([\s\S]*?)(?:-->|$)/g)) {
        const body = comment[1] ?? '';
        const marker = /\b(Start|End)\s+(beta|v1(?:\.0)?|v2(?:\.0)?)\s+content\b/i.exec(body);
        if (marker) {
          const version = versionOfMarker(marker[2] ?? '');
          if (version) {
            if ((marker[1] ?? '').toLowerCase() === 'start') {
              versionStack.push(version);
              versionMarkers.push(version);
            } else {
              const at = versionStack.lastIndexOf(version);
              if (at >= 0) versionStack.splice(at, 1);
            }
          }
          continue;
        }
        const annotation = parseAnnotation(`<!--${body}-->`);
        if (annotation && 'blockType' in annotation) {
          pending = { value: annotation, line: start.line, column: start.column };
          continue;
        }
        if (!annotation) comments.push({ value: body, line: start.line, column: start.column });
      }
    } else if (node.type === 'heading') {
      const key = headingKey(node);
      anchors.push(...key.anchors);
      const next = key.anchors[0] ?? key.slug;
      // docfx tab headings (`# [HTTP](#tab/http)`) are not sections.
      const isTab = node.children.some((c) => c.type === 'link' && c.url.startsWith('#tab/'));
      if (next && !isTab) sectionKey = next;
      if (node.depth <= 3 && !isTab) section += 1;
      pending = undefined;
    } else if (node.type === 'thematicBreak') {
      section += 1;
    } else if (node.type === 'code') {
      visitCode(node, index);
    } else if (node.type === 'paragraph') {
      const raw = text.slice(node.position?.start.offset ?? 0, node.position?.end.offset ?? 0);
      for (const inc of raw.matchAll(/\[!INCLUDE\s*\[([^\]]*)\]/gi)) includes.push((inc[1] ?? '').trim());
      for (const child of node.children) {
        if (child.type === 'html') {
          const found = anchorsIn(child.value);
          if (found.length && node.children.length <= 2) {
            anchors.push(...found);
            sectionKey = found[0] ?? sectionKey;
            section += 1;
          }
        }
      }
    }
    // Code nested in lists or blockquotes belongs to the same block.
    if (node.type === 'list' || node.type === 'blockquote') {
      const stack: Nodes[] = [...(node.children as Nodes[])];
      while (stack.length) {
        const child = stack.shift() as Nodes;
        if (child.type === 'code') visitCode(child, index);
        else if ('children' in child) stack.unshift(...(child.children as Nodes[]));
      }
    }
    blocks.push({
      node,
      index,
      sectionKey,
      section,
      versions: versionStack.length ? [versionStack[versionStack.length - 1] as Version] : [],
      anchors,
    });
    if (collectSentences(node as Nodes, index, 'paragraph', sentences)) bilingual = true;
  });

  return { path, text, tree, frontmatter, blocks, codeBlocks, sentences, bilingual, comments, versionMarkers, includes };
}
