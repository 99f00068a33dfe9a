// The native packet layer between two namespaces joined by a veth pair: "server" (192.0.2.1/24) and "client"
// (no address, like a DHCP client before its first lease). Every socket lives in a child process inside one of
// the namespaces; this process only runs `ip`.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isEventLine } from '../lib/child.js';
import { createLab, type Lab, nodeOutcome, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { WAIT_MS } from '../lib/wait.js';
import type { ReceivedFrame } from './io-child.js';

const CHILD = fileURLToPath(new URL('./io-child.js', import.meta.url));
const SERVER_ADDR = '192.0.2.1';
const UNUSED_ADDR = '192.0.2.99';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

async function serverAndClient(lab: Lab) {
  const server = await lab.netns();
  const client = await lab.netns();
  const [srv, cli] = await lab.veth(server, client, { aIf: 'srv0', bIf: 'cli0', aAddr: `${SERVER_ADDR}/24` });
  return { server, client, srv, cli };
}

test('receives a UDP/67 frame sent from 0.0.0.0; the BPF filter drops other ports, fragments and TCP', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const { server, client } = await serverAndClient(lab);

  const recv = lab.spawnNode(
    server,
    CHILD,
    // Up to 15 s for the marker (it ends the wait): the sender is a node process started on a maybe busy machine.
    { role: 'recv', ifname: 'srv0', port: 67, otherPort: 6767, marker: 'GOOD', waitMs: 15_000, graceMs: 300 },
    { timeoutMs: 30_000 },
  );
  await recv.waitForLine(isEventLine('ready'), WAIT_MS);
  await lab.runNode(client, CHILD, {
    role: 'send',
    ifname: 'cli0',
    // The good frame goes last: by the time it arrives, the others have had their chance to slip through.
    frames: [
      { dstPort: 6767, payload: 'OTHER-PORT' },
      { dstPort: 68, payload: 'CLIENT-PORT' },
      { dstPort: 67, payload: 'FRAGMENT', variant: 'fragment' },
      { dstPort: 67, payload: 'TCP', variant: 'tcp' },
      { dstPort: 67, payload: 'GOOD' },
    ],
  });
  const { result } = nodeOutcome<{ ifindex: number; frames: ReceivedFrame[]; otherPayloads: string[] }>(
    await recv.exited,
  );
  assert.deepEqual(result.otherPayloads, ['OTHER-PORT'], 'a socket filtering on 6767 sees only its own frame');
  assert.deepEqual(
    result.frames.map((f) => [f.dstPort, f.payload]),
    [[67, 'GOOD']],
  );
  const [frame] = result.frames;
  assert.equal(frame?.ifindex, result.ifindex);
  assert.equal(frame?.checksum, 'ok', 'a frame built in TS carries a final UDP checksum');
});

test('an ARP probe from an unaddressed interface finds the peer holding the address, and nobody on a free one', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const { client, srv } = await serverAndClient(lab);

  const { result } = await lab.runNode<{ address: string; conflict: boolean; senderMac?: string }[]>(client, CHILD, {
    role: 'arp',
    ifname: 'cli0',
    addresses: [SERVER_ADDR, UNUSED_ADDR],
  });
  assert.deepEqual(
    result.map((r) => [r.address, r.conflict, r.senderMac]),
    [
      [SERVER_ADDR, true, srv.mac],
      [UNUSED_ADDR, false, undefined],
    ],
  );
});

test('ICMP echo: the peer answers, an unused address does not (raw and unprivileged-style dgram sockets)', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const { client } = await serverAndClient(lab);
  await lab.addAddress(client, 'cli0', '192.0.2.2/24');
  // Ping sockets are off in a new namespace ("1 0"); open them to every group, as Debian does on the host.
  await lab.sysctl(client, 'net.ipv4.ping_group_range', '0 2147483647');

  for (const mode of ['raw', 'dgram'] as const) {
    const { result } = await lab.runNode<{ mode: string; results: { target: string; alive: boolean }[] }>(
      client,
      CHILD,
      { role: 'ping', mode, targets: [SERVER_ADDR, UNUSED_ADDR], timeoutMs: 700 },
    );
    assert.equal(result.mode, mode);
    assert.deepEqual(
      result.results.map((r) => [r.target, r.alive]),
      [
        [SERVER_ADDR, true],
        [UNUSED_ADDR, false],
      ],
    );
  }
});

test('errors carry errno names: ENODEV for a bad interface, EPERM without privileges (and ICMP falls back)', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const { client } = await serverAndClient(lab);
  await lab.addAddress(client, 'cli0', '192.0.2.2/24');
  await lab.sysctl(client, 'net.ipv4.ping_group_range', '0 2147483647');

  const bad = await lab.runNode<{ code?: string; syscall?: string }>(client, CHILD, { role: 'bad-interface' });
  assert.equal(bad.result.code, 'ENODEV');

  const { result } = await lab.runNode<{
    availability: { available: boolean; code?: string; reason?: string };
    openCode?: string;
    pingMode: string;
    alive: boolean;
  }>(client, CHILD, { role: 'unprivileged', ifname: 'cli0', pingTarget: SERVER_ADDR });
  assert.equal(result.availability.available, false);
  assert.equal(result.availability.code, 'EPERM');
  assert.match(result.availability.reason ?? '', /root or CAP_NET_RAW/);
  assert.equal(result.openCode, 'EPERM');
  assert.deepEqual([result.pingMode, result.alive], ['dgram', true]);
});
