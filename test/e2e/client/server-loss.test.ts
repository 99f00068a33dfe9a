// Server loss and re-acquisition, one scenario for the four servers (ISC dhcpd, Kea, dnsmasq, Leasehold's own),
// run concurrently (each in namespaces of its own), checked from the client's script and a capture on srv0:
//   1. bound; then unicast to the server is dropped: the renewal at T1 goes nowhere, the client rebinds by
//      broadcast at T2 (from the leased address, ciaddr set) and the server answers: REBIND, same address;
//   2. the server stops: the next renewal and rebinding go unanswered, the address stays until expiry, then
//      EXPIRE removes it and DISCOVERs follow with RFC 2131's backoff (4 s, then 8 s, each +-1 s);
//   3. the server starts again (with the lease file it left) after the second DISCOVER: the third gets an
//      answer, BOUND, the address and the default route are back on ep0.
// Why the drop is in the client's namespace (an nftables output rule): the servers read through packet sockets,
// which see frames before netfilter in the server's namespace does, so a rule there could not hide a unicast
// REQUEST from them. The client's unicast goes through its IP stack (a UDP socket), its broadcasts do not.
// Lease times are 12 s (T1 6-7 s, T2 10 s). dnsmasq will not lease for less than two minutes (it raises
// shorter times to 120 s), so its row tells the client 12 s with `supersede` in dhclient.conf (harness.ts
// serverPeers): dnsmasq still holds the address for 120 s, which only means it must remember the client after
// its restart (it does, from its lease file).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import {
  addressesAndRoute,
  configured,
  countEvents as count,
  privateResolvConf,
  readIfExists,
  recordingScript,
  requireBinary,
  type ServerPeer,
  scriptEvents,
  serialized,
  serverPeers,
  startClient,
  tempDir,
  topology,
  untilLinkState,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const TSHARK = '/usr/bin/tshark';
const NFT = '/usr/sbin/nft';
const LEASE = 12;

interface Captured {
  t: number;
  src: string;
  dst: string;
  type: number;
  ciaddr: string;
}

function parseCapture(text: string): Captured[] {
  return text
    .split('\n')
    .map((l) => l.split('\t'))
    .filter((f) => f.length >= 5 && f[3] !== '')
    .map(([t, src, dst, type, ciaddr]) => ({
      t: Number(t),
      src: src ?? '',
      dst: dst ?? '',
      type: Number(type),
      ciaddr: ciaddr ?? '',
    }));
}

async function nft(lab: Lab, ns: Netns, rules: string[][]): Promise<void> {
  for (const rule of rules) {
    const r = await lab.run(ns, NFT, rule);
    assert.equal(r.code, 0, r.stderr);
  }
}

const DROP_UNICAST = [
  ['add', 'table', 'ip', 'lhloss'],
  ['add', 'chain', 'ip', 'lhloss', 'out', '{ type filter hook output priority 0; }'],
  ['add', 'rule', 'ip', 'lhloss', 'out', 'ip', 'daddr', '192.0.2.1', 'udp', 'dport', '67', 'drop'],
];

async function serverLoss(t: TestContext, peer: ServerPeer): Promise<void> {
  if (!requireRoot(t) || !requireBinary(t, peer.binary) || !requireBinary(t, TSHARK) || !requireBinary(t, NFT)) {
    return;
  }
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await serialized(() => topology(lab));
  const tshark = lab.spawn(
    server,
    TSHARK,
    ['-i', 'srv0', '-l', '-n', '-f', 'udp port 67 or udp port 68', '-T', 'fields'].concat(
      ['frame.time_epoch', 'ip.src', 'ip.dst', 'dhcp.option.dhcp', 'dhcp.ip.client'].flatMap((f) => ['-e', f]),
    ),
    { timeoutMs: 120_000 },
  );
  await waitForLog(tshark, /Capturing on/, { name: 'tshark stderr' });
  let srv = await peer.start(lab, server, dir, false);
  const script = recordingScript(dir);
  let conf: string | undefined;
  if (peer.clientConf !== undefined) {
    conf = join(dir, 'dhclient.conf');
    writeFileSync(conf, peer.clientConf);
  }
  privateResolvConf(dir);
  const proc = startClient(lab, client, {
    dir,
    script,
    privateEtc: true,
    oneTry: false,
    timeoutMs: 110_000,
    ...(conf !== undefined ? { conf } : {}),
  });
  const servers: string[] = [];
  try {
    // 1. Bound, then the server becomes unreachable by unicast: REBIND by broadcast at T2, same address.
    await waitFor(() => count(dir, 'BOUND') >= 1, { what: 'BOUND' });
    const first = scriptEvents(dir).find((e) => e.reason === 'BOUND')!;
    const bound = first.address;
    const re = bound.replaceAll('.', '\\.');
    await untilLinkState(lab, client, configured(bound), 'address and default route after BOUND');
    assert.equal(first.lease, LEASE, 'the lease time the script sees');
    await nft(lab, client, DROP_UNICAST);
    await waitFor(() => count(dir, 'REBIND') >= 1, { what: 'REBIND' });
    const rebind = scriptEvents(dir).find((e) => e.reason === 'REBIND')!;
    assert.equal(rebind.address, bound, 'the lease is kept: same address');
    assert.equal(rebind.old, bound);
    assert.ok(count(dir, 'RENEW') === 0, 'no renewal got through');

    // 2. The server stops: unanswered renewing and rebinding, address kept until expiry, then EXPIRE.
    // The REBIND's own "bound to" line (the second), which may reach this process after the script's event.
    const { end: rebound } = await waitForLog(proc, /bound to /, { count: 2, name: 'client stderr' });
    servers.push(`${(await srv.stop(2000)).stderr}${srv.stdout()}`);
    await waitForLog(proc, /DHCPREQUEST for \S+ on ep0 to 255\.255\.255\.255/, {
      from: rebound,
      name: 'client stderr',
    });
    const still = await addressesAndRoute(lab, client);
    assert.match(still.addr, new RegExp(`inet ${re}/24 `), 'kept until expiry');
    await waitFor(() => count(dir, 'EXPIRE') >= 1, { what: 'EXPIRE' });
    await untilLinkState(lab, client, (s) => !/192\.0\.2\.1\d\d/.test(s.addr), 'the address is removed at EXPIRE');

    // 3. Two DISCOVERs into the void, then the server comes back (and unicast with it) for the third.
    // Every DISCOVER since the REBIND binding comes after expiry.
    await waitForLog(proc, /DHCPDISCOVER/, { from: rebound, count: 2, name: 'client stderr' });
    await nft(lab, client, [['delete', 'table', 'ip', 'lhloss']]);
    srv = await peer.start(lab, server, dir, true);
    await waitFor(() => count(dir, 'BOUND') >= 2, { timeoutMs: 25_000, what: 'BOUND again' });
    const again = scriptEvents(dir).filter((e) => e.reason === 'BOUND')[1]!;
    await untilLinkState(lab, client, configured(again.address), 'address and default route after BOUND again');
    assert.deepEqual(
      scriptEvents(dir).map((e) => e.reason),
      ['PREINIT', 'BOUND', 'REBIND', 'EXPIRE', 'PREINIT', 'BOUND'],
    );

    // The wire: rebinding was broadcast from the leased address at T2 and answered; DISCOVER backoff.
    const r = await proc.stop(2000);
    assert.equal(r.code, 0, r.stderr);
    servers.push(`${(await srv.stop(2000)).stderr}${srv.stdout()}`);
    const cap = parseCapture((await tshark.stop(2000)).stdout);
    const requests = cap.filter((c) => c.type === 3 && c.ciaddr === bound);
    assert.ok(requests.length >= 2, `rebinding REQUESTs in the capture:\n${JSON.stringify(cap)}`);
    for (const q of requests) {
      assert.equal(q.dst, '255.255.255.255', 'rebinding is broadcast');
      assert.equal(q.src, bound, 'from the leased address, as ISC sends it');
    }
    const acks = cap.filter((c) => c.type === 5);
    const firstAck = acks[0]!.t;
    const answered = acks.find((a) => a.t > requests[0]!.t);
    assert.ok(answered && answered.t - requests[0]!.t < 1, 'the server answered the first rebinding REQUEST');
    // ISC dhcpd sends no T2 (option 59): the client takes 7/8 of the lease.
    const t2 = Number.isFinite(first.rebind) ? first.rebind : Math.floor((LEASE * 7) / 8);
    // Where each server sends its answer to a rebinding REQUEST (RFC 2131 4.1: to ciaddr) is worth seeing.
    const sentT2 = Number.isFinite(first.rebind) ? 'sent' : 'computed';
    t.diagnostic(`${peer.name}: rebinding ACK ${answered.src} -> ${answered.dst}, T2 ${t2} s (${sentT2})`);
    const at = requests[0]!.t - firstAck;
    assert.ok(Math.abs(at - t2) < 1.5, `rebinding at ${at} s after the ACK, T2 = ${t2} s`);
    const lastLossAck = answered.t;
    const discovers = cap.filter((c) => c.type === 1 && c.t > lastLossAck + 5).map((c) => c.t);
    assert.ok(discovers.length >= 3, `DISCOVERs after expiry: ${discovers.length}\n${JSON.stringify(cap)}`);
    const gaps = [discovers[1]! - discovers[0]!, discovers[2]! - discovers[1]!];
    assert.ok(gaps[0]! >= 2.9 && gaps[0]! <= 5.1, `first interval ${gaps[0]} s`);
    assert.ok(gaps[1]! >= 6.9 && gaps[1]! <= 9.1, `second interval ${gaps[1]} s`);
  } catch (e) {
    const r = await proc.stop(500);
    const last = await srv.stop(500);
    const cap = await tshark.stop(1000);
    throw new Error(
      `${(e as Error).message}\n--- client\n${r.stderr}\n--- ${peer.name}\n${servers.join('\n')}${last.stderr}${last.stdout}` +
        `\n--- script events\n${readIfExists(join(dir, 'events')) ?? ''}\n--- capture\n${cap.stdout}`,
    );
  }
}

// Concurrent: each server has namespaces of its own, and the scenario is mostly waiting for lease timers.
describe(
  'server loss: rebind by broadcast at T2, EXPIRE, DISCOVER backoff, re-acquisition',
  { concurrency: true },
  () => {
    for (const peer of serverPeers(LEASE)) it(peer.name, (t) => serverLoss(t, peer));
  },
);
