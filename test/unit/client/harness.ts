// Test harness for the client engine: a fake clock, a seeded random source, a configuration from dhclient.conf
// text, and a scripted server that answers with real encoded-then-decoded messages.
import assert from 'node:assert/strict';
import { type BuiltConfigs, buildClientConfigs, type ClientConfig, configFor } from '../../../src/client/config.js';
import type { ClientAction } from '../../../src/client/events.js';
import { ClientMachine, type MachineOptions } from '../../../src/client/machine.js';
import type { ClientIdentity } from '../../../src/client/messages.js';
import { parseDhclientConfText } from '../../../src/conf/index.js';
import { Catalogue } from '../../../src/options/catalogue.js';
import {
  BOOTREPLY,
  type DhcpMessage,
  decodeMessage,
  encodeMessage,
  getMessageType,
  ipToBytes,
  ipToString,
  type OutgoingMessage,
  parseIpv4,
} from '../../../src/wire/index.js';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FakeClock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

export function ip(s: string): number {
  const v = parseIpv4(s);
  assert.ok(v !== undefined, s);
  return v;
}

export function configFromText(text: string, iface = 'eth0'): { cfg: ClientConfig; built: BuiltConfigs } {
  const r = parseDhclientConfText(text, 'dhclient.conf', { catalogue: Catalogue.standard() });
  assert.equal(r.error, undefined, r.error?.message);
  const built = buildClientConfigs(r.conf, r.catalogue as Catalogue);
  return { cfg: configFor(built, iface), built };
}

export const MAC = new Uint8Array([0x00, 0x16, 0x36, 0x51, 0x5d, 0x5a]);
/** 2026-01-01T00:00:00Z */
export const T0 = Date.UTC(2026, 0, 1) as number;

/** The exit status a waiting script gets: one for all, or chosen per run (reason, environment). */
export type ScriptStatus = number | ((reason: string, env: Record<string, string>) => number);

export class Rig {
  readonly clock = new FakeClock(T0);
  readonly m: ClientMachine;
  /** Every action so far, in order. */
  readonly log: ClientAction[] = [];
  timerAt: number | undefined;

  constructor(cfg: ClientConfig, opts: Partial<MachineOptions> = {}, id: Partial<ClientIdentity> = {}) {
    this.m = new ClientMachine(
      cfg,
      { interface: 'eth0', htype: 1, chaddr: MAC, ...id },
      { clock: this.clock, random: seeded(42), checkAddress: false, ...opts },
    );
  }

  /** Handles an event, tracks the timer, and answers waiting scripts with `scriptStatus` (0 by default). */
  run(ev: Parameters<ClientMachine['handle']>[0], scriptStatus: ScriptStatus = 0): ClientAction[] {
    const acts: ClientAction[] = [];
    let pending: Parameters<ClientMachine['handle']>[0] | undefined = ev;
    while (pending) {
      const out = this.m.handle(pending);
      pending = undefined;
      for (const a of out) {
        acts.push(a);
        this.log.push(a);
        if (a.kind === 'timer') this.timerAt = a.at;
        if (a.kind === 'cancel-timer') this.timerAt = undefined;
        if (a.kind === 'script' && a.wait) {
          const status = typeof scriptStatus === 'number' ? scriptStatus : scriptStatus(a.reason, a.env);
          pending = { kind: 'script-exit', status };
        }
      }
    }
    return acts;
  }

  /** Advances the clock to the pending timer and fires it. */
  fire(scriptStatus: ScriptStatus = 0): ClientAction[] {
    assert.ok(this.timerAt !== undefined, 'no timer pending');
    this.clock.t = this.timerAt;
    this.timerAt = undefined;
    return this.run({ kind: 'timer' }, scriptStatus);
  }

  reply(msg: DhcpMessage, scriptStatus: ScriptStatus = 0, from?: number): ClientAction[] {
    return this.run(
      from === undefined ? { kind: 'message', message: msg } : { kind: 'message', message: msg, from },
      scriptStatus,
    );
  }
}

/** The sends among actions, decoded back from their encoded bytes. */
export function sent(acts: readonly ClientAction[]): { msg: DhcpMessage; to: number; from: number }[] {
  const out: { msg: DhcpMessage; to: number; from: number }[] = [];
  for (const a of acts) {
    if (a.kind !== 'send') continue;
    const r = decodeMessage(encodeMessage(a.message).bytes);
    assert.ok(r.ok);
    assert.equal(getMessageType(r.message.options), a.type);
    out.push({ msg: r.message, to: a.to, from: a.from });
  }
  return out;
}

export function scripts(acts: readonly ClientAction[]): { reason: string; env: Record<string, string> }[] {
  return acts.flatMap((a) => (a.kind === 'script' ? [{ reason: a.reason, env: a.env }] : []));
}

export function opt(code: number, ...bytes: number[]): [number, Uint8Array] {
  return [code, new Uint8Array(bytes)];
}

export function optIp(code: number, ...addrs: string[]): [number, Uint8Array] {
  const out = new Uint8Array(addrs.length * 4);
  addrs.forEach((a, i) => {
    out.set(ipToBytes(ip(a)), i * 4);
  });
  return [code, out];
}

export function optU32(code: number, n: number): [number, Uint8Array] {
  return [code, new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255])];
}

export const SERVER = '192.0.2.1';

/** A server reply to `req` of `type`, offering `yiaddr` with the usual options plus `extra`. */
export function serverReply(
  req: DhcpMessage,
  type: number,
  yiaddr: string,
  opts: { leaseTime?: number; extra?: [number, Uint8Array][]; omit?: number[]; server?: string } = {},
): DhcpMessage {
  const server = opts.server ?? SERVER;
  const options: [number, Uint8Array][] = [opt(53, type), optIp(54, server)];
  if (type !== 6) {
    options.push(optU32(51, opts.leaseTime ?? 600), optIp(1, '255.255.255.0'), optIp(3, '192.0.2.1'));
    options.push(optIp(6, '192.0.2.53', '198.51.100.53'));
    options.push(...(opts.extra ?? []));
  }
  const filtered = options.filter(([c]) => !(opts.omit ?? []).includes(c));
  const out: OutgoingMessage = {
    op: BOOTREPLY,
    htype: req.htype,
    hlen: req.hlen,
    xid: req.xid,
    flags: req.flags,
    yiaddr: type === 6 ? 0 : ip(yiaddr),
    siaddr: ip(server),
    chaddr: req.chaddr.subarray(0, req.hlen),
    options: filtered,
  };
  const r = decodeMessage(encodeMessage(out).bytes);
  assert.ok(r.ok);
  return r.message;
}

/** An address option of a message, as text (asserting it is there). */
export function optAddr(m: DhcpMessage, code: number): string {
  const d = m.options.get(code);
  assert.ok(d && d.length === 4, `option ${code}`);
  return ipToString(((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) >>> 0);
}

/** An option's octets as an array (asserting it is there). */
export function optBytes(m: DhcpMessage, code: number): number[] {
  const d = m.options.get(code);
  assert.ok(d, `option ${code}`);
  return [...d];
}
