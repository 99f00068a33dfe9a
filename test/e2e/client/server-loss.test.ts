// Server loss, checked from a capture (tshark on srv0 in the server namespace), with 16 s leases from ISC dhcpd
// (T1 9 s, T2 14 s, the client's defaults):
//   1. unicast to the server is dropped: the renewal at T1 goes nowhere, the client rebinds by broadcast at T2
//      (ciaddr set) and dhcpd answers (REBIND);
//   2. then dhcpd stops: the next renewal and rebinding go unanswered, the address stays until expiry, then
//      EXPIRE, and DISCOVERs follow with RFC 2131's backoff (4 s, then 8 s, each +-1 s).
// Why the drop is in the client's namespace (an nftables output rule): dhcpd reads through a packet socket,
// which sees frames before netfilter in the server's namespace does, so a rule there could not hide a unicast
// REQUEST from it. The client's unicast goes through its IP stack (a UDP socket), its broadcasts do not.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_SCRIPT } from '../../../src/client/default-script.js';
import { createLab, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import {
  addressesAndRoute,
  DHCPD,
  dhcpdConf,
  privateResolvConf,
  reasons,
  requireBinary,
  startClient,
  startDhcpd,
  tempDir,
  topology,
  waitFor,
} from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const TSHARK = '/usr/bin/tshark';
const NFT = '/usr/sbin/nft';

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

test('server loss: rebind by broadcast at T2, then EXPIRE and DISCOVER with RFC 2131 backoff', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD) || !requireBinary(t, TSHARK) || !requireBinary(t, NFT)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const tshark = lab.spawn(
    server,
    TSHARK,
    ['-i', 'srv0', '-l', '-n', '-f', 'udp port 67 or udp port 68', '-T', 'fields'].concat(
      ['frame.time_epoch', 'ip.src', 'ip.dst', 'dhcp.option.dhcp', 'dhcp.ip.client'].flatMap((f) => ['-e', f]),
    ),
    { timeoutMs: 90_000 },
  );
  await waitFor(() => (/Capturing on/.test(tshark.stderr()) ? true : undefined), 15_000, 'tshark capturing');
  const srv = await startDhcpd(lab, server, dir, dhcpdConf(16));
  const script = join(dir, 'script.sh');
  writeFileSync(script, `#!/bin/sh\necho "$reason" >> "${dir}/reasons"\n${DEFAULT_SCRIPT}`, { mode: 0o755 });
  privateResolvConf(dir);
  const proc = startClient(lab, client, { dir, script, privateEtc: true });
  const fail = async (e: unknown): Promise<never> => {
    const r = await proc.stop(500);
    const cap = await tshark.stop(1000);
    throw new Error(`${(e as Error).message}\n--- client\n${r.stderr}\n--- capture\n${cap.stdout}`);
  };
  try {
    const bound = await waitFor(() => /bound to (\S+) -- renewal/.exec(proc.stderr())?.[1], 20_000, 'bound');
    for (const rule of [
      ['add', 'table', 'ip', 'lhloss'],
      ['add', 'chain', 'ip', 'lhloss', 'out', '{ type filter hook output priority 0; }'],
      ['add', 'rule', 'ip', 'lhloss', 'out', 'ip', 'daddr', '192.0.2.1', 'udp', 'dport', '67', 'drop'],
    ]) {
      const r = await lab.run(client, NFT, rule);
      assert.equal(r.code, 0, r.stderr);
    }
    // Phase 1: REBIND answered after the dropped renewal.
    await waitFor(() => (reasons(dir).includes('REBIND') ? true : undefined), 20_000, 'REBIND');
    await srv.stop(2000);
    // Phase 2: the address is kept while renewing/rebinding fails, then EXPIRE and DISCOVERs.
    await waitFor(
      () => /DHCPREQUEST for \S+ on ep0 to 255\.255\.255\.255/.test(tail(proc.stderr())) || undefined,
      20_000,
      'unanswered rebinding',
    );
    const still = await addressesAndRoute(lab, client);
    assert.match(still.addr, new RegExp(`inet ${bound.replaceAll('.', '\\.')}/24`), 'kept until expiry');
    await waitFor(() => (reasons(dir).includes('EXPIRE') ? true : undefined), 10_000, 'EXPIRE');
    // Counted in the capture (the client logs a DISCOVER just before sending it).
    await waitFor(
      () => {
        const cap = parseCapture(tshark.stdout());
        const lastAck = cap.filter((c) => c.type === 5).at(-1)?.t ?? 0;
        return cap.filter((c) => c.type === 1 && c.t > lastAck).length >= 3 || undefined;
      },
      20_000,
      'three DISCOVERs after expiry',
    );
    const gone = await addressesAndRoute(lab, client);
    assert.doesNotMatch(gone.addr, /192\.0\.2\.1\d\d/, 'the address is removed at EXPIRE');
    await proc.stop(2000);
    const cap = parseCapture((await tshark.stop(2000)).stdout);
    const requests = cap.filter((c) => c.type === 3 && c.ciaddr === bound);
    // The server never saw a unicast REQUEST (dropped at the client), only broadcast ones.
    assert.ok(requests.length >= 2, `rebinding REQUESTs in the capture:\n${JSON.stringify(cap)}`);
    for (const r of requests) {
      assert.equal(r.dst, '255.255.255.255', 'rebinding is broadcast');
      assert.equal(r.src, bound, 'from the leased address, as ISC sends it');
    }
    const acks = cap.filter((c) => c.type === 5);
    assert.ok(acks.length >= 2, 'the first ACK and the REBIND ACK');
    // DISCOVERs after expiry: RFC 2131 4.1 backoff, 4 s then 8 s (+-1 s).
    const lastAck = acks.at(-1)!.t;
    const discovers = cap.filter((c) => c.type === 1 && c.t > lastAck).map((c) => c.t);
    assert.ok(discovers.length >= 3, `DISCOVERs after expiry: ${discovers.length}`);
    const gaps = [discovers[1]! - discovers[0]!, discovers[2]! - discovers[1]!];
    assert.ok(gaps[0]! >= 2.9 && gaps[0]! <= 5.1, `first interval ${gaps[0]} s`);
    assert.ok(gaps[1]! >= 6.9 && gaps[1]! <= 9.1, `second interval ${gaps[1]} s`);
    // Rebinding started at T2 = 14 s after the binding it renewed.
    const firstAck = acks[0]!.t;
    const firstRebind = requests[0]!.t;
    assert.ok(Math.abs(firstRebind - firstAck - 14) < 1.5, `rebinding at ${firstRebind - firstAck} s after the ACK`);
  } catch (e) {
    await fail(e);
  }
});

/** The client's log since the last binding (REBIND), so earlier lines do not satisfy later waits. */
function tail(text: string): string {
  const i = text.lastIndexOf('bound to ');
  return i < 0 ? text : text.slice(i);
}
