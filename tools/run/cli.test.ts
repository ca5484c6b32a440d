import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRunArgs, playwrightArgs, resultsFileFor, runEnvironment } from './cli.ts';
import { reachability } from './reachability.ts';

describe('photo-conformance run options', () => {
  it('defaults to the mock with the docs profile, passes shard and workers to Playwright, and grep to the harness', () => {
    const options = parseRunArgs(['--grep', '@sizes', '--grep-invert', 'PATCH', '--shard', '1/2', '--workers', '2']);
    assert.equal(options.target, 'mock');
    assert.equal(options.profile, 'docs');
    const args = playwrightArgs(options);
    assert.deepEqual(args.slice(-4), ['--shard', '1/2', '--workers', '2']);
    assert.ok(!args.includes('--grep'), 'Playwright runs groups; the harness selects their checks');
    const env = runEnvironment(options, '/tmp/r.json', {});
    assert.equal(env.PHOTO_GREP, '@sizes');
    assert.equal(env.PHOTO_GREP_INVERT, 'PATCH');
    const labelled = parseRunArgs(['--base-url', 'http://127.0.0.1:4010', '--label', 'prism', '--results', 'out/prism.json']);
    assert.equal(runEnvironment(labelled, resultsFileFor(labelled), {}).PHOTO_LABEL, 'prism', 'a report names the column so');
    assert.match(resultsFileFor(labelled), /out\/prism\.json$/);
    assert.match(resultsFileFor(options), /reports\/results-shard-1-of-2\.json$/);
  });

  it('takes a --base-url given alone as the url target', () => {
    assert.equal(parseRunArgs(['--base-url', 'http://127.0.0.1:4010']).target, 'url');
    assert.equal(parseRunArgs([]).target, 'mock');
  });

  it('sets the environment the harness reads, and leaves secrets where they are', () => {
    const env = runEnvironment(parseRunArgs(['--profile', 'live', '--strict']), '/tmp/r.json', { AZURE_CLIENT_SECRET: 's3cret', PHOTO_BASE_URL: 'stale' });
    assert.equal(env.PHOTO_TARGET, 'mock');
    assert.equal(env.PHOTO_PROFILE, 'live');
    assert.equal(env.PHOTO_STRICT, '1');
    assert.equal(env.PHOTO_RESULTS_FILE, '/tmp/r.json');
    assert.equal(env.PHOTO_BASE_URL, undefined, 'a stale base URL from the shell does not leak into a mock run');
    assert.equal(env.AZURE_CLIENT_SECRET, 's3cret');
    const tenant = runEnvironment(parseRunArgs(['--target', 'tenant', '--tenant-file', 'x.yaml', '--allow-writes']), '/tmp/r.json', {});
    assert.equal(tenant.PHOTO_ALLOW_WRITES, '1');
    assert.equal(tenant.PHOTO_PROFILE, undefined);
  });

  it('refuses combinations that would do something else than asked', () => {
    assert.throws(() => parseRunArgs(['--target', 'url']), /needs --base-url/);
    assert.throws(() => parseRunArgs(['--target', 'mock', '--base-url', 'http://x']), /url target only/);
    assert.throws(() => parseRunArgs(['--target', 'url', '--base-url', 'not a url']), /not a URL/);
    assert.throws(() => parseRunArgs(['--target', 'tenant', '--allow-writes']), /needs --tenant-file/);
    assert.throws(() => parseRunArgs(['--target', 'tenant']), /--target tenant needs --tenant-file/);
    assert.throws(() => parseRunArgs(['--base-url', 'htp:/x']), /must be an http: or https: URL/);
    assert.throws(() => parseRunArgs(['--allow-writes']), /tenant target only/);
    assert.throws(() => parseRunArgs(['--target', 'url', '--base-url', 'http://x', '--profile', 'live']), /mock target only/);
    assert.throws(() => parseRunArgs(['--shard', 'half']), /--shard/);
    assert.throws(() => parseRunArgs(['--fail-on', 'never']), /--fail-on must be must, should or may/);
    assert.equal(parseRunArgs([]).failOn, 'should');
    assert.equal(parseRunArgs(['--fail-on', 'MUST']).failOn, 'must');
    assert.throws(() => parseRunArgs(['--target', 'cloud']), /mock, url or tenant/);
    assert.throws(() => parseRunArgs(['--unknown']), /unknown/i);
  });
});

describe('reachability of a url target', () => {
  it('names why a server cannot be reached, and takes any HTTP answer (even 404) as reachable', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    try {
      assert.equal(await reachability(`http://127.0.0.1:${port}/`), undefined);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    // The port just closed: nothing listens there now.
    assert.equal(await reachability(`http://127.0.0.1:${port}/`), 'ECONNREFUSED');
    assert.match((await reachability('http://no-such-host.invalid/', 3000)) ?? '', /ENOTFOUND|EAI_AGAIN|no answer/);
  });
});
