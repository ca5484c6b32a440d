/**
 * The rule pipeline, in order: later rules read the facts of earlier ones (responses and
 * permissions scope themselves to the operations found first).
 */
import { operationsRule } from './operations/index.ts';
import type { Rule } from './rule.ts';

export const pipelineRules: readonly Rule[] = [operationsRule()];
