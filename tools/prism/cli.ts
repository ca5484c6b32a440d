/**
 * `photo-conformance prism [--port N] [--proxy URL]`: Stoplight Prism serving the OpenAPI
 * export behind one loopback origin (serve.ts), until Ctrl-C. Prints the base URL and the
 * tokens to export: the suite then runs against it by URL, and its deviations are recorded in
 * spec/expectations/prism.yaml. With --proxy, Prism validates another server against the
 * export instead, and each violation of an answer is printed as it happens.
 */
import { parseArgs } from 'node:util';
import { reachability } from '../run/reachability.ts';
import { PRISM_TOKENS, startPrismMocks } from './serve.ts';

const USAGE = `usage: photo-conformance prism [--port N] [--proxy URL]

Serves spec/openapi/*.yaml with Stoplight Prism (one process per document) behind one origin
on 127.0.0.1: /v1.0 and /beta (Graph), /api/v2.0 and /api/beta (Outlook REST).

  --port N     the origin's port (default: 0, any free port)
  --proxy URL  validate the server at URL instead of mocking: every request goes on to it
               under the same path, and Prism checks the answer against the export
               (what no document serves, such as a token endpoint, passes straight through)
  -h, --help   this text

Then, with the tokens it prints exported:
  photo-conformance run --base-url <its URL> --tenant-file tools/tenant/default-tenant.yaml \\
    --expectations spec/expectations/prism.yaml --label prism`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: 'string' }, proxy: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }));
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
  let upstream: string | undefined;
  if (values.proxy !== undefined) {
    try {
      const url = new URL(values.proxy);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      upstream = url.href.replace(/\/+$/, '');
    } catch {
      console.error(`prism: --proxy must be an http(s) URL, got '${values.proxy}'`);
      return 2;
    }
  }
  if (upstream) {
    const unreachable = await reachability(upstream);
    if (unreachable) {
      console.error(`prism: cannot reach ${upstream} (${unreachable}). Is the server running? Start the embedded one with \`photo-conformance mock --port N\`, or check --proxy.`);
      return 2;
    }
  }
  console.log('prism: loading the four documents (about half a minute)...');
  let mocks;
  try {
    mocks = await startPrismMocks({ port, ...(upstream ? { upstream } : {}) });
  } catch (error) {
    console.error(`prism: ${(error as Error).message}`);
    return 1;
  }
  let timer: NodeJS.Timeout | undefined;
  if (upstream) {
    console.log(`prism: validating ${upstream} against spec/openapi at ${mocks.url}  (/v1.0 /beta /api/v2.0 /api/beta)`);
    console.log('Send requests (or run the suite: photo-conformance run --base-url <that URL> --tenant-file ...) through it;');
    console.log('each answer that breaks the export is printed. Ctrl-C to stop.');
    let shown = 0;
    timer = setInterval(() => {
      const exchanges = mocks.exchanges();
      for (const e of exchanges.slice(shown)) {
        const answer = e.violations.filter((v) => v.location[0] !== 'request');
        if (answer.length) console.log(`${e.method} ${e.path} -> ${e.status}: ${answer.map((v) => `${v.location.join('.')}: ${v.message}`).join('; ')}`);
      }
      shown = exchanges.length;
    }, 500);
  } else {
    console.log(`prism: serving spec/openapi at ${mocks.url}  (/v1.0 /beta /api/v2.0 /api/beta)`);
    console.log('tokens (Prism issues none; any bearer token passes its security check):');
    for (const [name, value] of Object.entries(PRISM_TOKENS)) console.log(`  export ${name}=${value}`);
    console.log('Ctrl-C to stop.');
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  if (timer) clearInterval(timer);
  if (upstream) {
    const broken = mocks.exchanges().filter((e) => e.violations.some((v) => v.location[0] !== 'request'));
    console.log(`prism: ${broken.length} answer(s) broke the export`);
  }
  await mocks.stop();
  return 0;
}
