// Runs every fixture folder of the detect rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('detect', ['detection'], dirname(fileURLToPath(import.meta.url)));
