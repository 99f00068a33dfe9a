// The raw transport between namespaces: a server namespace with two veth interfaces in two subnets, client
// namespaces without addresses (DISCOVER from 0.0.0.0), a configured client and a relay (unicast over UDP), and
// the fallback to UDP sockets for an unprivileged server. Every socket lives in a child process inside one of
// the namespaces; this process only runs `ip` (and tshark inside a client namespace).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isEventLine } from '../lib/child.js';
import { createLab, type Lab, type Netns, nodeOutcome, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { WAIT_MS, waitForLog } from '../lib/wait.js';
import type { FrameClientResult, ServerInput, ServerResult, UdpClientResult } from './raw-child.js';

const CHILD = fileURLToPath(new URL('./raw-child.js', import.meta.url));
const SUBNETS = ['192.0.2.0/24', '198.51.100.0/24'];

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

async function startServer(lab: Lab, ns: Netns, input: Omit<ServerInput, 'role'>): Promise<Spawned> {
  const child = lab.spawnNode(ns, CHILD, { role: 'server', ...input }, { timeoutMs: 30_000 });
  await child.waitForLine(isEventLine('ready'), WAIT_MS);
  return child;
}

/** tshark in `ns` capturing the first UDP datagram to `port` on `ifname`; resolves once it is capturing. */
async function startCapture(lab: Lab, ns: Netns, ifname: string, port: number, file: string): Promise<Spawned> {
  const args = ['-i', ifname, '-f', `udp dst port ${port}`, '-c', '1', '-a', 'duration:12', '-w', file, '-q'];
  const cap = lab.spawn(ns, 'tshark', args, { timeoutMs: 30_000 });
  await waitForLog(cap, /Capturing on/, { name: 'tshark stderr' });
  return cap;
}

/** eth.dst, ip.dst, udp.dstport of each packet in a capture file. */
async function readCapture(lab: Lab, ns: Netns, file: string): Promise<string[][]> {
  const run = await lab.run(ns, 'tshark', [
    '-r',
    file,
    '-T',
    'fields',
    '-e',
    'eth.dst',
    '-e',
    'ip.dst',
    '-e',
    'udp.dstport',
  ]);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
}

test('two interfaces, two subnets: each DISCOVER is placed on its interface and answered by unicast to chaddr', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const dir = mkdtempSync(join(tmpdir(), 'lh-raw-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const server = await lab.netns();
  const clientA = await lab.netns();
  const clientB = await lab.netns();
  const [, cliA] = await lab.veth(server, clientA, { aIf: 'srv0', bIf: 'cli0', aAddr: '192.0.2.1/24' });
  const [, cliB] = await lab.veth(server, clientB, { aIf: 'srv1', bIf: 'cli0', aAddr: '198.51.100.1/24' });

  const srv = await startServer(lab, server, {
    ifnames: ['srv0', 'srv1'],
    subnets: SUBNETS,
    port: 67,
    offers: { srv0: '192.0.2.50', srv1: '198.51.100.50' },
    answers: 2,
    graceMs: 300,
  });
  const capA = join(dir, 'a.pcap');
  const capture = await startCapture(lab, clientA, 'cli0', 68, capA);
  const [{ result: a }, { result: b }] = await Promise.all([
    lab.runNode<FrameClientResult>(clientA, CHILD, {
      role: 'frame-client',
      ifname: 'cli0',
      port: 67,
      xid: 0xa1,
      waitMs: 5000,
    }),
    lab.runNode<FrameClientResult>(clientB, CHILD, {
      role: 'frame-client',
      ifname: 'cli0',
      port: 67,
      xid: 0xb2,
      waitMs: 5000,
    }),
  ]);
  const { result: s } = nodeOutcome<ServerResult>(await srv.exited);
  assert.deepEqual(s.errors, []);
  assert.equal(s.kind, 'raw');
  assert.ok(s.describe.some((l) => l.startsWith('Listening on LPF/srv1/') && l.endsWith('/198.51.100.0/24')));

  // The receiving interface, index and source MAC of each request.
  const byXid = new Map(s.received.map((r) => [r.xid, r]));
  const ra = byXid.get(0xa1);
  const rb = byXid.get(0xb2);
  assert.deepEqual([ra?.iface, ra?.sourceMac, ra?.sourceAddress, ra?.sourcePort], ['srv0', cliA.mac, '0.0.0.0', 68]);
  assert.deepEqual([rb?.iface, rb?.sourceMac, rb?.sourceAddress, rb?.sourcePort], ['srv1', cliB.mac, '0.0.0.0', 68]);
  assert.equal(ra?.destinationAddress, '255.255.255.255');
  assert.ok((ra?.ifindex ?? 0) > 0 && ra?.ifindex !== rb?.ifindex);
  assert.deepEqual(
    s.replies.map((r) => r.destination),
    ['link', 'link'],
  );

  // Each client got a frame to its own MAC (not broadcast) and IP destination yiaddr, from its subnet's server.
  for (const [c, mac, yiaddr, serverIp] of [
    [a, cliA.mac, '192.0.2.50', '192.0.2.1'],
    [b, cliB.mac, '198.51.100.50', '198.51.100.1'],
  ] as const) {
    assert.equal(c.ownMac, mac);
    assert.deepEqual(c.reply, {
      dstMac: mac,
      srcMac: c.reply?.srcMac,
      srcIp: serverIp,
      dstIp: yiaddr,
      srcPort: 67,
      dstPort: 68,
      yiaddr,
      op: 2,
    });
    assert.notEqual(c.reply?.dstMac, 'ff:ff:ff:ff:ff:ff');
  }

  // The capture in client A's namespace saw the same unicast on the wire.
  const run = await capture.exited;
  assert.equal(run.timedOut, false, run.stderr);
  assert.deepEqual(await readCapture(lab, clientA, capA), [[cliA.mac, '192.0.2.50', '68']]);
});

test('replies to ciaddr and to a routed relay go through the kernel; each request is delivered once', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const server = await lab.netns();
  const peer = await lab.netns();
  const [, cli] = await lab.veth(server, peer, {
    aIf: 'srv0',
    bIf: 'cli0',
    aAddr: '192.0.2.1/24',
    bAddr: '192.0.2.7/24',
  });
  // The relay's giaddr lies on a network behind 192.0.2.7: only the kernel's routing table knows the way.
  await lab.addAddress(peer, 'lo', '203.0.113.1/32');
  await lab.ip(['-n', server.name, 'route', 'add', '203.0.113.0/24', 'via', '192.0.2.7']);

  const srv = await startServer(lab, server, {
    ifnames: ['srv0'],
    subnets: ['192.0.2.0/24', '203.0.113.0/24'],
    port: 67,
    offers: { srv0: '192.0.2.60' },
    answers: 2,
    graceMs: 500,
  });
  const renew = await lab.runNode<UdpClientResult>(peer, CHILD, {
    role: 'udp-client',
    bindAddress: '192.0.2.7',
    bindPort: 68,
    server: '192.0.2.1',
    port: 67,
    xid: 0xc3,
    ciaddr: '192.0.2.7',
    waitMs: 4000,
  });
  const relay = await lab.runNode<UdpClientResult>(peer, CHILD, {
    role: 'udp-client',
    bindAddress: '0.0.0.0',
    bindPort: 67,
    server: '192.0.2.1',
    port: 67,
    xid: 0xd4,
    giaddr: '203.0.113.1',
    waitMs: 4000,
  });
  const { result: s } = nodeOutcome<ServerResult>(await srv.exited);
  assert.deepEqual(s.errors, []);
  assert.deepEqual(
    s.replies.map((r) => [r.xid, r.destination]),
    [
      [0xc3, 'client'],
      [0xd4, 'relay'],
    ],
  );
  assert.deepEqual(renew.result.reply, { from: '192.0.2.1', fromPort: 67, yiaddr: '192.0.2.60', op: 2 });
  assert.deepEqual(relay.result.reply, { from: '192.0.2.1', fromPort: 67, yiaddr: '192.0.2.60', op: 2 });
  // Unicast requests reach both the packet socket and the fallback UDP socket; only the first delivers.
  const sent = renew.result.sent + relay.result.sent;
  assert.equal(s.received.length, sent, 'one delivery per datagram sent');
  for (const r of s.received) {
    assert.deepEqual([r.raw, r.iface, r.sourceMac, r.destinationAddress], [true, 'srv0', cli.mac, '192.0.2.1']);
  }
});

test('unprivileged: the server says once that packet sockets are not permitted and serves on UDP sockets', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const server = await lab.netns();
  const client = await lab.netns();
  await lab.veth(server, client, { aIf: 'srv0', bIf: 'cli0', aAddr: '192.0.2.1/24' });

  // -p 6767 as a test run would: an unprivileged process may bind it, and answers go to 6768.
  const srv = await startServer(lab, server, {
    ifnames: ['srv0'],
    subnets: ['192.0.2.0/24'],
    port: 6767,
    offers: { srv0: '192.0.2.70' },
    answers: 1,
    graceMs: 200,
    unprivileged: true,
  });
  const { result: c } = await lab.runNode<FrameClientResult>(client, CHILD, {
    role: 'frame-client',
    ifname: 'cli0',
    port: 6767,
    xid: 0xe5,
    waitMs: 5000,
  });
  const { result: s } = nodeOutcome<ServerResult>(await srv.exited);
  assert.deepEqual(s.errors, []);
  assert.equal(s.kind, 'udp');
  assert.equal(s.log.length, 1);
  assert.match(
    s.log[0] ?? '',
    /^packet sockets not permitted \(raw packet sockets need root or CAP_NET_RAW \(.*EPERM.*\)\); serving on UDP sockets: relayed clients and broadcast replies only$/,
  );
  assert.deepEqual(
    s.received.map((r) => [r.raw, r.iface, r.sourceAddress]),
    [[false, 'srv0', '0.0.0.0']],
  );
  // UDP sockets cannot reach a hardware address: the `link` reply became a broadcast on the interface.
  assert.deepEqual(
    [c.reply?.dstMac, c.reply?.dstIp, c.reply?.srcIp, c.reply?.srcPort, c.reply?.dstPort, c.reply?.yiaddr],
    ['ff:ff:ff:ff:ff:ff', '255.255.255.255', '192.0.2.1', 6767, 6768, '192.0.2.70'],
  );
});
