// Which options a reply carries, in which order (ISC common/options.c cons_options):
// protocol options first (message type, server identifier, lease time, T1, T2) and the subnet mask;
// then, when the client sent a parameter request list, exactly the options it asked for in its order;
// without one, routers, name servers, host name and then every other configured option. Option 82 is
// echoed back to the relay. Configured values are encoded once per statement and cached.

import type { OptionStatement } from '../conf/ast.js';
import type { Scope } from '../conf/scope-tree.js';
import type { Catalogue } from '../options/catalogue.js';
import { encodeOptionValue } from '../options/codec.js';
import type { OptionValue } from '../options/types.js';
import { ipToBytes, ipToString, OPT_RELAY_AGENT_INFO } from '../wire/index.js';
import type { HostResolver } from './types.js';

export const OPT_SUBNET_MASK = 1;
export const OPT_ROUTERS = 3;
export const OPT_DNS = 6;
export const OPT_HOST_NAME = 12;
export const OPT_REQUESTED_ADDRESS = 50;
export const OPT_LEASE_TIME = 51;
export const OPT_SERVER_ID = 54;
export const OPT_PRL = 55;
export const OPT_MESSAGE = 56;
export const OPT_RENEWAL_TIME = 58;
export const OPT_REBINDING_TIME = 59;
export const OPT_VENDOR_ENCAPSULATED = 43;

/** Codes the engine decides itself: a configured value for them is not sent as such. */
const PROTOCOL_CODES = new Set([50, 51, 52, 53, 54, 55, 57, 58, 59, 61, 82]);

const encodedCache = new WeakMap<OptionStatement, Uint8Array | null>();

const configuredCache = new WeakMap<readonly Scope[], Map<number, OptionStatement>>();

/** The options configured along a chain (innermost first wins), by code, DHCP space only. */
export function configuredOptions(chain: readonly Scope[]): Map<number, OptionStatement> {
  const cached = configuredCache.get(chain);
  if (cached !== undefined) return cached;
  const out = new Map<number, OptionStatement>();
  for (const scope of chain) {
    for (const st of scope.options.values()) {
      if (st.option.space !== 'dhcp' || out.has(st.option.code)) continue;
      out.set(st.option.code, st);
    }
  }
  // Cached chains are reused across requests; fresh ones die with the request (WeakMap).
  configuredCache.set(chain, out);
  return out;
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
  messageType: number | undefined;
  serverId: number | undefined;
  /** Seconds; 0xffffffff = infinite. Undefined: no lease time (INFORM, NAK, BOOTP). */
  leaseTime: number | undefined;
  renewalTime: number | undefined;
  rebindingTime: number | undefined;
  subnetMask: number | undefined;
  /** The client's parameter request list. */
  prl: Uint8Array | undefined;
  /** Send the subnet mask even when not requested (replies to DISCOVER/REQUEST, BOOTP). */
  alwaysMask: boolean;
  configured: ReadonlyMap<number, OptionStatement>;
  /** Values the server supplies when the configuration sets none (host-name from use-host-decl-names). */
  defaults?: ReadonlyMap<number, Uint8Array>;
  catalogue: unknown;
  resolve: HostResolver | undefined;
  /** Option 82 as received, echoed last. */
  relayAgent: Uint8Array | undefined;
  message: string | undefined;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4); // an array literal through the Uint8Array constructor costs several times this
  b[0] = n >>> 24;
  b[1] = n >>> 16;
  b[2] = n >>> 8;
  b[3] = n;
  return b;
}

// Which codes a reply already carries, while one is assembled (assembly is synchronous; reset after each).
const sent = new Uint8Array(256);
const protocolCode = new Uint8Array(256);
for (const c of PROTOCOL_CODES) protocolCode[c] = 1;

function put(out: [number, Uint8Array][], code: number, data: Uint8Array | undefined): void {
  if (data === undefined || sent[code] === 1) return;
  sent[code] = 1;
  out.push([code, data]);
}

function putConfigured(out: [number, Uint8Array][], req: OptionRequest, code: number): void {
  if (sent[code] === 1 || protocolCode[code] === 1) return;
  const st = req.configured.get(code);
  if (code === OPT_SUBNET_MASK) {
    put(out, code, st ? optionData(st, req.catalogue, req.resolve) : maskData(req.subnetMask));
    return;
  }
  if (st !== undefined) put(out, code, optionData(st, req.catalogue, req.resolve));
  else put(out, code, req.defaults?.get(code));
}

export function assembleOptions(req: OptionRequest): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  try {
    if (req.messageType !== undefined) put(out, 53, Uint8Array.of(req.messageType));
    if (req.serverId !== undefined) put(out, OPT_SERVER_ID, ipToBytes(req.serverId));
    if (req.leaseTime !== undefined) put(out, OPT_LEASE_TIME, u32(req.leaseTime));
    if (req.renewalTime !== undefined) put(out, OPT_RENEWAL_TIME, u32(req.renewalTime));
    if (req.rebindingTime !== undefined) put(out, OPT_REBINDING_TIME, u32(req.rebindingTime));
    if (req.message !== undefined) put(out, OPT_MESSAGE, new Uint8Array(Buffer.from(req.message, 'latin1')));
    if (req.alwaysMask) putConfigured(out, req, OPT_SUBNET_MASK);
    const prl = req.prl;
    if (prl !== undefined && prl.length > 0) {
      for (let i = 0; i < prl.length; i++) {
        const code = prl[i]!;
        if (code !== OPT_RELAY_AGENT_INFO && code !== 0 && code !== 255) putConfigured(out, req, code);
      }
    } else if (req.messageType !== 6) {
      for (const code of [OPT_SUBNET_MASK, OPT_ROUTERS, OPT_DNS, OPT_HOST_NAME]) putConfigured(out, req, code);
      const rest = [...req.configured.keys(), ...(req.defaults?.keys() ?? [])].sort((a, b) => a - b);
      for (const code of rest) putConfigured(out, req, code);
    }
    if (req.relayAgent !== undefined) put(out, OPT_RELAY_AGENT_INFO, req.relayAgent);
  } finally {
    for (const [code] of out) sent[code] = 0;
  }
  return out;
}

function maskData(mask: number | undefined): Uint8Array | undefined {
  return mask === undefined ? undefined : ipToBytes(mask);
}
