// ISC ack_lease's class billing, for an OFFER or ACK of a dynamic lease: a lease billed to a class the
// client no longer belongs to is unbilled; an unbilled lease is billed to the first of the client's
// classes with a `lease limit` that has room. When the client is in such classes and none has room, it
// gets nothing ("no available billing: lease limit reached in all matching classes (last: 'NAME')").
// An offer bills only to check: the billing is undone unless the lease is already active, and the
// REQUEST bills it again. A billing that changes on an active lease negates its reuse, as in ISC.

import { ACTIVE } from './allocator.js';
import type { BilledClass } from './billing.js';
import type { RequestFacts } from './request-facts.js';

const hasLimits = new WeakMap<object, boolean>();

/** ISC's have_billing_classes: some class has a lease limit (cached per configuration). */
function billingClasses(f: RequestFacts): boolean {
  const tree = f.ctx.tree;
  let v = hasLimits.get(tree);
  if (v === undefined) {
    v = false;
    for (const c of tree.classes.values()) if ((c.decl.leaseLimit ?? 0) > 0) v = true;
    hasLimits.set(tree, v);
  }
  return v;
}

function sameClass(a: BilledClass, b: { name: string; subclassKey?: string | undefined }): boolean {
  return a.name === b.name && a.subclassKey === b.subclassKey;
}

/** False (logged) when the client may not have the lease at `slot`: every class it could be billed to is full. */
export function billLease(f: RequestFacts, slot: number, kind: 'offer' | 'ack', msg: string): boolean {
  if (!billingClasses(f)) return true;
  const leases = f.ctx.leases;
  const billing = leases.billing;
  const current = billing.billedTo(slot);
  if (current !== undefined && !f.classes.some((c) => sameClass(current, c))) {
    billing.unbill(slot);
    // ISC: an active lease's billing change negates reuse (dhcp-cache-threshold).
    if (leases.stateOf(slot) === ACTIVE) leases.setReusable(slot, false);
  }
  if (billing.billedTo(slot) !== undefined) return true;
  let limited = 0;
  let last = '';
  for (const c of f.classes) {
    const limit = c.def?.decl.leaseLimit ?? 0;
    if (limit <= 0) continue;
    limited++;
    const target: BilledClass = { name: c.name, subclassKey: c.subclassKey };
    if (billing.bill(slot, target, limit)) {
      if (kind === 'offer' && leases.stateOf(slot) !== ACTIVE) billing.unbill(slot);
      if (billing.billedTo(slot) !== undefined) leases.setReusable(slot, false);
      return true;
    }
    last = c.name;
  }
  if (limited === 0) return true;
  f.out.log.push(`${msg}: no available billing: lease limit reached in all matching classes (last: '${last}')`);
  return false;
}
