// The default class matcher: ISC's check_collection through the configuration layer's expression
// evaluator (src/conf/eval-class.ts). The engine takes any Classifier, so tests and tools can
// inject their own.

import { classifyPacket } from '../conf/eval-class.js';
import { createEvalContext, hardwareBytes, packetOptions } from '../conf/eval-context.js';
import type { Classifier } from './types.js';

export const evalClassifier: Classifier = (request, tree) => {
  if (tree.classes.size === 0) return [];
  // dhcpd classifies before it looks for a host declaration: `known` is false, and there is no lease
  // and no option configured yet (eval-class.ts). The context is built as that view (the packet half
  // as messageInput gives it, with no copy), so classifyPacket evaluates it as it is (honourKnown).
  const ctx = createEvalContext({
    catalogue: tree.catalogue,
    options: packetOptions(request.options),
    file: request.file,
    sname: request.sname,
    hardware: hardwareBytes(request),
    known: false,
  });
  return classifyPacket(tree.classes, ctx, { honourKnown: true });
};
