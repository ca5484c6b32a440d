// Runs every fixture folder of the methods rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('methods', ['methodProse'], dirname(fileURLToPath(import.meta.url)));
