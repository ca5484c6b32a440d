// Runs every fixture folder of the limits rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('limits', ['limits'], dirname(fileURLToPath(import.meta.url)));
