import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitStartArgs } from './start.ts';

describe('photo-conformance start arguments', () => {
  it('gives the pages after --docs to the extractor and every other option to run', () => {
    assert.deepEqual(splitStartArgs(['--docs', 'a.md', 'pages/', '--grep', '@sizes', '--strict']), {
      docs: ['a.md', 'pages/'],
      runArgs: ['--grep', '@sizes', '--strict'],
    });
    assert.deepEqual(splitStartArgs(['--profile', 'live']), { docs: [], runArgs: ['--profile', 'live'] });
  });
});
