// Runs every fixture folder of the request-body rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('request-body', ['bodies'], dirname(fileURLToPath(import.meta.url)));
