// Bad input at the relay: a seeded, paced flood of malformed and looping packets (flood-child.ts) from inside
// the client namespace, while ISC dhclient gets an address through `leasehold relay -a -c 4`. The relay
// keeps forwarding the good client, forwards what ISC's rules forward (garbage option 82 replaced, a request
// just under the hop limit), drops the rest, logs each drop cause once (not per packet) and reports the
// counts at SIGTERM.

import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isEventLine } from '../lib/child.js';
import { createLab, nodeOutcome, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitForLog } from '../lib/wait.js';
import { requireTool, serverFiles, startDhclient, startLeasehold, tempDir } from '../server/harness.js';
import {
  DROPPED_KINDS,
  type FloodInput,
  type FloodKind,
  type FloodResult,
  FORWARDED_KINDS,
  floodMac,
} from './flood-child.js';
import {
  clientConf,
  RELAY_DOWN,
  RELAY_UP,
  relayedConf,
  relayTopology,
  SERVER,
  startLeaseholdRelay,
} from './harness.js';

const FLOOD = fileURLToPath(new URL('./flood-child.js', import.meta.url));

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

/** Each drop cause, and the kinds of packet that cause it. */
const DROPPED: Record<string, FloodKind[]> = {
  'bad-packet': ['truncated'],
  'bad-hlen': ['hlen'],
  'hop-limit': ['hops'],
  'option-overrun': ['oversized'],
  'bogus-giaddr': ['bogus-reply', 'bogus-reply-82'],
};
/** Counted without a drop of their own (the replies are then dropped as bogus-giaddr). */
const NOTED: Record<string, FloodKind[]> = {
  'missing-agent-option': ['bogus-reply', 'bogus-reply-82'],
  'corrupt-agent-option': ['bogus-reply-82'],
  'bad-circuit-id': ['bogus-reply-82'],
  'missing-circuit-id': ['bogus-reply-82'],
};

/** "Dropped 12 packets: a 3, b 9." or "Counted: a 3, b 9." -> { a: 3, b: 9 } */
function counts(log: string, head: RegExp): Map<string, number> {
  const line = log.split('\n').find((l) => head.test(l)) ?? '';
  const list = line.slice(line.indexOf(':') + 1).replace(/\.$/, '');
  const out = new Map<string, number>();
  for (const part of list.split(',')) {
    const m = /^\s*(\S+) (\d+)$/.exec(part);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

test('a flood of malformed and looping packets leaves leasehold relay forwarding a good client', async (t) => {
  if (!requireRoot(t) || !requireTool(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const net = await relayTopology(lab);
  // The flood needs an address to send from; dhclient does not mind one being there.
  await lab.addAddress(net.client, 'ep0', '192.0.2.3/24');
  const srv = await startLeasehold(lab, net.server, serverFiles(dir, relayedConf()));
  const relay = await startLeaseholdRelay(lab, net.relay, ['-a', '-c', '4']);
  const seed = Math.floor(Math.random() * 2 ** 31);
  t.diagnostic(`flood seed ${seed}`);
  const input: FloodInput = {
    seed,
    count: 3000,
    forwarded: 10,
    burst: 50,
    pauseMs: 40,
    maxHops: 4,
    relayAddresses: [RELAY_DOWN, RELAY_UP],
    targets: [RELAY_DOWN, '192.0.2.255'],
  };
  const flood = lab.spawnNode(net.client, FLOOD, input, { timeoutMs: 45_000 });
  await flood.waitForLine(isEventLine('flooding'), 20_000);

  // A good client, while the flood goes on.
  const dhc = startDhclient(lab, net.client, dir, 'good', { conf: clientConf(dir) });
  const bound = await dhc.waitFor('BOUND', 30_000);
  await dhc.stop();
  const address = bound.get('new_ip_address') ?? '';
  assert.match(address, /^192\.0\.2\.1\d\d$/);
  const { result } = nodeOutcome<FloodResult>(await flood.exited);
  t.diagnostic(`sent ${JSON.stringify(result.sent)}, send errors ${result.sendErrors}`);
  assert.equal(result.sendErrors, 0);
  assert.equal(relay.process.exitCode, null, 'the relay still runs');
  await waitForLog(relay, `Forwarded BOOTREPLY for ${net.clientMac} to ${address}`);
  // What ISC forwards is forwarded: option 82 garbage replaced by ours (-m replace), hops one under -c.
  for (const kind of FORWARDED_KINDS) {
    await waitForLog(relay, `Forwarded BOOTREQUEST for ${floodMac(kind)} to ${SERVER}`);
  }
  // Each drop cause said once (its first packet); the relay may still be reading the flood.
  for (const cause of Object.keys(DROPPED)) {
    await waitForLog(
      relay,
      new RegExp(`^Discarding packet: .* \\(${cause}\\); further ones are counted, not logged\\.$`),
    );
  }

  const stopped = await relay.stop(5000);
  assert.equal(stopped.code, 0, stopped.stderr);
  const log = stopped.stderr;
  const discards = log.split('\n').filter((l) => l.startsWith('Discarding packet'));
  for (const d of discards) t.diagnostic(d);
  assert.equal(
    discards.length,
    Object.keys(DROPPED).length,
    `one line per cause, not per packet:\n${discards.join('\n')}`,
  );
  assert.ok(log.split('\n').length < 200, `a few lines, not one per packet (${log.split('\n').length})`);

  // The counts at SIGTERM: every cause, at most as many as were sent of its kinds (a busy machine may lose
  // some of the flood before the relay reads it; none is counted twice).
  const sent = (kinds: FloodKind[]) => kinds.reduce((n, k) => n + (result.sent[k] ?? 0), 0);
  const dropped = counts(log, /^Dropped \d+ packets: /);
  const noted = counts(log, /^Counted: /);
  t.diagnostic(`dropped ${JSON.stringify([...dropped])}; counted ${JSON.stringify([...noted])}`);
  assert.deepEqual([...dropped.keys()].sort(), Object.keys(DROPPED).sort(), 'no other drop cause');
  for (const [table, got] of [
    [DROPPED, dropped],
    [NOTED, noted],
  ] as const) {
    for (const [cause, kinds] of Object.entries(table)) {
      const n = got.get(cause) ?? 0;
      assert.ok(n >= 1 && n <= sent(kinds), `${cause}: ${n} counted, ${sent(kinds)} sent`);
    }
  }
  // Nothing dropped or looping went on: no forward for those kinds' hardware addresses, either way.
  for (const kind of DROPPED_KINDS) {
    assert.doesNotMatch(log, new RegExp(`Forwarded BOOT(REQUEST|REPLY) for ${floodMac(kind)}`), kind);
  }
  assert.match(
    log,
    /^Relayed [1-9]\d* requests to servers and [1-9]\d* replies to clients; send errors: 0 to servers, 0 to clients\.$/m,
  );
  const server = await srv.stop(5000);
  assert.equal(server.code, 0, server.stderr);
});
