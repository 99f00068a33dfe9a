// The configuration language at a lease's moments (ISC ack_lease, release_lease, pool_timer): the log
// lines and programs of the statements that ran for a reply, `on commit` when an ACK commits, and the
// `on release` / `on expiry` bodies a committed lease carries until it is released or expires. The
// lease's `set` variables live with it (ISC's lease scope) and reach the lease file.
//
// Everything here only collects: log lines go to the result's log, programs to its `executes` (the
// daemon runs them without waiting, see daemon-programs.ts). Pure.

import type { Statement } from '../conf/ast.js';
import { Bindings, createEvalContext, executeStatements } from '../conf/eval.js';
import type { EvalCatalogue, ExecuteRequest, LogLine, Value } from '../conf/eval-context.js';
import type { Scope } from '../conf/scope-tree.js';
import type { Lease, LeaseVariable, VariableValue } from '../leases/lease.js';
import { ipToBytes } from '../wire/index.js';
import type { Allocator, LeaseScope } from './allocator.js';
import { planRemovalDdns } from './ddns-plan.js';
import { chainInputs, effectsOf, type RequestFacts } from './request-facts.js';
import { leaseFacts, requestContext } from './scope-eval.js';
import type { HandleResult } from './types.js';

/**
 * Lease variables as the evaluator binds them (the lease's scope). ISC keeps a scope's bindings as a list
 * with the newest first, and writes them in that order: the lease file's order is newest first, so they
 * are bound oldest first here and variablesOf reverses them back.
 */
export function bindingsOf(vars: readonly LeaseVariable[] | undefined): Bindings {
  const b = new Bindings();
  if (vars !== undefined)
    for (let i = vars.length - 1; i >= 0; i--) b.define(vars[i]!.name, variableValue(vars[i]!.value));
  return b;
}

function variableValue(v: VariableValue): Value {
  return v.type === 'data' ? v.data : v.value;
}

/** The variables of a lease scope as the lease file holds them (functions and unset names are not written), newest first. */
export function variablesOf(b: Bindings): LeaseVariable[] | undefined {
  const out: LeaseVariable[] = [];
  for (const [name, v] of b.entries()) {
    if (v instanceof Uint8Array) out.push({ name, value: { type: 'data', data: v } });
    else if (typeof v === 'number') out.push({ name, value: { type: 'number', value: v } });
    else if (typeof v === 'boolean') out.push({ name, value: { type: 'boolean', value: v } });
  }
  // Newest first, as ISC writes a scope's bindings.
  return out.length > 0 ? out.reverse() : undefined;
}

/** Moves collected log lines and programs into the result. */
function collect(fx: { logs: readonly LogLine[]; executes: readonly ExecuteRequest[] }, out: HandleResult): void {
  for (const l of fx.logs) out.log.push(l.text);
  if (fx.executes.length === 0) return;
  if (out.executes === undefined) out.executes = [...fx.executes];
  else out.executes.push(...fx.executes);
}

/** The log lines and programs of the statements run for a reply's settings chain. */
export function emitChainEffects(f: RequestFacts, chain: readonly Scope[]): void {
  const fx = effectsOf(chain);
  if (fx !== undefined) collect(fx, f.out);
}

/** ISC keeps the client's vendor class with the lease (for DHCPLEASEQUERY): `set vendor-class-identifier`. */
const OPT_VENDOR_CLASS = 60;

/**
 * An ACK commits `slot` until `ends`. The lease keeps its variables (ISC's lease scope, dropped once the
 * lease has expired), gains the client's vendor class identifier, runs `on commit` (before the lease is
 * written, as ISC runs it before supersede_lease) and keeps its release/expiry bodies.
 */
export function commitEvents(f: RequestFacts, chain: readonly Scope[], slot: number, ends: number): void {
  const leases = f.ctx.leases;
  const fx = effectsOf(chain);
  const before = leases.leaseScopeOf(slot);
  const vci = f.request.options.get(OPT_VENDOR_CLASS);
  if (fx === undefined && before === undefined && (vci === undefined || vci.length === 0)) return;
  const bindings = fx?.bindings ?? bindingsOf(leases.endsOf(slot) >= f.ctx.now ? before?.variables : undefined);
  if (vci !== undefined && vci.length > 0) bindings.set('vendor-class-identifier', vci);
  const body = fx?.events.commit;
  if (body !== undefined && body.length > 0) runForRequest(f, body, slot, ends, bindings);
  const variables = variablesOf(bindings);
  const release = fx?.events.release;
  const expiry = fx?.events.expiry;
  if (variables === undefined && release === undefined && expiry === undefined) leases.setLeaseScope(slot, undefined);
  else
    leases.setLeaseScope(slot, {
      ...(variables !== undefined ? { variables } : {}),
      ...(release !== undefined ? { release } : {}),
      ...(expiry !== undefined ? { expiry } : {}),
    });
}

/** A DHCPRELEASE of `slot`: its `on release` body runs with the packet (the release then drops the lease's scope). */
export function releaseEvents(f: RequestFacts, slot: number): void {
  const leases = f.ctx.leases;
  const scope = leases.leaseScopeOf(slot);
  if (scope === undefined || (scope.release === undefined && scope.expiry === undefined)) return;
  const body = scope.release;
  if (body !== undefined && body.length > 0)
    runForRequest(f, body, slot, leases.endsOf(slot), bindingsOf(scope.variables));
}

/** Runs an event body for this request on the lease at `slot` (ending at `ends`, its variables `bindings`). */
function runForRequest(
  f: RequestFacts,
  body: readonly Statement[],
  slot: number,
  ends: number,
  bindings: Bindings,
): void {
  const facts = leaseFacts(f.ctx.leases.address[slot]!, ends, f.host?.host.name);
  const ctx = requestContext(chainInputs(f, facts, bindings));
  executeStatements(body as Statement[], ctx);
  collect(ctx, f.out);
}

/**
 * Leases that end now (ISC pool_timer): each one's `on expiry` body runs without a packet; the lease's
 * hardware address stands for `hardware`, its address and end for leased-address and lease-time.
 */
export function expireWithEvents(leases: Allocator, now: number, out: HandleResult): Lease[] {
  const ended: [number, LeaseScope][] = [];
  const expired = leases.expire(now, (slot, scope) => {
    if (scope.expiry !== undefined && scope.expiry.length > 0) ended.push([slot, scope]);
    planRemovalDdns(out, leases.address[slot]!, scope.variables);
    // The bodies go with the binding; the variables stay with the expired lease, as in ISC.
    if (scope.release !== undefined || scope.expiry !== undefined)
      leases.setLeaseScope(slot, scope.variables !== undefined ? { variables: scope.variables } : undefined);
  });
  for (const [slot, scope] of ended) {
    const lease = expired.find((l) => l.address === leases.address[slot]);
    const hw = lease?.hardware;
    const ends = lease?.ends;
    const ctx = createEvalContext({
      catalogue: leases.catalogue as EvalCatalogue,
      now,
      lease: { address: ipToBytes(leases.address[slot]!), ...(ends !== undefined ? { ends } : {}) },
      ...(hw !== undefined ? { hardware: Uint8Array.of(hw.type, ...hw.address) } : {}),
      bindings: bindingsOf(scope.variables),
    });
    executeStatements(scope.expiry as Statement[], ctx);
    collect(ctx, out);
  }
  return expired;
}
