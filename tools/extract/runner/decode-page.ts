/**
 * Bytes -> page text, or a diagnostic saying why the file is not a page. The runner only
 * decodes: line endings (CRLF) are the extractor's business, so the text keeps them.
 */
import type { Diagnostic } from '../types.ts';

export type DecodedPage = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, i) => bytes[i] === byte);
}

/** A diagnostic about a file as a whole (it points at its start): unreadable, binary, empty... */
export function fileDiagnostic(file: string, message: string, ruleId: string, severity: Diagnostic['severity'] = 'error'): Diagnostic {
  return { file, line: 1, column: 1, severity, message, ruleId };
}

/**
 * Why a file cannot be had, for a diagnostic: "does not exist", "cannot be read (permission
 * denied)"... `missing` words ENOENT for where it happened: a path the user named, or a page
 * that was listed and is gone or a dangling link by the time it is read.
 */
export function fsErrorMessage(error: unknown, missing = 'does not exist'): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return missing;
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read (permission denied)';
  if (code === 'EISDIR') return 'cannot be read (it is a directory)';
  return `cannot be read (${code ?? (error as Error).message})`;
}

function failure(file: string, message: string, ruleId: string, severity: Diagnostic['severity'] = 'error'): DecodedPage {
  return { ok: false, diagnostic: fileDiagnostic(file, message, ruleId, severity) };
}

// A NUL byte never occurs in UTF-8 markdown; in the first 8 KiB it is the usual sign of an
// image, archive or other binary file named like a page.
const BINARY_SNIFF_BYTES = 8192;

export function decodePage(file: string, bytes: Uint8Array): DecodedPage {
  // Pages saved by Windows editors may be UTF-16 with a BOM; decode them rather than
  // reporting them binary (their NUL bytes would trip the sniff below).
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      return settle(file, new TextDecoder(encoding, { fatal: true }).decode(bytes));
    } catch {
      return failure(file, `cannot be decoded as ${encoding} despite its byte order mark`, 'runner/not-text');
    }
  }
  const sniff = bytes.subarray(0, BINARY_SNIFF_BYTES);
  if (sniff.includes(0)) return failure(file, 'is a binary file, not a markdown page', 'runner/binary');
  const body = startsWith(bytes, UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return failure(file, 'is not valid UTF-8 text', 'runner/not-text');
  }
  return settle(file, text);
}

function settle(file: string, text: string): DecodedPage {
  // An empty page is not an error (nothing is wrong with the file), but every fact is
  // missing, so say so once instead of running the rules over nothing.
  if (text.trim() === '') return failure(file, 'is empty; no facts extracted', 'runner/empty', 'warning');
  return { ok: true, text };
}
