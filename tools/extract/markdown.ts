/**
 * Parsing: one frozen unified processor (remark-parse + gfm + front matter), and the
 * input hygiene every page gets before it (BOM, CRLF, binary bytes, size cap), so that
 * no rule ever sees those.
 */
import type { Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
// js-yaml for front matter: a page's few key: value lines parse about 9 times faster than
// through the `yaml` library's document model (measured over the scale corpus, same values).
import jsYaml from 'js-yaml';

const processor = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml']).freeze();

export function parseMarkdown(text: string): Root {
  return processor.parse(text) as Root;
}

/**
 * Reference pages are tens of kilobytes (the largest of 2,422 scale pages is 86 KB); a page
 * past this is not a reference page, and micromark's cost on pathological input grows faster
 * than linearly. We read its head.
 */
export const MAX_PAGE_CHARS = 1024 * 1024;

/** micromark costs about 20 µs a line however short; the largest scale page has under 2,000. */
export const MAX_PAGE_LINES = 50_000;

export interface PreparedText {
  text: string;
  notes: { line: number; column: number; severity: 'error' | 'warning' | 'info'; message: string; ruleId: string }[];
  /** True when the input is not text at all; nothing should be extracted. */
  binary: boolean;
}

// C0 controls other than tab and line feed, plus DEL; a stray one is noise, many mean binary.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFD]/g;

export function prepareText(raw: string): PreparedText {
  const notes: PreparedText['notes'] = [];
  let text = raw;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Cut before normalizing: replacing ten million carriage returns costs seconds.
  if (text.length > MAX_PAGE_CHARS) {
    const cut = Math.max(text.lastIndexOf('\n', MAX_PAGE_CHARS), text.lastIndexOf('\r', MAX_PAGE_CHARS));
    text = text.slice(0, cut > 0 ? cut : MAX_PAGE_CHARS);
    notes.push({
      line: 1,
      column: 1,
      severity: 'warning',
      message: `page is larger than ${MAX_PAGE_CHARS} characters; only the first ${text.length} were read`,
      ruleId: 'input-size',
    });
  }
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  let cutAt = -1;
  for (let i = 0, lines = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 10 && ++lines >= MAX_PAGE_LINES) {
      cutAt = i;
      break;
    }
  }
  if (cutAt >= 0) {
    text = text.slice(0, cutAt);
    notes.push({ line: MAX_PAGE_LINES, column: 1, severity: 'warning', message: `page has more than ${MAX_PAGE_LINES} lines; only the first ${MAX_PAGE_LINES} were read`, ruleId: 'input-size' });
  }
  const controls = text.match(CONTROL)?.length ?? 0;
  if (controls > 0) {
    const sample = text.slice(0, 4096);
    const sampleControls = sample.match(CONTROL)?.length ?? 0;
    if (sample.length > 0 && sampleControls / sample.length > 0.1) {
      notes.push({
        line: 1,
        column: 1,
        severity: 'error',
        message: 'page is binary, not text (control bytes in the first 4 KiB); nothing extracted',
        ruleId: 'input-binary',
      });
      return { text: '', notes, binary: true };
    }
    const first = text.search(CONTROL);
    const before = text.slice(0, first);
    const line = before.split('\n').length;
    notes.push({
      line,
      column: first - before.lastIndexOf('\n'),
      severity: 'warning',
      message: `page contains ${controls} control or invalid byte(s); replaced by spaces`,
      ruleId: 'input-binary',
    });
    text = text.replace(CONTROL, ' ');
  }
  text = screenPathologicalBlocks(text, notes);
  return { text, notes, binary: false };
}

/**
 * micromark resolves emphasis, links and nesting per paragraph with quadratic worst cases
 * (20,000 `*a` take 18 s here; 20,000 nested `> ` do not finish). Real pages never come
 * near: over the 2,427 pages of the corpora no paragraph holds more than 68 emphasis or
 * link openers or 182 of any other markup character, or runs over 209 lines, and no line
 * nests more than 4 containers. A paragraph past the limits
 * below is blanked (line numbers kept) with a warning, which bounds the parse time of any
 * input. Fenced code is exempt: micromark reads it in linear time.
 */
export const MAX_MARKUP_PER_BLOCK = 200;
/** micromark joins a paragraph's lines in quadratic time; real blocks have at most 209 lines. */
export const MAX_BLOCK_LINES = 1000;
/** Autolink literals (`www.`, `a@b.co`) and whitespace runs cost quadratic time in one paragraph or line; real blocks stay under 33 KB. */
export const MAX_BLOCK_CHARS = 64 * 1024;
const MAX_NESTING = 16;
// Per character: emphasis and link openers resolve in quadratic time per paragraph, so their
// limit is low (real pages: at most 68); the cost of a page made of such paragraphs grows with
// the limit. Angle brackets (docfx bilingual tables carry six span tags a cell) and the rest
// are cheap and common, so they get room.
const MARKUP_LIMITS: [number, number][] = [
  [0x2a, MAX_MARKUP_PER_BLOCK], // *
  [0x5f, MAX_MARKUP_PER_BLOCK], // _
  [0x5b, MAX_MARKUP_PER_BLOCK], // [
  [0x28, MAX_MARKUP_PER_BLOCK], // (
  [0x21, MAX_MARKUP_PER_BLOCK], // !
  [0x3c, 8000], // <
  [0x3e, 8000], // >
  [0x60, 1000], // `
  [0x5c, 1000], // backslash
  [0x26, 1000], // &
  [0x7e, 1000], // ~
  [0x3a, 1000], // :
];
const MARKUP = MARKUP_LIMITS.map(([code]) => code);
/** Character code (all of them ASCII) to its index in MARKUP plus one; 0 for the rest. */
const MARKUP_SLOT = new Uint8Array(128);
MARKUP.forEach((code, k) => (MARKUP_SLOT[code] = k + 1));
const NESTED = new RegExp(`^(?:[ \\t]*(?:>|[-*+]|\\d{1,9}[.)])(?=[ \\t]|$)){${MAX_NESTING + 1},}`);

/**
 * Even below the paragraph limit each emphasis or link opener costs micromark tens of
 * microseconds, so a page of thousands of such paragraphs takes minutes. Real pages hold at
 * most 310 of any one of them in all; past this many the rest of the page is not read.
 */
export const MAX_MARKUP_PER_PAGE = 4000;

/** Emphasis and link openers: MAX_MARKUP_PER_PAGE; angle brackets (span tags) ten times that; the rest unbounded. */
function pageLimit(k: number): number {
  const limit = MARKUP_LIMITS[k]?.[1] ?? 0;
  if (limit === MAX_MARKUP_PER_BLOCK) return MAX_MARKUP_PER_PAGE;
  if (MARKUP[k] === 0x3c || MARKUP[k] === 0x3e) return MAX_MARKUP_PER_PAGE * 10;
  return Number.POSITIVE_INFINITY;
}

function markupCounts(text: string, from: number, to: number): number[] {
  const counts = new Array<number>(MARKUP.length).fill(0);
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    const slot = code < 128 ? (MARKUP_SLOT[code] as number) : 0;
    if (slot > 0) counts[slot - 1] = (counts[slot - 1] as number) + 1;
  }
  return counts;
}

/** The largest count of one markup character relative to its limit: above 1 is pathological. */
function markupLoad(counts: number[]): number {
  let load = 0;
  counts.forEach((n, k) => {
    load = Math.max(load, n / (MARKUP_LIMITS[k]?.[1] ?? MAX_MARKUP_PER_BLOCK));
  });
  return load;
}

function screenPathologicalBlocks(text: string, notes: PreparedText['notes']): string {
  // Cheap test first: most pages cannot hold a pathological block at all.
  if (text.length < 20_000 && markupLoad(markupCounts(text, 0, text.length)) <= 1 && !/(?:^|\n)[ \t]*(?:(?:>|[-*+])[ \t]*){17,}/.test(text)) return text;
  const lines = text.split('\n');
  let fence: string | undefined;
  let blockStart = -1;
  let changed = false;
  const pageCounts = new Array<number>(MARKUP.length).fill(0);
  let exhaustedAt = -1;
  const blank = (from: number, to: number, message: string) => {
    for (let i = from; i < to; i++) lines[i] = '';
    notes.push({ line: from + 1, column: 1, severity: 'warning', message, ruleId: 'input-pathological' });
    changed = true;
  };
  const closeBlock = (end: number) => {
    if (blockStart < 0) return;
    const chunk = lines.slice(blockStart, end).join('\n');
    const counts = markupCounts(chunk, 0, chunk.length);
    const load = markupLoad(counts);
    counts.forEach((n, k) => {
      pageCounts[k] = (pageCounts[k] ?? 0) + n;
    });
    if (pageCounts.some((n, k) => n > pageLimit(k))) {
      exhaustedAt = blockStart;
      blockStart = -1;
      return;
    }
    if (chunk.length > MAX_BLOCK_CHARS) {
      blank(blockStart, end, `paragraph of ${chunk.length} characters (limit ${MAX_BLOCK_CHARS}); not prose, skipped`);
    } else if (end - blockStart > MAX_BLOCK_LINES) {
      blank(blockStart, end, `paragraph of ${end - blockStart} lines (limit ${MAX_BLOCK_LINES}); not prose, skipped`);
    } else if (load > 1) {
      blank(blockStart, end, `paragraph of ${end - blockStart} line(s) holds ${load.toFixed(1)} times the markup any real page has; not prose, skipped`);
    }
    blockStart = -1;
  };
  for (let i = 0; i < lines.length; i++) {
    if (exhaustedAt >= 0) {
      blank(exhaustedAt, lines.length, `page holds more markup than any real page (over ${MAX_MARKUP_PER_PAGE} emphasis or link openers or ${MAX_MARKUP_PER_PAGE * 10} tags of one kind); the rest is not read`);
      break;
    }
    const line = lines[i] as string;
    const marker = /^[ \t]{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (marker) {
      closeBlock(i);
      fence = marker;
      continue;
    }
    if (line.length > MAX_BLOCK_CHARS) {
      closeBlock(i);
      blank(i, i + 1, `line of ${line.length} characters (limit ${MAX_BLOCK_CHARS}); skipped`);
      continue;
    }
    if (NESTED.test(line)) {
      closeBlock(i);
      blank(i, i + 1, `line nests more than ${MAX_NESTING} quotes or lists; skipped`);
      continue;
    }
    if (!line.trim()) closeBlock(i);
    else if (blockStart < 0) blockStart = i;
  }
  closeBlock(lines.length);
  if (exhaustedAt >= 0 && lines.slice(exhaustedAt).some((l) => l)) {
    blank(exhaustedAt, lines.length, `page holds more markup than any real page (over ${MAX_MARKUP_PER_PAGE} emphasis or link openers or ${MAX_MARKUP_PER_PAGE * 10} tags of one kind); the rest is not read`);
  }
  return changed ? lines.join('\n') : text;
}

/** Front matter as a flat record; a broken block is reported, not fatal. */
export function parseFrontmatter(value: string): { data: Record<string, unknown>; error?: string } {
  try {
    // The core schema keeps dates as strings; `json` lets a repeated key override, as docfx does.
    const data: unknown = jsYaml.load(value, { schema: jsYaml.CORE_SCHEMA, json: true });
    if (data && typeof data === 'object' && !Array.isArray(data)) return { data: data as Record<string, unknown> };
    return { data: {} };
  } catch (error) {
    // docfx front matter is often not strict YAML (colons inside unquoted values): fall back to key: value lines.
    const data: Record<string, unknown> = {};
    for (const line of value.split('\n')) {
      const match = /^([A-Za-z][\w.-]*):\s*(.*)$/.exec(line);
      if (match?.[1]) data[match[1]] = (match[2] ?? '').replace(/^["']|["']\s*$/g, '').trim();
    }
    return { data, error: (error as Error).message.split('\n')[0] };
  }
}
