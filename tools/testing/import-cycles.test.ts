/**
 * No module of the project imports itself through others. A cycle makes load order decide
 * what a module sees of another (half-initialised exports), and it welds the two into one
 * unit that neither can be read, tested or moved without. Static and dynamic imports both
 * count, and so do type imports: a cycle closed through `await import()` or `import type` is
 * still two modules that cannot be read apart.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import madge from 'madge';
import { REPO_ROOT } from '../spec/paths.ts';

describe('the import graph', () => {
  it('has no cycle in tools/ or suites/harness/', { timeout: 120_000 }, async () => {
    const graph = await madge([join(REPO_ROOT, 'tools'), join(REPO_ROOT, 'suites/harness')], {
      baseDir: REPO_ROOT,
      fileExtensions: ['ts'],
      excludeRegExp: [/node_modules/, /\/fixtures\//],
      detectiveOptions: { ts: { skipTypeImports: false, skipAsyncImports: false } },
    });
    const cycles = graph.circular();
    assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => `  ${c.join(' -> ')}`).join('\n')}`);
  });
});
