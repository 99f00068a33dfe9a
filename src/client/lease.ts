// A client lease as dhclient keeps it (struct client_lease): the address, what came with it, and its three
// absolute times. Options are kept as the option data the server sent (dhcp space, by code, in the order
// received): the lease must carry every option — unknown ones too — into the lease file and the script
// environment exactly as received, and both of those decode through the catalogue at their edge.
import type { Expr } from '../conf/ast.js';
import { createEvalContext, type EvalContext, evaluateData, packetOptions } from '../conf/eval.js';
import type { EvalCatalogue } from '../conf/eval-context.js';
import { type DhcpMessage, fieldText, fileIsName, getMessageType, ipFromBytes, snameIsName } from '../wire/index.js';

/** ISC's TIME_MAX as written in lease files (`never`) and the lease time meaning "infinite". */
export const NEVER = 0xffffffff;

export const OPT_SUBNET_MASK = 1;
export const OPT_ROUTERS = 3;
export const OPT_HOST_NAME = 12;
export const OPT_BROADCAST = 28;
export const OPT_REQUESTED_ADDRESS = 50;
export const OPT_LEASE_TIME = 51;
export const OPT_MESSAGE_TYPE = 53;
export const OPT_SERVER_ID = 54;
export const OPT_PRL = 55;
export const OPT_MAX_SIZE = 57;
export const OPT_RENEWAL_TIME = 58;
export const OPT_REBINDING_TIME = 59;
export const OPT_CLIENT_ID = 61;

export interface ClientLease {
  /** yiaddr / fixed-address. */
  address: number;
  /** The interface the lease was obtained on (`interface "eth0";`). */
  interface?: string;
  /** siaddr of the reply; absent for leases read from a file (ISC then prints no next_server). */
  nextServer?: number;
  serverName?: string;
  filename?: string;
  medium?: string;
  /** Obtained by BOOTP (`bootp;`). */
  bootp?: boolean;
  /** A `lease { }` block of dhclient.conf: a fallback, never written to the lease file. */
  isStatic?: boolean;
  /** dhcp-space options: code -> data, in order. */
  options: Map<number, Uint8Array>;
  /** Absolute times in seconds since the epoch (UTC); NEVER for an infinite lease. */
  renew: number;
  rebind: number;
  expire: number;
}

/** A 32-bit big-endian option value, or undefined when the option is absent or shorter than 4 octets. */
export function optionU32(options: ReadonlyMap<number, Uint8Array>, code: number): number | undefined {
  const d = options.get(code);
  if (d === undefined || d.length < 4) return undefined;
  return ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0;
}

/** An address option (first four octets, as ISC reads subnet-mask and server-identifier). */
export function optionAddress(options: ReadonlyMap<number, Uint8Array>, code: number): number | undefined {
  const d = options.get(code);
  return d !== undefined && d.length >= 4 ? ipFromBytes(d.subarray(0, 4)) : undefined;
}

export function serverIdentifier(lease: Pick<ClientLease, 'options'>): number | undefined {
  return optionAddress(lease.options, OPT_SERVER_ID);
}

/** packet_to_lease(): the lease an OFFER or ACK describes (times still unset). */
export function leaseFromMessage(m: DhcpMessage, iface: string | undefined): ClientLease {
  const lease: ClientLease = {
    address: m.yiaddr,
    nextServer: m.siaddr,
    options: new Map(m.options),
    renew: 0,
    rebind: 0,
    expire: 0,
  };
  if (iface !== undefined) lease.interface = iface;
  const sname = fieldText(m.sname, !snameIsName(m));
  if (sname !== '') lease.serverName = sname;
  const file = fieldText(m.file, !fileIsName(m));
  if (file !== '') lease.filename = file;
  if (getMessageType(m.options) === undefined) lease.bootp = true;
  return lease;
}

/** The option statements of dhclient.conf that rewrite what a server sent (ISC's on_receipt group). */
export interface ReceiptRules {
  supersede: ReadonlyMap<number, Uint8Array>;
  default: ReadonlyMap<number, Uint8Array>;
  prepend: ReadonlyMap<number, Uint8Array>;
  append: ReadonlyMap<number, Uint8Array>;
  /** Rules whose value is an expression, in file order: evaluated against each lease as it arrives. */
  computed?: readonly ComputedRule[];
  /** What `option NAME` in those expressions is looked up in. */
  catalogue?: EvalCatalogue;
}

/** `supersede|default|prepend|append NAME = expression;` of dhclient.conf. */
export interface ComputedRule {
  op: 'supersede' | 'default' | 'prepend' | 'append';
  code: number;
  expr: Expr;
}

/**
 * Applies supersede/default/prepend/append to a received lease's options, as ISC does in packet_to_lease:
 * the rewritten options are what the script sees and what the lease file records. Expressions see the
 * options as the server sent them (ISC runs on_receipt with the packet's options as its input); a null
 * value leaves the option as it was.
 */
export function applyReceiptRules(options: Map<number, Uint8Array>, rules: ReceiptRules): void {
  let received: EvalContext | undefined;
  if (rules.computed !== undefined && rules.computed.length > 0) {
    received = createEvalContext({ options: packetOptions(new Map(options)), catalogue: rules.catalogue });
  }
  for (const [code, data] of rules.default) if (!options.has(code)) options.set(code, data);
  for (const [code, data] of rules.supersede) options.set(code, data);
  for (const [code, data] of rules.prepend) options.set(code, concat(data, options.get(code)));
  for (const [code, data] of rules.append) options.set(code, concat(options.get(code), data));
  for (const r of rules.computed ?? []) {
    const data = evaluateData(r.expr, received!);
    if (data === undefined) continue;
    if (r.op === 'default') {
      if (!options.has(r.code)) options.set(r.code, data);
    } else if (r.op === 'supersede') options.set(r.code, data);
    else if (r.op === 'prepend') options.set(r.code, concat(data, options.get(r.code)));
    else options.set(r.code, concat(options.get(r.code), data));
  }
}

function concat(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array {
  const out = new Uint8Array((a?.length ?? 0) + (b?.length ?? 0));
  if (a) out.set(a, 0);
  if (b) out.set(b, a?.length ?? 0);
  return out;
}

export interface LeaseTimes {
  renew: number;
  rebind: number;
  expire: number;
}

/**
 * dhcpack(): absolute renew/rebind/expire times (seconds) from the lease options, at `nowSec`. T1 defaults
 * to half the lease (ISC: expiry / 2 + 1), T2 to 7/8; `fuzz` (a function giving an integer in [0, n)) applies
 * ISC's randomisation of T1 (RFC 2131 4.4.5's "fuzz"). Returns undefined for a lease without a lease time,
 * which ISC refuses ("no expiry time on offered lease").
 */
export function leaseTimes(
  options: ReadonlyMap<number, Uint8Array>,
  nowSec: number,
  fuzz?: (n: number) => number,
): LeaseTimes | undefined {
  const lease = optionU32(options, OPT_LEASE_TIME);
  if (lease === undefined || lease === 0) return undefined;
  if (lease === NEVER) return { renew: NEVER, rebind: NEVER, expire: NEVER };
  let renew = optionU32(options, OPT_RENEWAL_TIME) || Math.floor(lease / 2) + 1;
  if (fuzz) renew = Math.floor((renew * 3 + 3) / 4) + Math.floor((fuzz(renew) + 3) / 4);
  let rebind = optionU32(options, OPT_REBINDING_TIME) || Math.floor((lease * 7) / 8);
  if (rebind > lease) rebind = lease;
  if (renew > rebind) renew = Math.floor((rebind * 3) / 4);
  const abs = (s: number) => Math.min(nowSec + s, NEVER);
  return { renew: abs(renew), rebind: abs(rebind), expire: abs(lease) };
}
