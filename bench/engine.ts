// The server's decision path without I/O: how many DORA exchanges a second one core gets through
// decode + engine (allocator, options, reply encoding) + lease record text, for new clients
// relayed as perfdhcp sends them, with bench/configs/dhcpd.conf. No sockets, no disk, no timed
// test: run it with `node dist/bench/engine.js` (add --cpu-prof to see where the time goes).
//
// ENGINE_CLIENTS (50000) distinct clients, ENGINE_ROUNDS (3) rounds over fresh allocators.
// ENGINE_CONF=classes: configs/dhcpd-classes.conf (50 classes, 200 subclasses) with the packets of
// run.sh's classes phase: the harness's MAC list, option 60 "MSFT 5.0" and option 82 (circuit-id
// "ge-0/0/7"). ENGINE_CONF=plain-opts: the same packets with the plain configs/dhcpd.conf.
// ENGINE_CONF=ddns: configs/dhcpd-ddns.conf (the engine's DNS decisions; the updates themselves are not sent).
// ENGINE_CLASSIFY=none: no class matches (the engine's classifier replaced by one that finds none);
// ENGINE_CLASSIFY=discard: every request classified, the memberships dropped.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDhcpdConfText } from '../src/conf/index.js';
import { buildScopeTree, type ScopeTree } from '../src/conf/scope-tree.js';
import { formatRecord } from '../src/leases/writer.js';
import { Allocator } from '../src/server/allocator.js';
import { evalClassifier } from '../src/server/classify.js';
import { handle } from '../src/server/engine.js';
import { BOOTREQUEST, type DhcpMessage, decodeMessage, encodeMessage } from '../src/wire/index.js';
import { macList } from './lib/classes-conf.js';
import { BENCH_SRC_DIR } from './results-file.js';

const CLIENTS = Number(process.env.ENGINE_CLIENTS ?? 50_000);
const ROUNDS = Number(process.env.ENGINE_ROUNDS ?? 3);
const RELAY = 0xc6336402; // 198.51.100.2, perfdhcp's giaddr
const SERVER = 0xc6336401; // 198.51.100.1
const NOW = 1_790_000_000;
const PRL = Uint8Array.from([1, 3, 6, 15, 28, 51, 54, 58, 59]);
const MODE = process.env.ENGINE_CONF ?? 'plain';
if (!['plain', 'plain-opts', 'classes', 'ddns'].includes(MODE))
  throw new Error('ENGINE_CONF: plain, plain-opts, classes or ddns');
const CONF_FILE =
  MODE === 'classes'
    ? 'configs/dhcpd-classes.conf'
    : MODE === 'ddns'
      ? 'configs/dhcpd-ddns.conf'
      : 'configs/dhcpd.conf';
/** Options run.sh's classes phase has perfdhcp add (CLASSES_PD_OPTS): vendor class, relay circuit-id. */
const PLAIN_PACKETS = MODE === 'plain' || MODE === 'ddns';
const EXTRA: [number, Uint8Array][] = PLAIN_PACKETS
  ? []
  : [
      [60, Uint8Array.from(Buffer.from('MSFT 5.0'))],
      [82, Uint8Array.from([1, 8, ...Buffer.from('ge-0/0/7')])],
    ];

/** Offset of the value of `code` in an encoded message (options start at 240). */
function optionOffset(bytes: Uint8Array, code: number): number {
  for (let i = 240; i < bytes.length && bytes[i] !== 255; ) {
    if (bytes[i] === 0) {
      i++;
      continue;
    }
    if (bytes[i] === code) return i + 2;
    i += 2 + bytes[i + 1]!;
  }
  throw new Error(`option ${code} not found`);
}

function main(): void {
  const conf = parseDhcpdConfText(readFileSync(resolve(BENCH_SRC_DIR, CONF_FILE), 'utf8'));
  if (conf.conf === undefined) throw new Error(conf.error?.message);
  const tree = buildScopeTree(conf.conf, conf.catalogue);
  // Requests as a relay sends them; a REQUEST's option 50 and 54 are patched in per exchange.
  const discovers: Uint8Array[] = [];
  const requests: Uint8Array[] = [];
  let seed = 20261122;
  const harnessMacs = PLAIN_PACKETS ? [] : macList(CLIENTS, seed);
  for (let i = 0; i < CLIENTS; i++) {
    let chaddr = new Uint8Array(6);
    chaddr[0] = 0x02;
    for (let k = 1; k < 6; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      chaddr[k] = seed >>> 24;
    }
    const mac = harnessMacs[i];
    if (mac !== undefined) chaddr = Uint8Array.from(mac.split(':').map((x) => Number.parseInt(x, 16)));
    const base = { op: BOOTREQUEST, htype: 1, xid: i + 1, giaddr: RELAY, hops: 1, chaddr };
    discovers.push(
      encodeMessage({
        ...base,
        options: [[53, Uint8Array.of(1)], [55, PRL], ...EXTRA],
      }).bytes.slice(),
    );
    const req = [53, 50, 54, 55].map((c): [number, Uint8Array] =>
      c === 53 ? [53, Uint8Array.of(3)] : c === 55 ? [55, PRL] : [c, new Uint8Array(4)],
    );
    req.push(...EXTRA);
    requests.push(encodeMessage({ ...base, options: req }).bytes.slice());
  }
  const reqAt = optionOffset(requests[0]!, 50);
  const sidAt = optionOffset(requests[0]!, 54);
  const buffer = new Uint8Array(1500);
  // ENGINE_CONF=ddns: configs/dhcpd-ddns.conf (the engine's DNS decisions; the updates themselves are not sent).
  // ENGINE_CLASSIFY=none: no class matches; =discard: every request classified, the result dropped
  // (discard minus none: classification's cost; the default minus discard: what membership costs after).
  const mode = process.env.ENGINE_CLASSIFY;
  const classify =
    mode === 'none'
      ? { classify: () => [] }
      : mode === 'discard'
        ? { classify: (r: DhcpMessage, t: ScopeTree) => (evalClassifier(r, t).length >= 0 ? [] : []) }
        : {};
  const iface = { name: 'lhs0', addresses: [SERVER] };
  for (let round = 0; round < ROUNDS; round++) {
    const leases = new Allocator(tree);
    let acks = 0;
    let textBytes = 0;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CLIENTS; i++) {
      const ctx = { tree, leases, now: NOW, interface: iface, sourceAddress: RELAY, buffer, ...classify };
      const d = decodeMessage(discovers[i]!);
      if (!d.ok) throw new Error('decode');
      const offer = handle(d.message, ctx);
      const yiaddr = offer.reply?.message.yiaddr;
      if (yiaddr === undefined) throw new Error(`no offer: ${offer.log.join(' | ')}`);
      const req = requests[i]!;
      new DataView(req.buffer, req.byteOffset).setUint32(reqAt, yiaddr);
      new DataView(req.buffer, req.byteOffset).setUint32(sidAt, SERVER);
      const r = decodeMessage(req);
      if (!r.ok) throw new Error('decode');
      const ack = handle(r.message, ctx);
      for (const c of ack.changes) textBytes += formatRecord(c.lease).length;
      if (ack.reply !== undefined && ack.reply.bytes[242] === 5) acks++;
    }
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuSecs = (cpu.user + cpu.system) / 1e6;
    console.log(
      `${MODE} round ${round + 1}: ${acks} ACKs of ${CLIENTS} in ${secs.toFixed(2)} s: ${Math.round(acks / secs)} DORA/s, ` +
        `${Math.round(acks / cpuSecs)} DORA per CPU-s, ${(textBytes / Math.max(acks, 1)).toFixed(0)} lease-file bytes per ACK`,
    );
  }
}

main();
