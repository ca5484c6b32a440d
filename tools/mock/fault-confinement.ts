/**
 * Checks that each fault stays confined: with one fault set, only its own probe changes.
 * Too long for a unit test (every probe under every fault, about a minute on an idle core),
 * so it is a script: `npx tsx tools/mock/fault-confinement.ts`; exit 1 names any leak.
 * The torn-write probe (a concurrency run) is only run under its own fault.
 */
import { probes, probeTokens } from './fault-probes.ts';
import { FAULT_NAMES } from './faults.ts';
import { startTestServer } from './testing.ts';

const server = await startTestServer();
try {
  const tokens = await probeTokens(server);
  const observe = async (probe: (typeof FAULT_NAMES)[number]) => {
    await server.reset();
    return JSON.stringify(await probes[probe](server, tokens));
  };
  const conformant = new Map<string, string>();
  for (const probe of FAULT_NAMES) conformant.set(probe, await observe(probe));
  let leaks = 0;
  for (const fault of FAULT_NAMES) {
    server.setFaults([fault]);
    const changed: string[] = [];
    for (const probe of FAULT_NAMES) {
      if (probe === 'torn-write' && fault !== 'torn-write') continue;
      if ((await observe(probe)) !== conformant.get(probe)) changed.push(probe);
    }
    const ok = changed.length === 1 && changed[0] === fault;
    if (!ok) leaks++;
    console.log(`${ok ? 'ok  ' : 'LEAK'} ${fault}${ok ? '' : ` changes: ${changed.join(', ') || 'nothing'}`}`);
  }
  server.setFaults([]);
  console.log(leaks === 0 ? `all ${FAULT_NAMES.length} faults confined to their own behaviour` : `${leaks} fault(s) not confined`);
  process.exitCode = leaks === 0 ? 0 : 1;
} finally {
  await server.close();
}
