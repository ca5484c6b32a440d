import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import type { ChunkMeasurement } from './measure-floor.ts';

const MEASURE_FLOOR = new URL('./measure-floor.ts', import.meta.url).pathname;
const EXTRACTOR = new URL('../../extract/page.ts', import.meta.url).href;

it('times the chunks it is asked for, one answer per line, and exits when its input ends', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'measure-floor-'));
  for (let i = 0; i < 5; i++) {
    await writeFile(join(dir, `page-${i}.md`), `---\ntitle: Page ${i}\n---\n# Page ${i}\n\n\`\`\`http\nGET /me/photo/$value\n\`\`\`\n`);
  }
  await writeFile(join(dir, 'binary.md'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0]));
  const request = { side: 'extract', inputs: [dir], slice: [0, 6], extractor: EXTRACTOR, serve: true };
  const child = spawn(process.execPath, ['--import', 'tsx', MEASURE_FLOOR, JSON.stringify(request)], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse(String((await lines.next()).value)) as Record<string, unknown>;

    const ready = await next();
    assert.equal(ready.ready, true);
    assert.equal(ready.pages, 5, 'the binary page is not among the pages timed');
    assert.deepEqual(ready.unreadable, [join(dir, 'binary.md')]);

    const answers: ChunkMeasurement[] = [];
    for (const chunk of [{ from: 0, to: 2 }, { from: 2, to: 5 }, { from: 4, to: 9 }]) {
      child.stdin.write(`${JSON.stringify(chunk)}\n`);
      answers.push((await next()) as unknown as ChunkMeasurement);
    }
    assert.deepEqual(
      answers.map((a) => a.pages),
      [2, 3, 1],
      'each answer counts the pages of its own chunk, cut at the end of the slice',
    );
    for (const answer of answers) {
      assert.ok(answer.wallMs > 0 && answer.cpuMs >= 0, JSON.stringify(answer));
      assert.deepEqual(answer.crashed, []);
    }

    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.stdin.end();
    assert.equal(await exit, 0);
  } finally {
    // A failed assertion leaves it waiting for the next chunk.
    if (child.exitCode === null) child.kill();
    await rm(dir, { recursive: true, force: true });
  }
});
