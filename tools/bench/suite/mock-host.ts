/**
 * Starts N mock tenants in a process of their own and prints their URLs as one JSON line,
 * then serves until stdin closes or SIGTERM. The suite bench runs the mocks here so that
 * neither the suite's workers nor the bare replay client share a process (and a core)
 * with the server they measure.
 *
 *   tsx tools/bench/suite/mock-host.ts --count 2 --profile docs [--spec FILE]
 */
import { parseArgs } from 'node:util';
import { startMockServer } from '../../mock/server.ts';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '1' }, profile: { type: 'string', default: 'docs' }, spec: { type: 'string' } },
});
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > 16) {
  console.error(`mock-host: --count must be 1..16, not ${values.count}`);
  process.exit(2);
}
const profile = values.profile === 'live' ? 'live' : 'docs';
const servers = await Promise.all(Array.from({ length: count }, () => startMockServer({ host: '127.0.0.1', port: 0, profile, ...(values.spec ? { specFile: values.spec } : {}) })));
process.stdout.write(`${JSON.stringify({ urls: servers.map((s) => s.url) })}\n`);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await Promise.allSettled(servers.map((s) => s.close()));
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.stdin.on('end', () => void shutdown());
process.stdin.resume();
