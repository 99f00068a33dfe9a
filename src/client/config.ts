// dhclient.conf (parsed by src/conf) -> the typed, immutable configuration of one interface's client.
//
// Scoping follows ISC (client/clparse.c): statements at the outer level build the top-level config; the
// first `interface "x" { }` block for x starts x's config as a copy of the top-level config *as it is at that
// point* (make_client_config copies it), and its body then changes only x. Statements after the block do not
// reach x. Defaults are ISC 4.4's (clparse.c read_client_conf): timeout 60, retry 300, select-timeout 0,
// reboot 10, backoff-cutoff 15, initial-interval 3, initial-delay 0, and the default request list
// subnet-mask, broadcast-address, time-offset, routers, domain-name, domain-name-servers, host-name.
import type { ClientLeaseItem, ClientStatement, ConfFile, Expr, OptionStatement, Statement } from '../conf/ast.js';
import type { Catalogue } from '../options/catalogue.js';
import { tryEncodeOptionValue } from '../options/codec.js';
import { parseIpv4, prefixToMask } from '../wire/index.js';
import type { ClientLease, ComputedRule, ReceiptRules } from './lease.js';
import { leaseFromItems } from './lease-file.js';

/** ISC's default request list, DHCPv4 part (the two DHCPv6 entries are not sent in a DHCPv4 PRL). */
export const DEFAULT_REQUEST_LIST: readonly number[] = [1, 28, 2, 3, 15, 6, 12];

/** What a `send` statement sends: constant data, or a value the client supplies at run time. */
export type SendValue =
  | { kind: 'data'; data: Uint8Array }
  /** `= gethostname()`: the machine's host name (the daemon passes it in). */
  | { kind: 'hostname' }
  /** `= hardware`: htype followed by the hardware address (ISC's client-identifier idiom). */
  | { kind: 'hardware' }
  /** Any other expression (dhcp-eval(5)), evaluated as each message is built; null: not sent. */
  | { kind: 'expr'; expr: Expr };

export type TimerName = 'timeout' | 'retry' | 'select-timeout' | 'reboot' | 'backoff-cutoff' | 'initial-interval';

export interface RejectRule {
  network: number;
  mask: number;
}

export interface ClientConfig extends ReceiptRules {
  /** The interface this configuration is for (undefined: the top-level configuration). */
  interface: string | undefined;
  /** dhcp-space option codes for the parameter request list, in order. */
  requestList: readonly number[];
  /** Options an offer must carry to be considered (dhcp space). */
  requireList: readonly number[];
  /** Options sent in every DISCOVER and REQUEST, in statement order. */
  send: ReadonlyMap<number, SendValue>;
  computed: readonly ComputedRule[];
  /** Seconds. */
  timeout: number;
  retry: number;
  selectTimeout: number;
  reboot: number;
  backoffCutoff: number;
  initialInterval: number;
  initialDelay: number;
  /** The timers the file sets explicitly (the RFC 2131 backoff uses initial-interval/backoff-cutoff only then). */
  explicit: ReadonlySet<TimerName>;
  /** `reject` networks: offers, ACKs and NAKs from these senders are ignored. */
  reject: readonly RejectRule[];
  /** `lease { }` blocks for this interface: fallbacks tried when no server answers. */
  staticLeases: readonly ClientLease[];
  media: readonly string[];
  script?: string;
  omapiPort?: number;
  vendorSpace?: string;
  /** The catalogue the file's option definitions extended (user-defined options). */
  catalogue: Catalogue;
}

export interface BuiltConfigs {
  top: ClientConfig;
  /** Per-interface configurations from `interface "x" { }` blocks. */
  interfaces: Map<string, ClientConfig>;
  /** Things in the file the client does not act on (expressions it cannot evaluate, ...). */
  warnings: string[];
}

type Mutable = {
  -readonly [K in keyof ClientConfig]: ClientConfig[K] extends ReadonlyMap<infer A, infer B>
    ? Map<A, B>
    : ClientConfig[K] extends ReadonlySet<infer S>
      ? Set<S>
      : ClientConfig[K] extends readonly (infer E)[]
        ? E[]
        : ClientConfig[K];
};

function defaults(catalogue: Catalogue): Mutable {
  return {
    interface: undefined,
    requestList: [...DEFAULT_REQUEST_LIST],
    requireList: [],
    send: new Map(),
    supersede: new Map(),
    default: new Map(),
    prepend: new Map(),
    append: new Map(),
    computed: [],
    timeout: 60,
    retry: 300,
    selectTimeout: 0,
    reboot: 10,
    backoffCutoff: 15,
    initialInterval: 3,
    initialDelay: 0,
    explicit: new Set(),
    reject: [],
    staticLeases: [],
    media: [],
    catalogue,
  };
}

function copy(c: Mutable): Mutable {
  return {
    ...c,
    requestList: [...c.requestList],
    requireList: [...c.requireList],
    send: new Map(c.send),
    supersede: new Map(c.supersede),
    default: new Map(c.default),
    prepend: new Map(c.prepend),
    append: new Map(c.append),
    computed: [...c.computed],
    explicit: new Set(c.explicit),
    reject: [...c.reject],
    staticLeases: [...c.staticLeases],
    media: [...c.media],
  };
}

/**
 * Builds the top-level and per-interface configurations. `catalogue` must be the one the parser returned
 * (it holds the file's `option NAME code N = TYPE` definitions).
 */
export function buildClientConfigs(conf: ConfFile | undefined, catalogue: Catalogue): BuiltConfigs {
  const warnings: string[] = [];
  const top = defaults(catalogue);
  const ifaces = new Map<string, Mutable>();
  const staticLeases: ClientLease[] = [];
  const walk = (stmts: readonly Statement[], target: Mutable, scope: string | undefined): void => {
    for (const st of stmts) {
      if (st.kind === 'include') walk(st.body, target, scope);
      else if (st.kind === 'interface-decl') {
        if (st.pseudo !== undefined) {
          warnings.push(`pseudo interface "${st.pseudo}": not supported, ignored`);
          continue;
        }
        let c = ifaces.get(st.name);
        if (c === undefined) {
          c = copy(top);
          c.interface = st.name;
          ifaces.set(st.name, c);
        }
        walk(st.body, c, st.name);
      } else if (st.kind === 'client-lease') {
        const lease = staticLease(st.body, catalogue, warnings);
        if (lease && !st.alias) {
          if (lease.interface === undefined && scope !== undefined) lease.interface = scope;
          staticLeases.push(lease);
        }
      } else apply(st, target, warnings);
    }
  };
  walk(conf?.statements ?? [], top, undefined);
  const finish = (c: Mutable): ClientConfig => {
    c.staticLeases = staticLeases.filter((l) => forInterface(l, c.interface));
    return Object.freeze(c) as ClientConfig;
  };
  const interfaces = new Map<string, ClientConfig>();
  for (const [name, c] of ifaces) interfaces.set(name, finish(c));
  return { top: finish(top), interfaces, warnings };
}

/** The configuration for one interface: its own block if any, else the top-level one. */
export function configFor(built: BuiltConfigs, iface: string): ClientConfig {
  const own = built.interfaces.get(iface);
  if (own) return own;
  const staticLeases = built.top.staticLeases.filter((l) => forInterface(l, iface));
  return Object.freeze({ ...built.top, interface: iface, staticLeases });
}

/** The top-level configuration keeps every `lease { }`; an interface's keeps its own and unnamed ones. */
function forInterface(l: ClientLease, iface: string | undefined): boolean {
  return iface === undefined || l.interface === undefined || l.interface === iface;
}

const TIMER_FIELDS: Record<
  TimerName,
  'timeout' | 'retry' | 'selectTimeout' | 'reboot' | 'backoffCutoff' | 'initialInterval'
> = {
  timeout: 'timeout',
  retry: 'retry',
  'select-timeout': 'selectTimeout',
  reboot: 'reboot',
  'backoff-cutoff': 'backoffCutoff',
  'initial-interval': 'initialInterval',
};

function apply(st: Statement, c: Mutable, warnings: string[]): void {
  // Definitions are already in the catalogue the parser returned.
  if (st.kind === 'option-definition' || st.kind === 'option-space') return;
  const s = st as ClientStatement | OptionStatement;
  switch (s.kind) {
    case 'request':
    case 'require': {
      // Only dhcp-space options go into a DHCPv4 PRL (make_client_options skips other universes).
      const codes = s.options.filter((o) => o.space === 'dhcp').map((o) => o.code);
      const key = s.kind === 'request' ? 'requestList' : 'requireList';
      c[key] = s.also ? [...c[key], ...codes.filter((x) => !c[key].includes(x))] : codes;
      return;
    }
    case 'timeout':
    case 'retry':
    case 'select-timeout':
    case 'reboot':
    case 'backoff-cutoff':
    case 'initial-interval':
      c[TIMER_FIELDS[s.kind]] = s.seconds;
      c.explicit.add(s.kind);
      return;
    case 'initial-delay':
      c.initialDelay = s.seconds;
      return;
    case 'script':
      c.script = s.path;
      return;
    case 'media':
      c.media = [...s.media];
      return;
    case 'omapi-port':
      c.omapiPort = s.port;
      return;
    case 'vendor-option-space':
      c.vendorSpace = s.space;
      return;
    case 'reject':
      for (const a of s.addresses) {
        const ip = parseIpv4(a.address);
        if (ip === undefined) continue;
        const mask = prefixToMask(a.prefix);
        c.reject.push({ network: (ip & mask) >>> 0, mask });
      }
      return;
    case 'option':
      applyOption(s, c, warnings);
      return;
    default:
      warnings.push(`${st.kind} at ${st.pos.file}:${st.pos.line}: not used by the client`);
  }
}

function applyOption(s: OptionStatement, c: Mutable, warnings: string[]): void {
  const where = `${s.pos.file}:${s.pos.line}`;
  if (s.option.space !== 'dhcp') {
    warnings.push(`${where}: option ${s.option.space}.${s.option.name}: only dhcp-space options are used`);
    return;
  }
  const code = s.option.code;
  if (s.op === 'send') {
    const v = sendValue(s, c.catalogue);
    if (v) c.send.set(code, v);
    else warnings.push(`${where}: send ${s.option.name}: the expression is not supported, not sent`);
    return;
  }
  const data = constData(s, c.catalogue);
  if (data !== undefined) {
    c[s.op].set(code, data);
    return;
  }
  // `supersede NAME = expression;` and friends: evaluated against each lease the server sends.
  if (s.expr !== undefined) c.computed.push({ op: s.op, code, expr: s.expr });
}

function constData(s: OptionStatement, cat: Catalogue): Uint8Array | undefined {
  if (s.value !== undefined) {
    const r = tryEncodeOptionValue(s.option.type, s.value, cat);
    return r.ok ? r.value : undefined;
  }
  if (s.expr?.op === 'const-data') return s.expr.data;
  return undefined;
}

function sendValue(s: OptionStatement, cat: Catalogue): SendValue | undefined {
  const e: Expr | undefined = s.expr;
  if (e?.op === 'gethostname') return { kind: 'hostname' };
  if (e?.op === 'funcall' && e.name === 'gethostname') return { kind: 'hostname' };
  if (e?.op === 'hardware') return { kind: 'hardware' };
  const data = constData(s, cat);
  if (data !== undefined) return { kind: 'data', data };
  return e === undefined ? undefined : { kind: 'expr', expr: e };
}

/** A `lease { }` block of dhclient.conf as a static (fallback) lease. */
function staticLease(items: readonly ClientLeaseItem[], cat: Catalogue, warnings: string[]): ClientLease | undefined {
  return leaseFromItems(items, cat, warnings, {
    isStatic: true,
    optionData: (it) => constData(it, cat),
    noAddress: 'lease { } without fixed-address: ignored',
  });
}
