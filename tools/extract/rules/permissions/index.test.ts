// Runs every fixture folder of the permissions rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('permissions', ['permissions'], dirname(fileURLToPath(import.meta.url)));
