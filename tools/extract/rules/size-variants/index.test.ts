// Runs every fixture folder of the size-variants rule (see ../fixture-harness.ts).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testRuleFixtures } from '../fixture-harness.ts';

testRuleFixtures('size-variants', ['sizeVariants'], dirname(fileURLToPath(import.meta.url)));
