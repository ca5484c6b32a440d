// Runs every fixture folder of the headers rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('headers', ['headers'], dirname(fileURLToPath(import.meta.url)));
