/**
 * `photo-conformance prism [--port N]`: Stoplight Prism serving the OpenAPI export behind one
 * loopback origin (serve.ts), until Ctrl-C. Prints the base URL and the tokens to export: the
 * suite then runs against it by URL, and its deviations are recorded in
 * spec/expectations/prism.yaml.
 */
import { parseArgs } from 'node:util';
import { PRISM_TOKENS, startPrismMocks } from './serve.ts';

const USAGE = `usage: photo-conformance prism [--port N]

Serves spec/openapi/*.yaml with Stoplight Prism (one process per document) behind one origin
on 127.0.0.1: /v1.0 and /beta (Graph), /api/v2.0 and /api/beta (Outlook REST).

  --port N     the origin's port (default: 0, any free port)
  -h, --help   this text

Then, with the tokens it prints exported:
  photo-conformance run --base-url <its URL> --tenant-file tools/tenant/default-tenant.yaml \\
    --expectations spec/expectations/prism.yaml --label prism`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
  } catch (error) {
    console.error(`prism: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`prism: --port must be an integer from 0 to 65535, got '${values.port}'`);
    return 2;
  }
  console.log('prism: loading the four documents (about half a minute)...');
  let mocks;
  try {
    mocks = await startPrismMocks({ port });
  } catch (error) {
    console.error(`prism: ${(error as Error).message}`);
    return 1;
  }
  console.log(`prism: serving spec/openapi at ${mocks.url}  (/v1.0 /beta /api/v2.0 /api/beta)`);
  console.log('tokens (Prism issues none; any bearer token passes its security check):');
  for (const [name, value] of Object.entries(PRISM_TOKENS)) console.log(`  export ${name}=${value}`);
  console.log('Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await mocks.stop();
  return 0;
}
