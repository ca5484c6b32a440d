// Runs every fixture folder of the responses rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('responses', ['responses','schemas','placeholders'], dirname(fileURLToPath(import.meta.url)));
