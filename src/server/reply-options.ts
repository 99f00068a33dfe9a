// Which options a reply carries and in which order, as ISC dhcpd decides (common/options.c
// cons_options and store_options; server/dhcp.c ack_lease, dhcpinform, nak_lease; server/bootp.c).
//
// The priority list: 53, 54, 51, 58, 59, 56, 50, 92; then
// - with a parameter request list (a `dhcp-parameter-request-list` in scope, else the client's):
//   118 when the reply carries one, 61 when echo-client-id is on, the list itself in its order (82
//   left out), 81 when the client sent one, and the subnet mask last for DISCOVER and REQUEST;
// - without: 1, 3, 6, 12, 81, then every option in scope in the order of ISC's option hash table
//   (17 buckets, code -> ((code & 31) + (code >> 5 & 31)) % 17, each bucket newest first, an option
//   set again in an inner scope keeping its place), then 43.
// Duplicates are dropped (the first one stays), and when the subnet mask comes after the routers
// option the two trade places (RFC 2132 section 3.3). Only options with a value are sent; option 82
// is echoed after all the others (reply-pack.ts).
//
// What has a value: the configured options (innermost scope wins) and what the server sets over them:
// message type, server identifier, lease time (OFFER/ACK), the NAK's message, the subnet mask and
// host-name (use-host-decl-names) when none is configured, subnet-selection and client-identifier
// (echo-client-id) from the request. T1/T2 are sent only when configured: on an OFFER/ACK a
// rebinding time not below the lease time is dropped (else it bounds T1), a renewal time not below
// that bound is dropped; an INFORM answer carries no lease times at all; BOOTP sends them unchecked.
// A NAK carries only 53, 54, 56 and echoed 61. Text options get a NUL appended for clients whose
// host-name option ended in NULs (ISC's Microsoft quirk). Configured values are encoded once per
// statement and the hash order once per settings chain.

import type { OptionStatement } from '../conf/ast.js';
import type { Scope } from '../conf/scope-tree.js';
import type { Catalogue } from '../options/catalogue.js';
import { encodeOptionValue } from '../options/codec.js';
import type { OptionType, OptionValue } from '../options/types.js';
import {
  DHCPDISCOVER,
  DHCPREQUEST,
  ipFromBytes,
  ipToBytes,
  ipToString,
  OPT_MESSAGE_TYPE,
  OPT_OVERLOAD,
  OPT_RELAY_AGENT_INFO,
} from '../wire/index.js';
import type { HostResolver } from './types.js';

export const OPT_SUBNET_MASK = 1;
export const OPT_ROUTERS = 3;
export const OPT_DNS = 6;
export const OPT_HOST_NAME = 12;
export const OPT_VENDOR_ENCAPSULATED = 43;
export const OPT_REQUESTED_ADDRESS = 50;
export const OPT_LEASE_TIME = 51;
export const OPT_SERVER_ID = 54;
export const OPT_PRL = 55;
export const OPT_MESSAGE = 56;
export const OPT_RENEWAL_TIME = 58;
export const OPT_REBINDING_TIME = 59;
export const OPT_CLIENT_ID = 61;
export const OPT_FQDN = 81;
export const OPT_ASSOCIATED_IP = 92;
export const OPT_SUBNET_SELECTION = 118;

/** The kinds of reply, as buildReply knows them. */
export type ReplyKind = 'offer' | 'ack' | 'nak' | 'inform' | 'bootp';

const encodedCache = new WeakMap<OptionStatement, Uint8Array | null>();

/** What a settings chain configures (dhcp space): by code (innermost wins) and ISC's hash order. */
interface ChainOptions {
  byCode: Map<number, OptionStatement>;
  /** Codes in the order ISC first stored them (outermost scope first, statement order within). */
  insertion: number[];
  /** ISC's option hash iteration order of `insertion` (82 left out). */
  hashOrder: number[];
}

const chainCache = new WeakMap<readonly Scope[], ChainOptions>();

/** ISC compute_option_hash with OPTION_HASH_SIZE 17. */
export function optionHashBucket(code: number): number {
  return ((code & 31) + ((code >> 5) & 31)) % 17;
}

/**
 * The order ISC's option hash table yields codes stored in `insertion` order: bucket by bucket, the
 * most recently stored first in each (a code stored again keeps its place).
 */
export function hashOrder(insertion: readonly number[]): number[] {
  const out: number[] = [];
  for (let b = 0; b < 17; b++) {
    for (let i = insertion.length - 1; i >= 0; i--) {
      const code = insertion[i]!;
      if (code !== OPT_RELAY_AGENT_INFO && optionHashBucket(code) === b) out.push(code);
    }
  }
  return out;
}

function chainOptions(chain: readonly Scope[]): ChainOptions {
  const cached = chainCache.get(chain);
  if (cached !== undefined) return cached;
  const byCode = new Map<number, OptionStatement>();
  for (const scope of chain) {
    for (const st of scope.options.values()) {
      if (st.option.space !== 'dhcp' || byCode.has(st.option.code)) continue;
      byCode.set(st.option.code, st);
    }
  }
  // ISC runs the outermost scope first: a code's place in its hash bucket is set by its first statement.
  const insertion: number[] = [];
  const seen = new Set<number>();
  for (let i = chain.length - 1; i >= 0; i--) {
    for (const st of chain[i]!.options.values()) {
      if (st.option.space !== 'dhcp' || seen.has(st.option.code)) continue;
      seen.add(st.option.code);
      insertion.push(st.option.code);
    }
  }
  const out = { byCode, insertion, hashOrder: hashOrder(insertion) };
  // Cached chains are reused across requests; fresh ones die with the request (WeakMap).
  chainCache.set(chain, out);
  return out;
}

/** Gives a statement its data (a value computed by the configuration's statements, scope-eval.ts). */
export function presetOptionData(st: OptionStatement, data: Uint8Array): void {
  encodedCache.set(st, data);
}

/** The options configured along a chain (innermost first wins), by code, DHCP space only. */
export function configuredOptions(chain: readonly Scope[]): Map<number, OptionStatement> {
  return chainOptions(chain).byCode;
}

function resolveNames(
  value: OptionValue,
  names: ReadonlySet<string>,
  resolve: HostResolver | undefined,
): OptionValue | undefined {
  if (Array.isArray(value)) {
    const out: OptionValue[] = [];
    for (const v of value as OptionValue[]) {
      if (typeof v === 'string' && names.has(v)) for (const ip of resolve?.(v) ?? []) out.push(ipToString(ip));
      else out.push(v);
    }
    return out.length > 0 ? out : undefined;
  }
  if (typeof value === 'string' && names.has(value)) {
    const ip = resolve?.(value)?.[0];
    return ip === undefined ? undefined : ipToString(ip);
  }
  return value;
}

/**
 * The data of a configured option, or undefined when it cannot be sent: computed (`= expression`)
 * values need the evaluator, and a host name that does not resolve leaves nothing to send.
 */
export function optionData(
  st: OptionStatement,
  catalogue: unknown,
  resolve: HostResolver | undefined,
): Uint8Array | undefined {
  const cached = encodedCache.get(st);
  if (cached !== undefined) return cached ?? undefined;
  if (st.value === undefined) return undefined;
  const dynamic = (st.hostnames?.length ?? 0) > 0;
  let value: OptionValue | undefined = st.value;
  if (dynamic) value = resolveNames(st.value, new Set(st.hostnames), resolve);
  let data: Uint8Array | null = null;
  if (value !== undefined) {
    try {
      // The codec reads only space() and byCode(), which the parser's catalogue provides too.
      data = encodeOptionValue(st.option.type, value, catalogue as Catalogue);
    } catch {
      data = null;
    }
  }
  if (!dynamic) encodedCache.set(st, data);
  return data ?? undefined;
}

export interface OptionRequest {
  kind: ReplyKind;
  /** A BOOTREPLY of ISC bootp.c (a fixed-address host): every option in scope, never a request list. */
  staticBootp?: boolean;
  /** The request's options: its parameter request list, option 118, option 61, host-name's NULs. */
  requestOptions: ReadonlyMap<number, Uint8Array>;
  /** The request's message type (undefined for BOOTP): the subnet mask is appended to a PRL only for DISCOVER and REQUEST. */
  requestType: number | undefined;
  /** Option 53's value; undefined for BOOTP. */
  messageType: number | undefined;
  /** The server identifier the server sends; undefined: only a configured one (BOOTP). */
  serverId: number | undefined;
  /** Seconds, as sent (OFFER/ACK only): configured T1/T2 are checked against it. */
  leaseTime: number | undefined;
  /** The subnet's mask, sent when no subnet-mask option is configured (not in a NAK). */
  subnetMask: number | undefined;
  /** The settings chain whose options apply (empty for a NAK). */
  chain: readonly Scope[];
  /** Values the server supplies when the configuration sets none (host-name from use-host-decl-names). */
  defaults?: ReadonlyMap<number, Uint8Array> | undefined;
  catalogue: unknown;
  resolve: HostResolver | undefined;
  /** The NAK's option 56 text (ISC's dhcp_message); empty or undefined: no option 56. */
  message?: string | undefined;
  /** echo-client-id is on: option 61 goes back, and ahead of the request list. */
  echoClientId?: boolean;
}

export interface AssembledOptions {
  /** (code, data) in ISC's order, options with a value only; option 82 is not among them. */
  options: [number, Uint8Array][];
  /** The last code of ISC's priority list, present or not (store_options lets it use 3 more bytes). */
  lastCode: number;
}

const NOTHING_CONFIGURED: ChainOptions = { byCode: new Map(), insertion: [], hashOrder: [] };

// Shared, never written: option data of the protocol values that repeat (message types, a server's
// identifiers and subnet masks: a handful of distinct values per configuration).
const MESSAGE_TYPES = Array.from({ length: 19 }, (_, t) => Uint8Array.of(t));
const addressBytes = new Map<number, Uint8Array>();
function addressData(ip: number): Uint8Array {
  let b = addressBytes.get(ip);
  if (b === undefined) {
    if (addressBytes.size > 4096) addressBytes.clear();
    b = ipToBytes(ip);
    addressBytes.set(ip, b);
  }
  return b;
}

/** ISC format_has_text: the option's format holds text ('t' or 'k'). */
function hasText(type: OptionType): boolean {
  switch (type.kind) {
    case 'text':
    case 'key-name':
      return true;
    case 'record':
      return type.fields.some(hasText);
    case 'array':
      return hasText(type.of);
    default:
      return false;
  }
}

// The priority list while one reply is assembled (assembly is synchronous): ISC's PRIORITY_COUNT.
const PRIORITY_COUNT = 300;
const list = new Uint16Array(PRIORITY_COUNT + 8);
const seen = new Uint8Array(256);
const HEAD = [53, 54, 51, 58, 59, 56, 50, 92];
const NO_PRL_HEAD = [1, 3, 6, 12, 81];

/** Builds ISC's priority list into `list`; returns its length (duplicates removed, mask before routers). */
function priorityList(
  req: OptionRequest,
  chainOpts: ChainOptions,
  prl: Uint8Array | undefined,
  has118: boolean,
): number {
  let n = 0;
  for (const c of HEAD) list[n++] = c;
  if (prl !== undefined && prl.length > 0) {
    if (has118) list[n++] = OPT_SUBNET_SELECTION;
    if (req.echoClientId === true) list[n++] = OPT_CLIENT_ID;
    const take = Math.min(prl.length, PRIORITY_COUNT - n);
    for (let i = 0; i < take; i++) if (prl[i] !== OPT_RELAY_AGENT_INFO) list[n++] = prl[i]!;
    if (n < PRIORITY_COUNT && req.requestOptions.has(OPT_FQDN)) list[n++] = OPT_FQDN;
    if (n < PRIORITY_COUNT && (req.requestType === DHCPDISCOVER || req.requestType === DHCPREQUEST)) {
      list[n++] = OPT_SUBNET_MASK;
    }
  } else {
    for (const c of NO_PRL_HEAD) list[n++] = c;
    const order = extraOrder(req, chainOpts, has118);
    for (let i = 0; i < order.length && n < PRIORITY_COUNT; i++) list[n++] = order[i]!;
    if (n < PRIORITY_COUNT) list[n++] = OPT_VENDOR_ENCAPSULATED;
  }
  // store_options: drop duplicates (the first stays), then the subnet mask trades places with an
  // earlier routers option.
  let m = 0;
  for (let i = 0; i < n; i++) {
    const c = list[i]!;
    if (seen[c] === 1) continue;
    seen[c] = 1;
    list[m++] = c;
  }
  let mask = -1;
  let routers = -1;
  for (let i = 0; i < m; i++) {
    const c = list[i]!;
    seen[c] = 0;
    if (c === OPT_SUBNET_MASK) mask = i;
    else if (c === OPT_ROUTERS) routers = i;
  }
  if (mask > routers && routers >= 0) {
    list[routers] = OPT_SUBNET_MASK;
    list[mask] = OPT_ROUTERS;
  }
  return m;
}

/**
 * The hash order of what the reply's option state holds beyond the configuration: ISC stores the
 * request's subnet-selection (118) and an echoed client identifier (61) after the configured options
 * (an INFORM stores 118 before them).
 */
function extraOrder(req: OptionRequest, chainOpts: ChainOptions, has118: boolean): readonly number[] {
  const echo = req.echoClientId === true && req.requestOptions.has(OPT_CLIENT_ID);
  const add118 = has118 && req.requestOptions.has(OPT_SUBNET_SELECTION) && !chainOpts.byCode.has(OPT_SUBNET_SELECTION);
  const add61 = echo && !chainOpts.byCode.has(OPT_CLIENT_ID);
  if (!add118 && !add61) return chainOpts.hashOrder;
  const insertion =
    req.kind === 'inform' && add118 ? [OPT_SUBNET_SELECTION, ...chainOpts.insertion] : [...chainOpts.insertion];
  if (add118 && req.kind !== 'inform') insertion.push(OPT_SUBNET_SELECTION);
  if (add61) insertion.push(OPT_CLIENT_ID);
  return hashOrder(insertion);
}

export function assembleOptions(req: OptionRequest): AssembledOptions {
  const nak = req.kind === 'nak';
  const dhcp = req.kind !== 'bootp';
  const offerOrAck = req.kind === 'offer' || req.kind === 'ack';
  const chainOpts = nak ? NOTHING_CONFIGURED : chainOptions(req.chain);
  const configured = chainOpts.byCode;
  const ro = req.requestOptions;
  const data = (st: OptionStatement | undefined): Uint8Array | undefined =>
    st === undefined ? undefined : optionData(st, req.catalogue, req.resolve);

  // The parameter request list: one in scope wins over the client's; a NAK and ISC's bootp.c use none.
  let prl: Uint8Array | undefined;
  if (!nak && req.staticBootp !== true) prl = data(configured.get(OPT_PRL)) ?? ro.get(OPT_PRL);
  const sel = nak || req.staticBootp === true ? undefined : ro.get(OPT_SUBNET_SELECTION);
  const has118 = sel !== undefined || configured.has(OPT_SUBNET_SELECTION);

  // T1/T2 against the lease time as sent (ISC ack_lease): rebinding first, it bounds renewal.
  let t1: Uint8Array | undefined;
  let t2: Uint8Array | undefined;
  if (offerOrAck && req.leaseTime !== undefined) {
    let bound = req.leaseTime;
    const cfgT2 = data(configured.get(OPT_REBINDING_TIME));
    const v2 = cfgT2 === undefined ? undefined : ipFromBytes(cfgT2);
    if (v2 !== undefined && v2 < bound) {
      t2 = cfgT2;
      bound = v2;
    }
    const cfgT1 = data(configured.get(OPT_RENEWAL_TIME));
    const v1 = cfgT1 === undefined ? undefined : ipFromBytes(cfgT1);
    if (v1 !== undefined && v1 < bound) t1 = cfgT1;
  } else if (!dhcp) {
    t1 = data(configured.get(OPT_RENEWAL_TIME));
    t2 = data(configured.get(OPT_REBINDING_TIME));
  }
  const terminate =
    (req.kind === 'offer' || req.kind === 'ack' || req.kind === 'inform') && endsInNul(ro.get(OPT_HOST_NAME));

  const n = priorityList(req, chainOpts, prl, has118);
  const out: [number, Uint8Array][] = [];
  for (let i = 0; i < n; i++) {
    const code = list[i]!;
    let value: Uint8Array | undefined;
    let text = false;
    switch (code) {
      case OPT_MESSAGE_TYPE:
        value = dhcp ? MESSAGE_TYPES[req.messageType ?? 0] : data(configured.get(code));
        break;
      case OPT_SERVER_ID:
        value = req.serverId !== undefined ? addressData(req.serverId) : data(configured.get(code));
        break;
      case OPT_LEASE_TIME:
        value =
          offerOrAck && req.leaseTime !== undefined
            ? ipToBytes(req.leaseTime)
            : dhcp
              ? undefined
              : data(configured.get(code));
        break;
      case OPT_RENEWAL_TIME:
        value = t1;
        break;
      case OPT_REBINDING_TIME:
        value = t2;
        break;
      case OPT_MESSAGE:
        if (nak) value = req.message ? new Uint8Array(Buffer.from(req.message, 'latin1')) : undefined;
        else value = data(configured.get(code));
        text = true;
        break;
      case OPT_SUBNET_MASK:
        value =
          data(configured.get(code)) ?? (nak || req.subnetMask === undefined ? undefined : addressData(req.subnetMask));
        break;
      case OPT_SUBNET_SELECTION:
        value = sel ?? data(configured.get(code));
        break;
      case OPT_CLIENT_ID:
        value = (req.echoClientId === true ? ro.get(code) : undefined) ?? data(configured.get(code));
        break;
      case OPT_OVERLOAD:
      case OPT_RELAY_AGENT_INFO:
        break;
      default: {
        const st = configured.get(code);
        value = data(st) ?? req.defaults?.get(code);
        text = st !== undefined ? hasText(st.option.type) : code === OPT_HOST_NAME;
      }
    }
    if (value === undefined || value.length === 0) continue;
    if (terminate && text) value = withNul(value);
    out.push([code, value]);
  }
  return { options: out, lastCode: n > 0 ? list[n - 1]! : -1 };
}

function endsInNul(d: Uint8Array | undefined): boolean {
  return d !== undefined && d.length > 0 && d[d.length - 1] === 0;
}

function withNul(d: Uint8Array): Uint8Array {
  const out = new Uint8Array(d.length + 1);
  out.set(d);
  return out;
}
