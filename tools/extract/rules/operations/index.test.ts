// Runs every fixture folder of the operations rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('operations', ['operations'], dirname(fileURLToPath(import.meta.url)));
