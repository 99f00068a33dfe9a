// The default class matcher: ISC's check_collection through the configuration layer's expression
// evaluator (src/conf/eval-class.ts). The engine takes any Classifier, so tests and tools can
// inject their own.

import { classifyPacket } from '../conf/eval-class.js';
import { createEvalContext, messageInput } from '../conf/eval-context.js';
import type { Classifier } from './types.js';

export const evalClassifier: Classifier = (request, tree) => {
  if (tree.classes.size === 0) return [];
  // dhcpd classifies before it looks for a host declaration: `known` is false here (eval-class.ts).
  const ctx = createEvalContext({ ...messageInput(request), catalogue: tree.catalogue, known: false });
  return classifyPacket(tree.classes, ctx);
};
