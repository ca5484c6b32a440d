// Runs every fixture folder of the behaviours rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('behaviours', ['behaviours'], dirname(fileURLToPath(import.meta.url)));
