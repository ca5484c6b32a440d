// Runs every fixture folder of the resource rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('resource', ['entities'], dirname(fileURLToPath(import.meta.url)));
