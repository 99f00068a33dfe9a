// Test harness for the server engine: configurations from text, requests built and decoded as
// they would arrive off the wire, an injected clock, and helpers for the reply's options.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDhcpdConfText } from '../../../src/conf/index.js';
import { buildScopeTree, type ScopeTree } from '../../../src/conf/scope-tree.js';
import { Allocator } from '../../../src/server/allocator.js';
import { handle } from '../../../src/server/engine.js';
import type { EngineContext, HandleResult } from '../../../src/server/types.js';
import {
  BOOTREQUEST,
  type DhcpMessage,
  decodeMessage,
  encodeMessage,
  ipToBytes,
  parseIpv4,
  parseMac,
} from '../../../src/wire/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export function seedConfText(): string {
  return readFileSync(resolve(repoRoot, 'test/fixtures/conf/xgrid_dhcpd.conf'), 'utf8');
}

export function treeOf(text: string): ScopeTree {
  const res = parseDhcpdConfText(text);
  assert.equal(res.error, undefined, res.error?.message);
  assert.ok(res.conf);
  return buildScopeTree(res.conf, res.catalogue);
}

export const ip = (text: string): number => {
  const v = parseIpv4(text);
  assert.ok(v !== undefined, text);
  return v;
};

export interface RequestSpec {
  type?: number;
  mac: string;
  xid?: number;
  ciaddr?: string;
  giaddr?: string;
  flags?: number;
  htype?: number;
  /** Extra options: code -> data. */
  options?: [number, Uint8Array][];
  requested?: string;
  serverId?: string;
  prl?: number[];
  uid?: Uint8Array;
  hostname?: string;
  /** Seconds since the client began trying (the `secs` field). */
  secs?: number;
}

export function request(spec: RequestSpec): DhcpMessage {
  const chaddr = parseMac(spec.mac);
  assert.ok(chaddr);
  const options: [number, Uint8Array][] = [];
  if (spec.type !== undefined) options.push([53, new Uint8Array([spec.type])]);
  if (spec.uid) options.push([61, spec.uid]);
  if (spec.requested) options.push([50, ipToBytes(ip(spec.requested))]);
  if (spec.serverId) options.push([54, ipToBytes(ip(spec.serverId))]);
  if (spec.hostname) options.push([12, new Uint8Array(Buffer.from(spec.hostname))]);
  if (spec.prl) options.push([55, Uint8Array.from(spec.prl)]);
  options.push(...(spec.options ?? []));
  const bytes = encodeMessage({
    op: BOOTREQUEST,
    htype: spec.htype ?? 1,
    xid: spec.xid ?? 0x1234,
    secs: spec.secs ?? 0,
    flags: spec.flags ?? 0,
    ciaddr: spec.ciaddr ? ip(spec.ciaddr) : 0,
    giaddr: spec.giaddr ? ip(spec.giaddr) : 0,
    chaddr,
    options,
  }).bytes;
  const decoded = decodeMessage(bytes);
  assert.ok(decoded.ok);
  return decoded.message;
}

/** One server: a scope tree, its allocator, a clock and the interface packets arrive on. */
export class Server {
  now = 1_700_000_000;
  readonly leases: Allocator;
  ctx: Partial<EngineContext> = {};
  readonly written: HandleResult['changes'] = [];

  constructor(
    readonly tree: ScopeTree,
    readonly iface = { name: 'eth0', addresses: [ip('192.168.1.1')] },
    leases?: Allocator,
  ) {
    this.leases = leases ?? new Allocator(tree);
  }

  send(spec: RequestSpec | DhcpMessage): HandleResult {
    const msg = 'op' in spec ? spec : request(spec);
    const res = handle(msg, {
      tree: this.tree,
      leases: this.leases,
      now: this.now,
      interface: this.iface,
      ...this.ctx,
    });
    this.written.push(...res.changes);
    return res;
  }

  /** DISCOVER then REQUEST for the offered address; returns the ACK result. */
  dora(spec: RequestSpec): { offer: HandleResult; ack: HandleResult; address: string } {
    const offer = this.send({ ...spec, type: 1 });
    assert.ok(offer.reply, `no offer: ${offer.log.join(' | ')}`);
    const address = ipString(offer.reply.message.yiaddr ?? 0);
    const sid = optionOf(offer, 54);
    assert.ok(sid);
    const ack = this.send({ ...spec, type: 3, requested: address, serverId: ipString(readU32(sid)) });
    assert.ok(ack.reply, `no ack: ${ack.log.join(' | ')}`);
    assert.equal(messageType(ack), 5, ack.log.join(' | '));
    return { offer, ack, address };
  }
}

export function ipString(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function readU32(b: Uint8Array): number {
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

/** The reply decoded back from its bytes, as the client would see it. */
export function decodedReply(res: HandleResult): DhcpMessage {
  assert.ok(res.reply);
  const d = decodeMessage(res.reply.bytes);
  assert.ok(d.ok);
  return d.message;
}

export function optionOf(res: HandleResult, code: number): Uint8Array | undefined {
  return decodedReply(res).options.get(code);
}

export function messageType(res: HandleResult): number | undefined {
  return optionOf(res, 53)?.[0];
}

export function yiaddr(res: HandleResult): string {
  return ipString(decodedReply(res).yiaddr);
}
