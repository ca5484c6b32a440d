import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { probes, probeTokens, type Tokens } from './fault-probes.ts';
import { FAULT_NAMES, FAULTS, parseFaults } from './faults.ts';
import { call, startTestServer } from './testing.ts';
import type { MockServer } from './server.ts';

describe('fault catalogue', () => {
  let server: MockServer;
  let tokens: Tokens;
  before(async () => {
    server = await startTestServer();
    tokens = await probeTokens(server);
  });
  after(() => server.close());

  it('has at least 25 faults, each with a one-line description and a probe', () => {
    assert.ok(FAULT_NAMES.length >= 25);
    for (const name of FAULT_NAMES) {
      assert.ok(FAULTS[name].length > 10 && !FAULTS[name].includes('\n'), name);
      assert.equal(typeof probes[name], 'function', name);
    }
  });

  it('refuses an unknown fault name', () => {
    assert.throws(() => parseFaults(['no-such-fault']), /unknown fault: no-such-fault/);
  });

  for (const name of FAULT_NAMES) {
    it(`${name}: ${FAULTS[name]}`, async () => {
      server.setFaults([]);
      await server.reset();
      const conformant = await probes[name](server, tokens);
      server.setFaults([name]);
      await server.reset();
      try {
        const faulted = await probes[name](server, tokens);
        assert.notDeepEqual(faulted, conformant, `${name} must change what its probe observes (${JSON.stringify(conformant)})`);
      } finally {
        server.setFaults([]);
      }
    });
  }

  it('switches faults over the loopback admin route', async () => {
    const r = await call(server, 'PUT', '/_mock/faults', { body: Buffer.from(JSON.stringify(['stale-etag'])), contentType: 'application/json' });
    assert.equal(r.status, 200);
    assert.deepEqual(server.faults(), ['stale-etag']);
    assert.equal((await call(server, 'PUT', '/_mock/faults', { body: Buffer.from('["nope"]') })).status, 400);
    server.setFaults([]);
  });
});
