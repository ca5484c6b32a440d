// Runs every fixture folder of the statements rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('statements', ['statements'], dirname(fileURLToPath(import.meta.url)));
