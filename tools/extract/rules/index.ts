/**
 * The rule pipeline, in order: later rules read the facts of earlier ones (responses,
 * headers and permissions scope themselves to the operations found first; the request
 * body reads the Content-Type headers; statements read the operations and response examples).
 */
import { behavioursRule } from './behaviours/index.ts';
import { headersRule } from './headers/index.ts';
import { limitsRule } from './limits/index.ts';
import { methodsRule } from './methods/index.ts';
import { operationsRule } from './operations/index.ts';
import { permissionsRule } from './permissions/index.ts';
import { requestBodyRule } from './request-body/index.ts';
import { resourceRule } from './resource/index.ts';
import { responsesRule } from './responses/index.ts';
import type { Rule } from './rule.ts';
import { sizeVariantsRule } from './size-variants/index.ts';
import { statementsRule } from './statements/index.ts';

export const pipelineRules: readonly Rule[] = [
  operationsRule(),
  headersRule(),
  requestBodyRule(),
  limitsRule(),
  methodsRule(),
  permissionsRule(),
  responsesRule(),
  sizeVariantsRule(),
  behavioursRule(),
  resourceRule(),
  statementsRule(),
];

export const ruleIds = pipelineRules.map((rule) => rule.id);
