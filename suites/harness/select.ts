/**
 * Which checks a run selects. `photo-conformance run --grep RE` reaches the harness (which
 * runs checks) and the reporter (which lists them) as PHOTO_GREP and PHOTO_GREP_INVERT, and
 * both match it the way Playwright matches a test: against the project, the file, the
 * describe title, the check's title and its tags, joined by spaces, case folded unless the
 * pattern is written `/.../flags`. A `--grep` written for a test per check keeps its meaning.
 */
export interface GrepTitleParts {
  project: string;
  /** the generated file, relative to the test directory */
  file: string;
  describe: string;
  title: string;
  tags: readonly string[];
}

export function grepTitle(parts: GrepTitleParts): string {
  return ['', parts.project, parts.file, parts.describe, parts.title, ...parts.tags].join(' ');
}

/** Playwright's reading of a --grep argument. */
export function grepPattern(source: string): RegExp {
  const literal = /^\/(.*)\/([gimsuy]*)$/.exec(source);
  if (literal) return new RegExp(literal[1]!, literal[2]!.replace(/g/g, ''));
  return new RegExp(source, 'i');
}

export interface Selection {
  grep: RegExp | null;
  grepInvert: RegExp | null;
}

export const SELECT_ALL: Selection = { grep: null, grepInvert: null };

/** The selection a run's environment asks for; a pattern that does not compile is an error naming it. */
export function selectionFromEnv(env: NodeJS.ProcessEnv = process.env): Selection {
  const compile = (name: string): RegExp | null => {
    const value = env[name];
    if (!value) return null;
    try {
      return grepPattern(value);
    } catch (error) {
      throw new Error(`${name}=${value}: not a regular expression (${(error as Error).message})`);
    }
  };
  return { grep: compile('PHOTO_GREP'), grepInvert: compile('PHOTO_GREP_INVERT') };
}

export function selects(selection: Selection, parts: GrepTitleParts): boolean {
  if (!selection.grep && !selection.grepInvert) return true;
  const title = grepTitle(parts);
  if (selection.grepInvert?.test(title)) return false;
  return selection.grep ? selection.grep.test(title) : true;
}
