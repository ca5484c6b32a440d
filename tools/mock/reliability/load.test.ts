/**
 * Load on loopback. The default run is short so `npm test` stays quick; the full run of the
 * issue is `MOCK_LOAD_SECONDS=20 npx tsx --test tools/mock/reliability/load.test.ts`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_SPEC_PATH, readSpec } from '../../spec/io.ts';
import { startMockServer, type MockServer } from '../server.ts';
import { loadTenantFixture } from '../../tenant/load.ts';
import { TEST_SPEC_PATH } from '../testing.ts';
import { describeLoad, runLoad, type LoadOptions } from './load.ts';

const SECONDS = Number(process.env.MOCK_LOAD_SECONDS ?? 3);
const CLIENTS = Number(process.env.MOCK_LOAD_CLIENTS ?? 64);
// Generous: a leak under this load grows by gigabytes; a healthy run stays in the low hundreds.
const RSS_CEILING_MB = 1536;
const SPEC_FILE = existsSync(DEFAULT_SPEC_PATH) ? DEFAULT_SPEC_PATH : TEST_SPEC_PATH;

describe('mock under load', { timeout: (SECONDS + 60) * 2 * 1000 }, () => {
  let inputs: Omit<LoadOptions, 'server' | 'clients' | 'durationMs'>;
  let started: Awaited<ReturnType<typeof loadTenantFixture>>;
  let spec: Awaited<ReturnType<typeof readSpec>>;
  const servers: MockServer[] = [];
  before(async () => {
    [started, spec] = await Promise.all([loadTenantFixture(join(import.meta.dirname, 'load-tenant/tenant.yaml')), readSpec(SPEC_FILE)]);
    const tenant = started.tenants[0]!;
    const app = tenant.apps[0]!;
    const reader = tenant.users.find((u) => u.password)!;
    inputs = {
      tenantId: tenant.id,
      userIds: tenant.users.map((u) => u.id),
      app: { clientId: app.clientId, secret: app.clientSecret },
      reader: { upn: reader.userPrincipalName, password: reader.password!, scope: 'https://outlook.office.com/User.Read.All' },
    };
  });
  after(() => Promise.all(servers.map((s) => s.close())));
  const start = async (faults: string[] = []) => {
    const server = await startMockServer({ spec, tenantFixture: started, faults });
    servers.push(server);
    return server;
  };

  it(`${CLIENTS} clients mixing PUT and GET across 20 users for ${SECONDS} s: no 5xx, no torn read, bounded memory`, async (t) => {
    const report = await runLoad({ ...inputs, server: await start(), clients: CLIENTS, durationMs: SECONDS * 1000 });
    for (const line of describeLoad(report).split('\n')) t.diagnostic(line);
    assert.equal(inputs.userIds.length, 20);
    assert.ok(report.puts > 20 && report.valueReads > 0 && report.metadataReads > 0, 'the mix ran');
    assert.deepEqual(report.serverErrors, []);
    assert.deepEqual(report.networkErrors, []);
    assert.deepEqual(report.tornReads, []);
    assert.deepEqual(report.foreignReads, []);
    assert.deepEqual(Object.keys(report.byStatus), ['200'], 'every request of the mix is a valid one');
    assert.ok(report.rssMB.peak < RSS_CEILING_MB, `peak RSS ${report.rssMB.peak} MB`);
  });

  it('the check catches a store that publishes the new ETag before the new bytes (fault torn-write)', async (t) => {
    const report = await runLoad({ ...inputs, server: await start(['torn-write']), clients: 32, durationMs: 2500 });
    for (const line of describeLoad(report).split('\n')) t.diagnostic(line);
    assert.ok(report.tornReads.length > 0, 'torn reads were seen');
  });
});
