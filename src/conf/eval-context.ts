// What the expression evaluator (dhcp-eval(5)) may look at and what executing statements produces.
// Everything is injected: the evaluator does no I/O, reads no clock and never runs a command. The
// server (or client) builds one EvalContext per packet and reads the collected effects afterwards.
//
// Values follow ISC's binding_value: data is a Uint8Array, numbers and booleans are JS numbers and
// booleans, and ISC's "null" (an evaluation that failed, e.g. an absent option) is `undefined`.
// Data values are shared, never mutated: substring() and suffix() return views of their input.

import type { DhcpMessage } from '../wire/message.js';
import { decodeRelayAgentInfo } from '../wire/relay-agent.js';
import type { LogPriority, Statement } from './ast.js';
import type { CatalogueLike } from './catalogue.js';

/** A user function (`define f(a, b) { ... }`). */
export interface FunctionValue {
  readonly kind: 'function';
  readonly params: readonly string[];
  readonly body: readonly Statement[];
}

/** A variable's value: data, number, boolean or function, as ISC's binding types. */
export type Value = Uint8Array | number | boolean | FunctionValue;

/**
 * Variables (`set`, `define`, `unset`, `defined()`), one scope of ISC's binding_scope chain. A lookup
 * walks outward; `set` updates the nearest scope that has the name, else creates it here (ISC's
 * find_binding, then a new binding in the innermost scope). The map is created on first use, so a
 * packet that sets no variable allocates nothing.
 */
export class Bindings {
  private vars: Map<string, Value | undefined> | undefined;

  constructor(readonly outer?: Bindings) {}

  /** The scope holding `name` (possibly with no value after `unset`), innermost first. */
  private holder(name: string): Bindings | undefined {
    for (let b: Bindings | undefined = this; b !== undefined; b = b.outer) if (b.vars?.has(name)) return b;
    return undefined;
  }

  get(name: string): Value | undefined {
    return this.holder(name)?.vars?.get(name);
  }

  /** True when the name is bound to a value (ISC's `defined (name)`). */
  isDefined(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, value: Value | undefined): void {
    const b = this.holder(name) ?? this;
    b.vars ??= new Map();
    b.vars.set(name, value);
  }

  /** Binds `name` in this scope itself (function arguments), shadowing outer ones. */
  define(name: string, value: Value | undefined): void {
    this.vars ??= new Map();
    this.vars.set(name, value);
  }

  /** `unset name;`: the binding stays, without a value. */
  unset(name: string): void {
    this.holder(name)?.vars?.set(name, undefined);
  }

  /** This scope's own bindings (for writing `set name = value;` into a lease). */
  entries(): IterableIterator<[string, Value | undefined]> {
    return (this.vars ?? new Map<string, Value | undefined>()).entries();
  }
}

/**
 * Option data by space and code: the options a configuration has set so far (ISC's cfg_options /
 * out_options). An entry may hold `undefined`: the statement ran but its expression was null. Such an
 * entry is still "set" for `default` (ISC's lookup_option finds the cache) but is not sent.
 */
export class OptionSet {
  private readonly spaces = new Map<string, Map<number, Uint8Array | undefined>>();

  get(space: string, code: number): Uint8Array | undefined {
    return this.spaces.get(space)?.get(code);
  }

  has(space: string, code: number): boolean {
    return this.spaces.get(space)?.has(code) ?? false;
  }

  set(space: string, code: number, data: Uint8Array | undefined): void {
    let m = this.spaces.get(space);
    if (m === undefined) {
      m = new Map();
      this.spaces.set(space, m);
    }
    m.set(code, data);
  }

  delete(space: string, code: number): void {
    this.spaces.get(space)?.delete(code);
  }

  /** The options of one space, in the order they were first set. */
  space(name: string): ReadonlyMap<number, Uint8Array | undefined> | undefined {
    return this.spaces.get(name);
  }

  spaceNames(): IterableIterator<string> {
    return this.spaces.keys();
  }
}

/** Packet options by space name ('dhcp', 'agent' for option 82's sub-options, vendor spaces ...). */
export type PacketOptions = ReadonlyMap<string, ReadonlyMap<number, Uint8Array>>;

/** The catalogue lookups the evaluator needs (src/options Catalogue and the parser's stand-in both fit). */
export type EvalCatalogue = Pick<CatalogueLike, 'byName' | 'byCode' | 'space'>;

/** What the evaluator knows about the lease being handled (ISC's `lease` argument). */
export interface LeaseFacts {
  /** The leased address, 4 bytes (leased-address). */
  readonly address?: Uint8Array;
  /** When the lease ends, in seconds on the same clock as EvalContext.now (lease-time). */
  readonly ends?: number;
  /** A fixed-address (host declaration) lease: ISC's STATIC_LEASE flag (static). */
  readonly static?: boolean;
  /** The host declaration the lease belongs to (host-decl-name). */
  readonly hostDeclName?: string;
}

/** A `log (priority, expr);` that ran. `text` is latin1, cut at the first NUL as ISC's %.*s prints it. */
export interface LogLine {
  readonly priority: LogPriority;
  readonly text: string;
}

/** An `execute ("cmd", args...);` that ran: the daemon decides whether and how to run it. */
export interface ExecuteRequest {
  readonly command: string;
  /** latin1 strings, each cut at its first NUL (they become C argv strings). */
  readonly args: readonly string[];
}

/** The lease events a scope registered (`on commit { ... }`); the last registration of an event wins. */
export interface EventHandlers {
  commit?: readonly Statement[] | undefined;
  release?: readonly Statement[] | undefined;
  expiry?: readonly Statement[] | undefined;
}

/** A dhcpd parameter set by a statement: the typed constant, or the evaluated data of `= expr`. */
export type ParameterValue = string | number | boolean | Uint8Array | undefined;

/** Inputs of an evaluation. Every field is optional: an absent input evaluates as ISC's null. */
export interface EvalInput {
  readonly catalogue?: EvalCatalogue;
  /** Options of the packet being answered (ISC's in_options). */
  readonly options?: PacketOptions;
  /** The whole DHCP message as received (packet (offset, length)). */
  readonly raw?: Uint8Array;
  /** The BOOTP `file` and `sname` fields, all their bytes (filename, server-name). */
  readonly file?: Uint8Array;
  readonly sname?: Uint8Array;
  /**
   * What `hardware` gives: htype then chaddr's first hlen bytes (see hardwareBytes()). Without a
   * packet (lease events) ISC uses the lease's hardware address, type first; on the client, the
   * interface's own.
   */
  readonly hardware?: Uint8Array;
  /** A host declaration matched the client; undefined when there is no packet (known is then null). */
  readonly known?: boolean;
  readonly lease?: LeaseFacts;
  /** dhclient's state (client-state): 0 booting ... 6 rebind. */
  readonly clientState?: number;
  /** Seconds, on the clock LeaseFacts.ends uses. */
  readonly now?: number;
  /** The local host name (gethostname()). */
  readonly gethostname?: () => string | undefined;
  /** Resolves a host name to a dotted quad (gethostbyname(), host names in option values). */
  readonly resolveHost?: (name: string) => string | undefined;
  /** Options set so far; option statements add to it. A fresh set when absent. */
  readonly config?: OptionSet;
  /** Variables; a fresh scope when absent (pass the lease's scope to persist `set`). */
  readonly bindings?: Bindings;
}

/** An evaluation context: the inputs plus the collectors statements write to. */
export interface EvalContext extends EvalInput {
  readonly config: OptionSet;
  bindings: Bindings;
  /** Classes the packet belongs to so far (`check`), then the names `add` adds. */
  readonly classes: string[];
  readonly added: string[];
  readonly logs: LogLine[];
  readonly executes: ExecuteRequest[];
  readonly events: EventHandlers;
  readonly parameters: Map<string, ParameterValue>;
  readonly allowDeny: Map<string, 'allow' | 'deny' | 'ignore'>;
  /** `parse-vendor-option;` ran: the server should decode option 43 into the vendor space. */
  parseVendorOption: boolean;
}

/**
 * A context over the given inputs, with empty collectors. Every property is written in one fixed
 * order so all contexts share one object shape (a spread of optional fields costs ~10x on the
 * per-packet path).
 */
export function createEvalContext(input: EvalInput = {}): EvalContext {
  return {
    catalogue: input.catalogue,
    options: input.options,
    raw: input.raw,
    file: input.file,
    sname: input.sname,
    hardware: input.hardware,
    known: input.known,
    lease: input.lease,
    clientState: input.clientState,
    now: input.now,
    gethostname: input.gethostname,
    resolveHost: input.resolveHost,
    config: input.config ?? new OptionSet(),
    bindings: input.bindings ?? new Bindings(),
    classes: [],
    added: [],
    logs: [],
    executes: [],
    events: {},
    parameters: new Map(),
    allowDeny: new Map(),
    parseVendorOption: false,
  };
}

/**
 * The same context seen with other inputs: collectors, variables and class list are shared with `ctx`
 * (classification uses it to hide the lease, as dhcpd does at that point).
 */
export function withInputs(
  ctx: EvalContext,
  over: Pick<EvalInput, 'known' | 'lease'> & { config: OptionSet },
): EvalContext {
  return {
    catalogue: ctx.catalogue,
    options: ctx.options,
    raw: ctx.raw,
    file: ctx.file,
    sname: ctx.sname,
    hardware: ctx.hardware,
    known: over.known,
    lease: over.lease,
    clientState: ctx.clientState,
    now: ctx.now,
    gethostname: ctx.gethostname,
    resolveHost: ctx.resolveHost,
    config: over.config,
    bindings: ctx.bindings,
    classes: ctx.classes,
    added: ctx.added,
    logs: ctx.logs,
    executes: ctx.executes,
    events: ctx.events,
    parameters: ctx.parameters,
    allowDeny: ctx.allowDeny,
    parseVendorOption: ctx.parseVendorOption,
  };
}

/** The bytes ISC's `hardware` gives for a message: htype, then the first hlen bytes of chaddr. */
export function hardwareBytes(msg: { htype: number; hlen: number; chaddr: Uint8Array }): Uint8Array | undefined {
  // ISC returns null for an hlen larger than chaddr (16 bytes).
  if (msg.hlen > 16 || msg.hlen > msg.chaddr.length) return undefined;
  const out = new Uint8Array(msg.hlen + 1);
  out[0] = msg.htype;
  out.set(msg.chaddr.subarray(0, msg.hlen), 1);
  return out;
}

/**
 * The packet's options by space, as ISC's in_options holds them: the DHCP options, and option 82's
 * sub-options as the `agent` space (a repeated sub-option's data is concatenated, as ISC's
 * parse_option_buffer does; malformed option 82 data gives no agent space).
 */
export function packetOptions(options: ReadonlyMap<number, Uint8Array>): PacketOptions {
  const spaces = new Map<string, ReadonlyMap<number, Uint8Array>>([['dhcp', options]]);
  const rai = options.get(82);
  if (rai !== undefined) {
    const r = decodeRelayAgentInfo(rai);
    if (r.ok) {
      const agent = new Map<number, Uint8Array>();
      for (const s of r.subOptions) {
        const prev = agent.get(s.code);
        agent.set(s.code, prev === undefined ? s.data : concatBytes([prev, s.data]));
      }
      spaces.set('agent', agent);
    }
  }
  return spaces;
}

/** One new array holding the parts in order. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * The packet half of an EvalInput for a decoded message: its options by space, `hardware`, the
 * `file` and `sname` fields as received (ISC reads them raw, even when they carried options), and
 * the received bytes when the caller still has them (for `packet (offset, length)`).
 */
export function messageInput(msg: DhcpMessage, raw?: Uint8Array): EvalInput {
  const input: { -readonly [K in keyof EvalInput]: EvalInput[K] } = {
    options: packetOptions(msg.options),
    hardware: hardwareBytes(msg),
    file: msg.file,
    sname: msg.sname,
  };
  if (raw !== undefined) input.raw = raw;
  return input;
}
