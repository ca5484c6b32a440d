/**
 * Workers start without the runner's TypeScript loader, and registering tsx in each costs
 * about a second of CPU (its own loader thread, every module resolved through it) against a
 * quarter second for plain JavaScript (measured with worker processes). So the pool loads the extractor as one
 * esbuild bundle of its TypeScript sources and the npm packages they import: one file to
 * read and compile instead of some 150 modules to resolve, which brings a worker from its
 * start to its first page in 160-175 ms instead of 275-295 ms.
 * A bundle is named by the extractor's path and version (the hash of every source under
 * tools/extract and of package-lock.json, see result-cache.ts), so an unchanged extractor
 * is not even rebundled, and a dependency upgraded through the lock file is; an extractor
 * from elsewhere, whose imports that hash does not cover, is rebundled on every run and its
 * bundle named by content.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPO_ROOT, writeFileAtomic } from '../../spec/io.ts';

// Inside the repository, so the bundle's bare imports resolve to its node_modules.
const BUNDLE_DIR = join(REPO_ROOT, '.cache/extract-bundles');

export interface WorkerModule {
  /** URL for the worker to import. */
  href: string;
  /** True when `href` is TypeScript source and the worker must register tsx first. */
  needsTypeScript: boolean;
}

const memo = new Map<string, Promise<WorkerModule>>();

export function workerModule(extractor: URL, version: string, bundle = true): Promise<WorkerModule> {
  const needsTypeScript = /\.[cm]?tsx?$/.test(extractor.pathname);
  if (!bundle || !needsTypeScript || extractor.protocol !== 'file:') {
    return Promise.resolve({ href: extractor.href, needsTypeScript });
  }
  const key = `${extractor.href}\0${version}`;
  let module = memo.get(key);
  if (!module) {
    module = build(extractor, version);
    memo.set(key, module);
  }
  return module;
}

const EXTRACT_DIR = fileURLToPath(new URL('..', import.meta.url));

async function build(extractor: URL, version: string): Promise<WorkerModule> {
  const source = fileURLToPath(extractor);
  const covered = !relative(EXTRACT_DIR, source).startsWith('..');
  const named = join(BUNDLE_DIR, `${createHash('sha256').update(`${version}\0${source}`).digest('hex').slice(0, 32)}.mjs`);
  if (covered && existsSync(named)) return { href: pathToFileURL(named).href, needsTypeScript: false };
  try {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      entryPoints: [source],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]?.contents;
    if (!code) throw new Error('esbuild produced no output');
    const file = covered ? named : join(BUNDLE_DIR, `${createHash('sha256').update(code).digest('hex').slice(0, 32)}.mjs`);
    if (!existsSync(file)) await writeFileAtomic(file, code);
    return { href: pathToFileURL(file).href, needsTypeScript: false };
  } catch {
    // No esbuild, a read-only checkout, or source esbuild rejects: the worker loads the
    // source through tsx instead, slower to start but the same extractor (and the same
    // error, if the source is broken).
    return { href: extractor.href, needsTypeScript: true };
  }
}
