// The daemon's probe before an offer: ICMP echo and ARP at the same time, "in use" as soon as either answers,
// ARP only on a directly attached subnet and only with packet sockets. Fakes are resolved by hand: no sleeping.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArpPacket } from '../../../src/io/arp.js';
import type { ArpProber } from '../../../src/io/arp-prober.js';
import type { Pinger, PingResult } from '../../../src/io/icmp.js';
import type { ServedInterface, Transport } from '../../../src/io/transport.js';
import { memoryLogger } from '../../../src/server/daemon-log.js';
import {
  arpSideProber,
  attachedInterface,
  firstAnswer,
  type Prober,
  serverProber,
} from '../../../src/server/daemon-probe.js';
import { ip, SRV0 } from './daemon-helpers.js';

const settle = () => new Promise((r) => setImmediate(r));

/** A prober whose answers the test gives, per call. */
function handProber() {
  const calls: { address: number; timeoutMs: number; answer: (v: boolean) => void; fail: (e: Error) => void }[] = [];
  const probe: Prober = (address, timeoutMs) =>
    new Promise((answer, fail) => {
      calls.push({ address, timeoutMs, answer, fail });
    });
  return { probe, calls };
}

function track(p: Promise<boolean>) {
  const s: { done: boolean; value?: boolean } = { done: false };
  void p.then((v) => {
    s.done = true;
    s.value = v;
  });
  return s;
}

const SRV1: ServedInterface = {
  name: 'srv1',
  index: 3,
  addresses: [ip('198.51.100.1')],
  masks: [ip('255.255.255.0')],
  networkName: '198.51.100.0/24',
};

const ARP_ANSWER: ArpPacket = {
  op: 2,
  senderMac: '02:00:00:00:00:99',
  senderIp: '192.0.2.100',
  targetMac: '02:00:00:00:00:01',
  targetIp: '0.0.0.0',
};

/** ARP probers per interface whose checks the test answers by hand. */
function handArp() {
  const opened: {
    iface: ServedInterface;
    prober: ArpProber;
    calls: { address: string; done: (p: ArpPacket | undefined) => void }[];
  }[] = [];
  const open = (iface: ServedInterface): ArpProber => {
    const calls: { address: string; done: (p: ArpPacket | undefined) => void }[] = [];
    let closed = false;
    const prober: ArpProber = {
      ifname: iface.name,
      ifindex: iface.index,
      get closed() {
        return closed;
      },
      probe: (address) =>
        new Promise((done) => {
          calls.push({ address, done });
        }),
      close: () => {
        closed = true;
      },
    };
    opened.push({ iface, prober, calls });
    return prober;
  };
  return { open, opened };
}

function raw(interfaces: ServedInterface[]): Pick<Transport, 'kind' | 'interfaces'> {
  return { kind: 'raw', interfaces };
}

test('firstAnswer: both probes start at once; silent only when both are; either answer is "in use" at once', async () => {
  const icmp = handProber();
  const arp = handProber();
  const both = firstAnswer([icmp.probe, arp.probe]);

  const quiet = track(both(ip('192.0.2.100'), 1000));
  assert.equal(icmp.calls.length, 1);
  assert.equal(arp.calls.length, 1, 'ARP does not wait for ICMP');
  assert.deepEqual([icmp.calls[0]?.timeoutMs, arp.calls[0]?.timeoutMs], [1000, 1000]);
  icmp.calls[0]?.answer(false);
  await settle();
  assert.equal(quiet.done, false, 'ARP still listening');
  arp.calls[0]?.answer(false);
  await settle();
  assert.deepEqual(quiet, { done: true, value: false });

  const byArp = track(both(ip('192.0.2.101'), 1000));
  arp.calls[1]?.answer(true);
  await settle();
  assert.deepEqual(byArp, { done: true, value: true }, 'ICMP silent so far (dropped by a firewall): ARP decides');

  const byIcmp = track(both(ip('192.0.2.102'), 1000));
  icmp.calls[2]?.answer(true);
  await settle();
  assert.deepEqual(byIcmp, { done: true, value: true });

  const failing = track(both(ip('192.0.2.103'), 1000));
  icmp.calls[3]?.fail(new Error('EHOSTUNREACH'));
  arp.calls[3]?.answer(false);
  await settle();
  assert.deepEqual(failing, { done: true, value: false }, 'a failed probe counts as silence');

  assert.equal(await firstAnswer([])(1, 1), false);
});

test('firstAnswer: checks of different clients overlap; none waits for another', async () => {
  const icmp = handProber();
  const arp = handProber();
  const both = firstAnswer([icmp.probe, arp.probe]);
  const a = track(both(ip('192.0.2.100'), 1000));
  const b = track(both(ip('192.0.2.101'), 1000));
  assert.equal(icmp.calls.length, 2, 'the second client is probed while the first still waits');
  icmp.calls[1]?.answer(false);
  arp.calls[1]?.answer(false);
  await settle();
  assert.deepEqual(b, { done: true, value: false });
  assert.equal(a.done, false);
  arp.calls[0]?.answer(true);
  await settle();
  assert.deepEqual(a, { done: true, value: true });
});

test('attachedInterface: the served interface whose subnet holds the address', () => {
  assert.equal(attachedInterface([SRV0, SRV1], ip('198.51.100.7'))?.name, 'srv1');
  assert.equal(attachedInterface([SRV0, SRV1], ip('192.0.2.200'))?.name, 'srv0');
  assert.equal(attachedInterface([SRV0, SRV1], ip('203.0.113.5')), undefined, 'relayed subnet');
  // 203.0.113.0/24 shares srv1's link (a shared network "lan") without an address of ours in it.
  const lan = { ...SRV1, networkName: 'lan' };
  const networkOf = (a: number) => (a >>> 8 === ip('203.0.113.0') >>> 8 ? 'lan' : undefined);
  assert.equal(attachedInterface([SRV0, lan], ip('203.0.113.5'), networkOf)?.name, 'srv1', 'same shared network');
  assert.equal(attachedInterface([lan], ip('192.0.2.5'), networkOf), undefined, 'another network, not on this link');
});

test('ARP side: probes on the attached interface, one prober per interface, relayed subnets left to ICMP', async () => {
  const log = memoryLogger();
  const arp = handArp();
  const interfaces = [SRV0, SRV1];
  const side = arpSideProber(log, { transport: () => raw(interfaces), open: arp.open });

  const a = track(side.probe(ip('192.0.2.100'), 1000));
  const b = track(side.probe(ip('192.0.2.101'), 1000));
  assert.equal(arp.opened.length, 1, 'one prober for srv0, shared');
  assert.equal(arp.opened[0]?.iface.name, 'srv0');
  assert.deepEqual(
    arp.opened[0]?.calls.map((c) => c.address),
    ['192.0.2.100', '192.0.2.101'],
  );
  arp.opened[0]?.calls[0]?.done(ARP_ANSWER);
  arp.opened[0]?.calls[1]?.done(undefined);
  await settle();
  assert.deepEqual(a, { done: true, value: true });
  assert.deepEqual(b, { done: true, value: false });
  assert.deepEqual(log.lines, ['ping-check: 192.0.2.100 answered an ARP probe on srv0 (02:00:00:00:00:99).']);

  assert.equal(await side.probe(ip('203.0.113.5'), 1000), false, 'relayed: no ARP, at once');
  assert.equal(arp.opened.length, 1);

  void side.probe(ip('198.51.100.9'), 1000);
  assert.equal(arp.opened[1]?.iface.name, 'srv1');

  // srv1 goes away: its prober is closed at the next check; srv0 comes back with a new index: reopened.
  interfaces.splice(1, 1);
  interfaces[0] = { ...SRV0, index: 9 };
  void side.probe(ip('192.0.2.102'), 1000);
  assert.equal(arp.opened[1]?.prober.closed, true);
  assert.equal(arp.opened[0]?.prober.closed, true);
  assert.equal(arp.opened[2]?.iface.index, 9);
  side.close();
  assert.equal(arp.opened[2]?.prober.closed, true);
});

test('ARP side: over UDP sockets skipped and said once; a privilege error disables it, said once', async () => {
  const log = memoryLogger();
  const arp = handArp();
  const udp = arpSideProber(log, { transport: () => ({ kind: 'udp', interfaces: [SRV0] }), open: arp.open });
  assert.equal(await udp.probe(ip('192.0.2.100'), 1000), false);
  assert.equal(await udp.probe(ip('192.0.2.101'), 1000), false);
  assert.equal(arp.opened.length, 0);
  assert.deepEqual(log.lines, ['ping-check: ARP probes need packet sockets; over UDP sockets only ICMP echo is sent.']);

  const log2 = memoryLogger();
  let opens = 0;
  const denied = arpSideProber(log2, {
    transport: () => raw([SRV0]),
    open: () => {
      opens++;
      throw Object.assign(new Error('socket: Operation not permitted'), { code: 'EPERM' });
    },
  });
  assert.equal(await denied.probe(ip('192.0.2.100'), 1000), false);
  assert.equal(await denied.probe(ip('192.0.2.101'), 1000), false);
  assert.equal(opens, 1);
  assert.equal(log2.lines.length, 1);
  assert.match(log2.lines[0] ?? '', /^ping-check: cannot send ARP probes \(raw packet sockets need root/);

  const none = arpSideProber(memoryLogger(), { transport: () => undefined, open: arp.open });
  assert.equal(await none.probe(ip('192.0.2.100'), 1000), false, 'before the transport opens');
});

test('serverProber: a squatter that drops ping is caught by ARP; ICMP alone still works', async () => {
  const pings: { address: string; timeoutMs?: number; reply: (r: PingResult) => void }[] = [];
  const pinger: Pinger = {
    mode: 'raw',
    ping: (address, opts) =>
      new Promise((reply) => {
        pings.push({ address, timeoutMs: opts?.timeoutMs, reply });
      }),
    close: () => {},
  };
  const arp = handArp();
  const log = memoryLogger();
  const prober = serverProber(log, () => raw([SRV0]), { icmp: () => pinger, arp: arp.open });

  const dropsPing = track(prober.probe(ip('192.0.2.100'), 1000));
  assert.deepEqual(
    pings.map((p) => [p.address, p.timeoutMs]),
    [['192.0.2.100', 1000]],
  );
  assert.equal(arp.opened[0]?.calls[0]?.address, '192.0.2.100');
  arp.opened[0]?.calls[0]?.done(ARP_ANSWER);
  await settle();
  assert.deepEqual(dropsPing, { done: true, value: true });

  const pingable = track(prober.probe(ip('192.0.2.101'), 1000));
  pings[1]?.reply({ alive: true, rttMs: 1 });
  await settle();
  assert.deepEqual(pingable, { done: true, value: true });

  const free = track(prober.probe(ip('192.0.2.102'), 1000));
  pings[2]?.reply({ alive: false });
  arp.opened[0]?.calls[2]?.done(undefined);
  await settle();
  assert.deepEqual(free, { done: true, value: false });
  prober.close();
  assert.equal(arp.opened[0]?.prober.closed, true);
});

test('serverProber.open(): the ICMP socket and the ARP sockets of the served interfaces open now (before -user)', () => {
  let pingers = 0;
  const pinger: Pinger = { mode: 'raw', ping: async () => ({ alive: false }), close: () => {} };
  const arp = handArp();
  const prober = serverProber(memoryLogger(), () => raw([SRV0, SRV1]), {
    icmp: () => {
      pingers++;
      return pinger;
    },
    arp: arp.open,
  });
  prober.open();
  assert.equal(pingers, 1);
  assert.deepEqual(
    arp.opened.map((o) => o.iface.name),
    ['srv0', 'srv1'],
  );
  prober.open();
  assert.equal(arp.opened.length, 2, 'opened once');
  prober.close();
});

test('ARP side: refused after some sockets opened (root dropped since) stays per interface', async () => {
  const log = memoryLogger();
  const arp = handArp();
  const interfaces = [SRV0];
  const side = arpSideProber(log, {
    transport: () => raw(interfaces),
    open: (iface) => {
      if (iface.name === 'srv1') throw Object.assign(new Error('socket: Operation not permitted'), { code: 'EPERM' });
      return arp.open(iface);
    },
  });
  side.open();
  interfaces.push(SRV1);
  assert.equal(await side.probe(ip('198.51.100.9'), 1000), false);
  assert.match(log.lines[0] ?? '', /^ping-check: no ARP probes on srv1 \(/);
  const a = track(side.probe(ip('192.0.2.100'), 1000));
  assert.equal(arp.opened[0]?.calls.length, 1, 'srv0 still probes');
  arp.opened[0]?.calls[0]?.done(undefined);
  await settle();
  assert.deepEqual(a, { done: true, value: false });
  side.close();
});
