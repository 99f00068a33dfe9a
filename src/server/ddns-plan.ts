// The server's dynamic DNS decisions, as ISC 4.4.3's ddns_updates (server/ddns.c) makes them when an ACK
// commits a lease, and ddns_removals when a lease is released or expires: which name, whether the
// server or the client updates the A record (client FQDN option 81 and `allow|deny|ignore
// client-updates`), the TTL, the reverse name, the guard (DHCID or ISC's TXT), and the FQDN option the ACK
// carries back. Pure: the jobs go to the result (`out.ddns`), the daemon hands them to the updater.

import type { Expr } from '../conf/ast.js';
import { type EvalContext, evaluateExpression, type Value } from '../conf/eval.js';
import { lookupParameter, type Scope } from '../conf/scope-tree.js';
import { ddnsSettings, zoneFor } from '../ddns/config.js';
import { dhcidIdentifier, interimTxt, standardDhcid } from '../ddns/dhcid.js';
import { dnsStateOf } from '../ddns/lease-state.js';
import { reverseName, sameName } from '../ddns/names.js';
import type { AddJob, DnsState } from '../ddns/transaction.js';
import type { LeaseVariable } from '../leases/lease.js';
import { bindingsOf } from './lease-events.js';
import { OPT_FQDN, OPT_HOST_NAME, optionData } from './reply-options.js';
import { allowDeny, chainInputs, type RequestFacts } from './request-facts.js';
import { leaseFacts, requestContext } from './scope-eval.js';
import type { DdnsRequest, HandleResult } from './types.js';

/** ISC's MAX_DEFAULT_DDNS_TTL: half the lease time, at most an hour, when ddns-ttl is not set. */
const MAX_DEFAULT_TTL = 3600;
const OPT_DOMAIN_NAME = 15;

/** Option 81 as the client sent it (RFC 4702; ISC's fqdn space). */
export interface ClientFqdn {
  serverUpdate: boolean;
  noClientUpdate: boolean;
  encoded: boolean;
  /** The whole name, without a trailing dot. */
  fqdn: string;
  /** Its first label (fqdn.hostname). */
  hostname: string;
  /** The rest, when there is more than one label (fqdn.domainname). */
  domainname: string | undefined;
}

export function parseClientFqdn(data: Uint8Array | undefined): ClientFqdn | undefined {
  if (data === undefined || data.length < 3) return undefined;
  const flags = data[0]!;
  const encoded = (flags & 4) !== 0;
  let fqdn: string;
  if (encoded) {
    const labels: string[] = [];
    let i = 3;
    while (i < data.length && data[i] !== 0) {
      const len = data[i]!;
      if (len > 63 || i + 1 + len > data.length) return undefined;
      labels.push(Buffer.from(data.subarray(i + 1, i + 1 + len)).toString('latin1'));
      i += 1 + len;
    }
    fqdn = labels.join('.');
  } else {
    fqdn = Buffer.from(data.subarray(3)).toString('latin1').replace(/\0+$/, '');
  }
  if (fqdn.endsWith('.')) fqdn = fqdn.slice(0, -1);
  const dot = fqdn.indexOf('.');
  return {
    serverUpdate: (flags & 1) !== 0,
    noClientUpdate: (flags & 8) !== 0,
    encoded,
    fqdn,
    hostname: dot < 0 ? fqdn : fqdn.slice(0, dot),
    domainname: dot < 0 ? undefined : fqdn.slice(dot + 1),
  };
}

/**
 * Option 81 for the ACK (ISC: rcodes 255, the client's encoding, the name the server used). ISC's encoder
 * puts fqdn.no-client-update in bit 2 (RFC 4702's O bit), set with S when the server updates: kept, since
 * clients written against ISC read it so.
 */
function fqdnReply(serverUpdates: boolean, encoded: boolean, name: string): Uint8Array {
  const flags = (serverUpdates ? 3 : 0) | (encoded ? 4 : 0);
  let nameBytes: Uint8Array;
  if (encoded) {
    const parts: number[] = [];
    for (const label of name.split('.').filter((l) => l.length > 0)) {
      const b = Buffer.from(label, 'latin1');
      parts.push(Math.min(b.length, 63), ...b.subarray(0, 63));
    }
    parts.push(0);
    nameBytes = Uint8Array.from(parts);
  } else nameBytes = new Uint8Array(Buffer.from(name, 'latin1'));
  const out = new Uint8Array(3 + nameBytes.length);
  out[0] = flags;
  out[1] = 255;
  out[2] = 255;
  out.set(nameBytes, 3);
  return out;
}

/** Evaluates a late parameter's expression for this lease (made on first use: most chains have none). */
type Late = (e: Expr) => Value | undefined;

function lateEvaluator(
  f: RequestFacts,
  address: number,
  ends: number,
  vars: readonly LeaseVariable[] | undefined,
): Late {
  let ctx: EvalContext | undefined;
  return (e) => {
    ctx ??= requestContext(chainInputs(f, leaseFacts(address, ends, f.host?.host.name), bindingsOf(vars)));
    return evaluateExpression(e, ctx);
  };
}

function param(chain: readonly Scope[], name: string, late?: Late): string | number | boolean | undefined {
  const st = lookupParameter(chain, name);
  if (st === undefined) return undefined;
  if (st.value !== undefined || st.expr === undefined || late === undefined) return st.value;
  const v = late(st.expr);
  if (v instanceof Uint8Array) {
    if (name !== 'ddns-ttl') return Buffer.from(v).toString('latin1').replace(/\0+$/, '');
    return v.length === 4 ? new DataView(v.buffer, v.byteOffset, 4).getUint32(0) : undefined;
  }
  return typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

function flagParam(chain: readonly Scope[], name: string, dflt: boolean): boolean {
  const v = param(chain, name);
  return typeof v === 'boolean' ? v : dflt;
}

function textParam(chain: readonly Scope[], name: string, late?: Late): string | undefined {
  const v = param(chain, name, late);
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function configuredText(f: RequestFacts, chain: readonly Scope[], code: number): string | undefined {
  for (const s of chain) {
    for (const st of s.options.values()) {
      if (st.option.space !== 'dhcp' || st.option.code !== code) continue;
      const d = optionData(st, f.ctx.tree.catalogue, f.ctx.resolveHost);
      return d === undefined || d.length === 0 ? undefined : Buffer.from(d).toString('latin1').replace(/\0+$/, '');
    }
  }
  return undefined;
}

/** ISC's default ddns-hostname: pick(option fqdn.hostname, option host-name, config-option host-name). */
function hostnameFor(
  f: RequestFacts,
  chain: readonly Scope[],
  fqdn: ClientFqdn | undefined,
  late: Late,
): string | undefined {
  const configured = textParam(chain, 'ddns-hostname', late);
  if (configured !== undefined) return configured;
  const picked =
    (fqdn !== undefined && fqdn.hostname.length > 0 ? fqdn.hostname : undefined) ??
    (f.hostname !== undefined && f.hostname.length > 0 ? f.hostname.replace(/\0+$/, '') : undefined) ??
    configuredText(f, chain, OPT_HOST_NAME);
  if (picked !== undefined && picked.length > 0) return picked;
  const host = f.host?.host;
  if (host !== undefined && flagParam(chain, 'use-host-decl-names', false)) return host.name;
  return undefined;
}

/**
 * An ACK commits the lease at `address` until `ends`: the DNS work it calls for goes to `out.ddns`, and the
 * FQDN option the ACK carries (when the client sent one) is returned. `vars` are the lease's variables
 * before this commit (what DNS holds for it).
 */
export function planCommitDdns(
  f: RequestFacts,
  chain: readonly Scope[],
  address: number,
  ends: number,
  vars: readonly LeaseVariable[] | undefined,
): Uint8Array | undefined {
  const settings = ddnsSettings(f.ctx.tree);
  if (settings === undefined || !flagParam(chain, 'ddns-updates', true)) return undefined;
  const fqdn = parseClientFqdn(f.request.options.get(OPT_FQDN));
  const late = lateEvaluator(f, address, ends, vars);
  const clientUpdates = allowDeny(chain, 'client-updates');
  const current = dnsStateOf(vars) ?? {};
  let fwdName: string | undefined;
  let serverUpdatesA = true;
  if (clientUpdates === 'allow' && fqdn !== undefined && !fqdn.serverUpdate && fqdn.domainname !== undefined) {
    // The client updates its own A record (RFC 4702 S=0 with a qualified name); the server does the PTR.
    fwdName = fqdn.fqdn;
    serverUpdatesA = false;
  } else {
    if (!flagParam(chain, 'do-forward-updates', true)) return undefined;
    const host = hostnameFor(f, chain, fqdn, late);
    const domain = textParam(chain, 'ddns-domainname', late) ?? configuredText(f, chain, OPT_DOMAIN_NAME);
    if (host !== undefined && domain !== undefined) {
      if (host.length + domain.length > 253) f.out.log.push('ddns_update: host.domain name too long');
      else fwdName = `${host}.${domain.replace(/\.$/, '')}`;
    }
  }
  if (fwdName === undefined || fwdName.length > 255) {
    if (current.fwdName !== undefined || current.revName !== undefined) pushRemove(f.out, address, current);
    return replyFor(chain, fqdn, clientUpdates, serverUpdatesA, fwdName ?? '');
  }
  const optimize = flagParam(chain, 'update-optimization', true);
  const held = current.fwdName ?? current.clientFqdn;
  // DNS already maps this name for the lease (ISC: update-optimization, `goto noerror`): nothing to send.
  if (optimize && held !== undefined && sameName(held, fwdName))
    return replyFor(chain, fqdn, clientUpdates, serverUpdatesA, fwdName);
  const ttlParam = param(chain, 'ddns-ttl', late);
  const ttl =
    typeof ttlParam === 'number'
      ? ttlParam
      : Number.isFinite(ends)
        ? Math.min(Math.max(0, Math.floor((ends - f.ctx.now) / 2)), MAX_DEFAULT_TTL)
        : MAX_DEFAULT_TTL;
  const revDomain = textParam(chain, 'ddns-rev-domainname', late) ?? 'in-addr.arpa.';
  const doReverse = flagParam(chain, 'do-reverse-updates', true);
  const ident = dhcidIdentifier(settings.style, f.id.uid, f.id.hardware);
  if (ident === undefined) return undefined;
  const guard =
    settings.style === 'standard'
      ? { style: 'standard' as const, value: standardDhcid(ident.type, ident.bytes, fwdName) }
      : { style: 'interim' as const, value: interimTxt(ident.type, ident.bytes) };
  const job: AddJob = {
    kind: 'add',
    address,
    fwdName,
    updateA: serverUpdatesA,
    ttl,
    guard,
    conflict: settings.conflict,
    ...(doReverse ? { revName: reverseName(address, revDomain) } : {}),
  };
  pushRequest(f.out, { job, current, optimize });
  // ISC starts a transaction (and then does not reuse the lease) only when a zone holds the first name.
  const first = job.updateA ? job.fwdName : job.revName;
  if (first !== undefined && zoneFor(settings.zoneIndex, first) !== undefined) f.out.ddnsStarted = true;
  return replyFor(chain, fqdn, clientUpdates, serverUpdatesA, fwdName);
}

function replyFor(
  chain: readonly Scope[],
  fqdn: ClientFqdn | undefined,
  clientUpdates: 'allow' | 'deny' | 'ignore',
  serverUpdatesA: boolean,
  name: string,
): Uint8Array | undefined {
  if (fqdn === undefined || !flagParam(chain, 'fqdn-reply', true)) return undefined;
  // `ignore client-updates` with a client that wanted to update: ISC's "white lie" - the server says it
  // does not update and gives the client its own name back.
  if (clientUpdates === 'ignore' && !fqdn.serverUpdate) return fqdnReply(false, fqdn.encoded, fqdn.fqdn);
  return fqdnReply(serverUpdatesA, fqdn.encoded, name);
}

// A removal's conflict rules are the configuration's (the daemon sets them from its settings).
const DEFAULT_CONFLICT = { detect: true, guardMustMatch: true };

function pushRequest(out: HandleResult, r: DdnsRequest): void {
  if (out.ddns === undefined) out.ddns = [r];
  else out.ddns.push(r);
}

function pushRemove(out: HandleResult, address: number, state: DnsState): void {
  pushRequest(out, {
    job: { kind: 'remove', address, state, conflict: DEFAULT_CONFLICT },
    current: state,
    optimize: true,
  });
}

/**
 * An ACK of a host's fixed address: DNS is updated only with `update-static-leases on` (ISC), and the
 * state is kept nowhere (ISC keeps no lease for it): the records stay when the client goes.
 */
export function planStaticDdns(
  f: RequestFacts,
  chain: readonly Scope[],
  address: number,
  ends: number,
): Uint8Array | undefined {
  if (!flagParam(chain, 'update-static-leases', false)) return undefined;
  return planCommitDdns(f, chain, address, ends, undefined);
}

/** A lease released or expired: the DNS records its variables name are removed (ISC ddns_removals). */
export function planRemovalDdns(out: HandleResult, address: number, vars: readonly LeaseVariable[] | undefined): void {
  const state = dnsStateOf(vars);
  if (state !== undefined) pushRemove(out, address, state);
}
