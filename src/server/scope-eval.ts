// Settings chains that hold more than constants: `if`/`switch`, options and parameters written as
// expressions, `set`, `log`, `execute`, `on commit|release|expiry`. Such a chain is run per request, as
// ISC's ack_lease and dhcpinform run execute_statements_in_scope: outermost scope first (global,
// shared network, subnet, pool, then the classes, the last matched first, then the host), each scope's
// statements in source order, so supersede/default/append/prepend and inner scopes act as in ISC. The
// result is one synthetic scope holding what the statements set, which every lookup of the engine
// (options, parameters, allow/deny) reads as it reads a constant chain; the effects (log lines, programs
// to run, event bodies, lease variables) go with it.
//
// A chain of constants only (the common case) is never run: chainFor returns it unchanged, so plain
// configurations pay one cached flag test per scope.

import type { Expr, OptionStatement, ParameterStatement, Statement } from '../conf/ast.js';
import type { CatalogueLike } from '../conf/catalogue.js';
import {
  type Bindings,
  createEvalContext,
  type EvalContext,
  executeStatements,
  type LeaseFacts,
  messageInput,
} from '../conf/eval.js';
import type { EventHandlers, ExecuteRequest, LogLine, ParameterValue } from '../conf/eval-context.js';
import { isAuthoritative, type Scope } from '../conf/scope-tree.js';
import type { Catalogue } from '../options/catalogue.js';
import { decodeOptionValue } from '../options/codec.js';
import type { DhcpMessage } from '../wire/index.js';
import { ipToBytes, ipToString } from '../wire/index.js';
import { presetOptionData } from './reply-options.js';
import type { HostResolver } from './types.js';

const dynamicScopes = new WeakMap<Scope, boolean>();

/**
 * Parameters read only when an ACK commits (dynamic DNS: ddns-plan.ts evaluates them then, as ISC evaluates
 * their option caches in ddns_updates): an expression there does not make every packet run its chain.
 */
export const LATE_PARAMETERS: ReadonlySet<string> = new Set([
  'ddns-hostname',
  'ddns-domainname',
  'ddns-rev-domainname',
  'ddns-ttl',
]);

function dynamicExpr(st: { expr?: Expr }): boolean {
  return st.expr !== undefined;
}

/** Whether a scope holds anything but constants (cached: a snapshot's scopes never change). */
export function isDynamicScope(scope: Scope): boolean {
  let d = dynamicScopes.get(scope);
  if (d === undefined) {
    d = false;
    for (const st of scope.ordered) {
      // default/append/prepend depend on what outer scopes set: only running the chain gets them right.
      if (st.kind === 'option') d = dynamicExpr(st) || (st.op !== 'supersede' && st.op !== 'send');
      else if (st.kind === 'parameter') d = dynamicExpr(st) && !LATE_PARAMETERS.has(st.name);
      else d = EXECUTABLE.has(st.kind);
      if (d) break;
    }
    dynamicScopes.set(scope, d);
  }
  return d;
}

const EXECUTABLE: ReadonlySet<string> = new Set([
  'if',
  'switch',
  'set',
  'define',
  'define-function',
  'unset',
  'eval',
  'log',
  'execute',
  'on',
  'add',
]);

export function isDynamicChain(chain: readonly Scope[]): boolean {
  for (const s of chain) if (isDynamicScope(s)) return true;
  return false;
}

/** What running a chain's statements produced, beyond the settings. */
export interface ChainEffects {
  logs: readonly LogLine[];
  executes: readonly ExecuteRequest[];
  events: EventHandlers;
  /** Variables `set` while the statements ran (ISC binds them in the lease's scope). */
  bindings: Bindings;
}

export interface EvaluatedChain {
  /** One synthetic scope with the options, parameters and allow/deny the statements left. */
  chain: Scope[];
  effects: ChainEffects;
}

export interface ChainInputs {
  request: DhcpMessage;
  catalogue: CatalogueLike;
  known: boolean;
  classes: Iterable<string>;
  now: number;
  lease?: LeaseFacts | undefined;
  resolveHost?: HostResolver | undefined;
  /** The lease's variables so far (`set` updates them, as ISC's lease scope). */
  bindings?: Bindings | undefined;
}

/** The request's evaluation context: the packet, the client's host and classes, the lease. */
export function requestContext(inputs: ChainInputs): EvalContext {
  const resolve = inputs.resolveHost;
  const ctx = createEvalContext({
    ...messageInput(inputs.request),
    catalogue: inputs.catalogue,
    known: inputs.known,
    lease: inputs.lease,
    now: inputs.now,
    ...(resolve !== undefined
      ? {
          resolveHost: (name: string) => {
            const a = resolve(name)?.[0];
            return a === undefined ? undefined : ipToString(a);
          },
        }
      : {}),
    ...(inputs.bindings !== undefined ? { bindings: inputs.bindings } : {}),
  });
  for (const c of inputs.classes) ctx.classes.push(c);
  return ctx;
}

/** Lease facts of an address for the evaluator (leased-address, lease-time, static, host-decl-name). */
export function leaseFacts(address: number, ends: number | undefined, hostDecl?: string, fixed = false): LeaseFacts {
  return {
    address: ipToBytes(address),
    ...(ends !== undefined && Number.isFinite(ends) ? { ends } : {}),
    ...(fixed ? { static: true } : {}),
    ...(hostDecl !== undefined ? { hostDeclName: hostDecl } : {}),
  };
}

/** Runs `chain` (innermost first, as settingsChain gives it) for one request. */
export function evaluateChain(chain: readonly Scope[], inputs: ChainInputs): EvaluatedChain {
  const ctx = requestContext(inputs);
  for (let i = chain.length - 1; i >= 0; i--) executeStatements(chain[i]!.ordered as Statement[], ctx);
  return {
    chain: [synthesize(chain, ctx, inputs.catalogue)],
    effects: { logs: ctx.logs, executes: ctx.executes, events: ctx.events, bindings: ctx.bindings },
  };
}

/** The settings the statements left, as one scope (options in the order ISC first stored them). */
function synthesize(chain: readonly Scope[], ctx: EvalContext, catalogue: CatalogueLike): Scope {
  const first = chain[0];
  const options = new Map<string, OptionStatement>();
  for (const space of ctx.config.spaceNames()) {
    for (const [code, data] of ctx.config.space(space) ?? []) {
      if (data === undefined) continue; // set, but its expression was null: nothing to send
      const def = catalogue.byCode(space, code);
      if (def === undefined) continue;
      const st: OptionStatement = {
        kind: 'option',
        pos: first?.pos ?? { file: '', line: 0, col: 0 },
        op: 'supersede',
        option: { space, name: def.name, code, type: def.type },
      };
      presetOptionData(st, data);
      options.set(`${space}.${def.name}`, st);
    }
  }
  const parameters = new Map<string, ParameterStatement>();
  for (const [name, raw] of ctx.parameters) {
    const value = parameterValue(name, raw, catalogue);
    if (value === undefined) continue;
    const st: ParameterStatement = { kind: 'parameter', pos: first?.pos ?? { file: '', line: 0, col: 0 }, name, value };
    if (typeof value === 'string' && /[a-z]/i.test(value) && isHostParameter(name)) st.hostnames = [value];
    parameters.set(name, st);
  }
  return {
    kind: 'global',
    pos: first?.pos ?? { file: '', line: 0, col: 0 },
    parent: undefined,
    options,
    parameters,
    authoritative: isAuthoritative(chain),
    allowDeny: new Map(ctx.allowDeny),
    statements: [],
    ordered: [],
  };
}

function isHostParameter(name: string): boolean {
  return name === 'next-server' || name === 'local-address';
}

/** A parameter's value as the constant statement would hold it: `= expression` data decoded by its type. */
function parameterValue(
  name: string,
  raw: ParameterValue,
  catalogue: CatalogueLike,
): string | number | boolean | undefined {
  if (!(raw instanceof Uint8Array)) return raw;
  const def = catalogue.byName('server', name);
  if (def === undefined) return Buffer.from(raw).toString('latin1');
  const r = decodeOptionValue(def.type, raw, catalogue as unknown as Catalogue);
  if (!r.ok) return undefined;
  const v = r.value;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}
