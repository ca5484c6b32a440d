import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRunArgs, runEnvironment } from '../run/cli.ts';
import { CLOUD_NAMES, cloudEndpoints } from './clouds.ts';
import { targetSettingsFromEnv } from '../../suites/harness/target.ts';

describe('clouds', () => {
  it('gives each cloud its Graph and sign-in roots, and Outlook REST only where the cloud has it', () => {
    const roots = Object.fromEntries(CLOUD_NAMES.map((c) => [c, cloudEndpoints(c)]));
    assert.equal(roots.global!.roots.graph, 'https://graph.microsoft.com');
    assert.equal(roots.usgov!.roots.graph, 'https://graph.microsoft.us');
    assert.equal(roots['usgov-dod']!.roots.graph, 'https://dod-graph.microsoft.us');
    assert.equal(roots.china!.roots.graph, 'https://microsoftgraph.chinacloudapi.cn');
    assert.deepEqual(
      CLOUD_NAMES.map((c) => roots[c]!.authorityHost),
      ['https://login.microsoftonline.com', 'https://login.microsoftonline.us', 'https://login.microsoftonline.us', 'https://login.chinacloudapi.cn'],
    );
    assert.equal(roots.global!.roots.outlook, 'https://outlook.office.com/api');
    assert.equal(roots.china!.roots.outlook, 'https://partner.outlook.cn/api');
    assert.match(roots.usgov!.unavailable.outlook ?? '', /no documented Outlook REST root; pass --outlook-url/);
    assert.equal(roots.global!.unavailable.outlook, undefined);
    assert.equal(roots.usgov!.audiences.graph, 'https://graph.microsoft.us', 'tokens are asked for the cloud’s own Graph');
  });

  it('lets an override replace any root, and an Outlook root make Outlook testable', () => {
    const rehearsal = cloudEndpoints('usgov', { graphUrl: 'https://127.0.0.1:4443/', outlookUrl: 'https://127.0.0.1:4443/api', authorityHost: 'https://127.0.0.1:4443' });
    assert.deepEqual(rehearsal.roots, { graph: 'https://127.0.0.1:4443', outlook: 'https://127.0.0.1:4443/api' });
    assert.equal(rehearsal.authorityHost, 'https://127.0.0.1:4443');
    assert.deepEqual(rehearsal.unavailable, {});
  });

  it('reads the cloud from the environment, under the names Azure’s tools use', () => {
    const settings = targetSettingsFromEnv({ PHOTO_TARGET: 'tenant', PHOTO_CLOUD: 'China', AZURE_AUTHORITY_HOST: 'https://login.example.test' });
    assert.equal(settings.cloud, 'china');
    assert.equal(settings.cloudOverrides?.authorityHost, 'https://login.example.test');
    assert.throws(() => targetSettingsFromEnv({ PHOTO_TARGET: 'tenant', PHOTO_CLOUD: 'mars' }), /PHOTO_CLOUD 'mars' is not one of global, usgov, usgov-dod, china/);
  });

  it('takes --cloud and the overrides for the tenant target only, as https URLs', () => {
    const options = parseRunArgs(['--target', 'tenant', '--tenant-file', 'qa.yaml', '--cloud', 'usgov-dod', '--graph-url', 'https://graph.proxy.test', '--authority-host', 'https://login.proxy.test']);
    const env = runEnvironment(options, '/tmp/r.json', {});
    assert.equal(env.PHOTO_CLOUD, 'usgov-dod');
    assert.equal(env.PHOTO_GRAPH_URL, 'https://graph.proxy.test');
    assert.equal(env.AZURE_AUTHORITY_HOST, 'https://login.proxy.test');
    assert.throws(() => parseRunArgs(['--cloud', 'usgov']), /--cloud applies to the tenant target only/);
    assert.throws(() => parseRunArgs(['--target', 'tenant', '--tenant-file', 'qa.yaml', '--cloud', 'moon']), /--cloud must be one of/);
    assert.throws(() => parseRunArgs(['--target', 'tenant', '--tenant-file', 'qa.yaml', '--graph-url', 'http://graph.proxy.test']), /must be https/);
    assert.equal(runEnvironment(parseRunArgs(['--target', 'tenant', '--tenant-file', 'qa.yaml']), '/tmp/r.json', { AZURE_AUTHORITY_HOST: 'https://login.mine.test' }).AZURE_AUTHORITY_HOST, 'https://login.mine.test', 'the environment stands without an option');
  });
});
