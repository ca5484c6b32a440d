/**
 * `photo-conformance mock`: starts the embedded mock tenant on 127.0.0.1 and prints what a
 * client needs (base URL, tenant ids, app credentials from the fixture, seeded users), then
 * serves until Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { FAULT_NAMES, FAULTS } from './faults.ts';
import { PROFILE_NAMES, type ProfileName } from './profiles.ts';
import { startMockServer, type MockServer } from './server.ts';
import { serverTls } from './tls.ts';

const USAGE = `usage: photo-conformance mock [options]

  --port N          port on 127.0.0.1 (default: 0, any free port)
  --profile NAME    docs (default: what the pages say) or live (what the service does)
  --tenant FILE     tenant fixture YAML (default: tools/tenant/default-tenant.yaml)
  --spec FILE       spec to serve (default: spec/profilephoto.yaml)
  --fault NAME      break one documented behaviour; repeatable (see --list-faults)
  --throttle N      per-app budget of N requests per second, 429 with Retry-After beyond it
  --https           serve TLS with a certificate for 127.0.0.1 and localhost, issued by a
                    local CA made once in .state/tls (PHOTO_TLS_DIR moves it); clients trust
                    it with NODE_EXTRA_CA_CERTS=<the CA file it prints>
  --list-faults     print the fault catalogue and exit
  -h, --help        this text`;

export function describeServer(server: MockServer): string {
  const lines = [`mock tenant listening at ${server.url}  (profile: ${server.profile.name}${server.faults().length ? `, faults: ${server.faults().join(', ')}` : ''})`];
  lines.push('', `Graph:   ${server.url}/v1.0  ${server.url}/beta`, `Outlook: ${server.url}/api/v2.0  ${server.url}/api/beta`);
  for (const tenant of server.tenants) {
    lines.push('', `tenant ${tenant.id} (${tenant.domain}${tenant.kind === 'b2c' ? ', Azure AD B2C' : ''})`, `  authority: ${server.url}/${tenant.id}  token endpoint: ${server.url}/${tenant.id}/oauth2/v2.0/token`);
    for (const app of tenant.apps) {
      lines.push(`  app ${app.clientId}  secret ${app.clientSecret}${app.displayName ? `  (${app.displayName})` : ''}`);
      lines.push(`      roles: ${app.roles.join(', ') || '-'}; scopes: ${app.scopes.join(', ') || '-'}`);
    }
    for (const user of tenant.users) {
      const photo = user.photo ? `photo ${user.photo.width}x${user.photo.height}` : 'no photo';
      lines.push(`  user ${user.userPrincipalName}  id ${user.id}  ${user.kind}, ${user.mailbox ? 'mailbox' : 'directory only'}, ${photo}${user.password ? `, password ${user.password}` : ''}`);
    }
    for (const group of tenant.groups) {
      const photo = group.photo ? `photo ${group.photo.width}x${group.photo.height}` : 'no photo';
      lines.push(`  ${group.team ? 'team ' : 'group'} ${group.id}  ${group.displayName ?? ''}${group.displayName ? ', ' : ''}${photo}`);
    }
  }
  lines.push('', `reset: POST ${server.url}/_mock/reset   state: GET ${server.url}/_mock/state`, 'Ctrl-C to stop.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        profile: { type: 'string' },
        tenant: { type: 'string' },
        spec: { type: 'string' },
        fault: { type: 'string', multiple: true },
        throttle: { type: 'string' },
        https: { type: 'boolean' },
        'list-faults': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`photo-conformance mock: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['list-faults']) {
    const width = Math.max(...FAULT_NAMES.map((n) => n.length));
    for (const name of FAULT_NAMES) console.log(`${name.padEnd(width)}  ${FAULTS[name]}`);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`photo-conformance mock: --port must be an integer from 0 to 65535, got '${values.port}'`);
    return 2;
  }
  if (values.profile !== undefined && !PROFILE_NAMES.includes(values.profile as ProfileName)) {
    console.error(`photo-conformance mock: --profile must be one of ${PROFILE_NAMES.join(', ')}, got '${values.profile}'`);
    return 2;
  }
  const throttle = values.throttle === undefined ? undefined : Number(values.throttle);
  if (throttle !== undefined && !(throttle > 0)) {
    console.error(`photo-conformance mock: --throttle must be a positive number of requests per second, got '${values.throttle}'`);
    return 2;
  }
  let server: MockServer;
  let caFile: string | undefined;
  try {
    const tls = values.https ? await serverTls() : undefined;
    caFile = tls?.ca.certFile;
    server = await startMockServer({
      ...(tls ? { tls } : {}),
      port,
      profile: values.profile as ProfileName | undefined,
      tenantFile: values.tenant,
      specFile: values.spec,
      faults: values.fault ?? [],
      throttle: throttle === undefined ? undefined : { requestsPerSecond: throttle },
    });
  } catch (error) {
    console.error(`photo-conformance mock: ${(error as Error).message}`);
    return 1;
  }
  console.log(describeServer(server));
  if (caFile) console.log(`\nTLS: the certificate is issued by the local CA ${caFile}\n  export NODE_EXTRA_CA_CERTS=${caFile}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
