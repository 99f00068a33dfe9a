// `set NAME = VALUE;` variables of a lease. ISC looks names up case-insensitively
// (tree.c find_binding) and a second `set` of the same name replaces the value.

import type { Lease, LeaseVariable, VariableValue } from './lease.js';

/** Set `name` in a variable list (created when undefined); returns the list. */
export function setVariable(vars: LeaseVariable[] | undefined, name: string, value: VariableValue): LeaseVariable[] {
  vars ??= [];
  const lower = name.toLowerCase();
  for (let k = 0; k < vars.length; k++) {
    if (vars[k]!.name.toLowerCase() === lower) {
      vars[k] = { name: vars[k]!.name, value };
      return vars;
    }
  }
  vars.push({ name, value });
  return vars;
}

export function getVariable(lease: Lease, name: string): LeaseVariable | undefined {
  const lower = name.toLowerCase();
  return lease.variables?.find((v) => v.name.toLowerCase() === lower);
}
