/**
 * The coverage baseline: which pages hold an HTTP request block (a ```http fenced block
 * whose first line is a request line). Found by a plain line scan, independent of the
 * extractor, so the coverage figure checks the extractor instead of echoing it.
 */
const FENCE_OPEN = /^\s*(`{3,}|~{3,})\s*([^\s`{]*)/;
const REQUEST_LINE = /^\s*(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+\S/;

export function countHttpRequestBlocks(text: string): number {
  const lines = text.split(/\r?\n/);
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i] ?? '');
    if (!open) continue;
    const fence = open[1] ?? '```';
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    const isHttp = (open[2] ?? '').toLowerCase() === 'http';
    let firstContent: string | undefined;
    for (i++; i < lines.length && !close.test(lines[i] ?? ''); i++) {
      if (firstContent === undefined && (lines[i] ?? '').trim() !== '') firstContent = lines[i];
    }
    if (isHttp && firstContent !== undefined && REQUEST_LINE.test(firstContent)) count++;
  }
  return count;
}
