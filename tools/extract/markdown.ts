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
import { parse as parseYaml } from 'yaml';

const processor = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml']).freeze();

export function parseMarkdown(text: string): Root {
  return processor.parse(text) as Root;
}

/**
 * Reference pages are tens of kilobytes; a page past this is not a reference page, and
 * micromark's cost on pathological input grows faster than linearly. We read its head.
 */
export const MAX_PAGE_CHARS = 2 * 1024 * 1024;

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
  if (text.includes('\r')) text = text.replace(/\r\n?/g, '\n');
  if (text.length > MAX_PAGE_CHARS) {
    const cut = text.lastIndexOf('\n', MAX_PAGE_CHARS);
    text = text.slice(0, cut > 0 ? cut : MAX_PAGE_CHARS);
    notes.push({
      line: 1,
      column: 1,
      severity: 'warning',
      message: `page is larger than ${MAX_PAGE_CHARS} characters; only the first ${text.length} were read`,
      ruleId: 'input-size',
    });
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
  return { text, notes, binary: false };
}

/** Front matter as a flat record; a broken block is reported, not fatal. */
export function parseFrontmatter(value: string): { data: Record<string, unknown>; error?: string } {
  try {
    const data: unknown = parseYaml(value, { uniqueKeys: false, prettyErrors: false });
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
