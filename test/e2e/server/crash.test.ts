// Crash test: many clients (a relay-agent load generator) acquire leases while the server is killed
// with SIGKILL at random moments; after each restart every lease a client received a DHCPACK for is in
// dhcpd.leases, active, for that client — and the client is offered that same address again.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseLeasesBytes } from '../../../src/leases/reader.js';
import { macToString, parseIpv4 } from '../../../src/wire/index.js';
import { parseEvents } from '../lib/child.js';
import { createLab, nodeOutcome, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import { waitFor } from '../lib/wait.js';
import { SERVER_ADDR, seedServerConf, serverFiles, startLeasehold, tempDir, topology, UDP_ONLY } from './harness.js';
import type { RelayInput, RelayResult } from './relay-child.js';

const CHILD = fileURLToPath(new URL('./relay-child.js', import.meta.url));
const RELAY_ADDR = '192.0.2.2';
const ROUNDS = 3;
const PER_ROUND = 25;

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

// A reply ends an exchange's wait at once; a second per try leaves room for an ACK's fsync on a busy disk.
function relayInput(macs: string[], mode: RelayInput['mode']): RelayInput {
  return { server: SERVER_ADDR, giaddr: RELAY_ADDR, macs, mode, concurrency: 4, timeoutMs: 1000, tries: 2 };
}

test('SIGKILL at random moments loses no acknowledged lease', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  await lab.addAddress(client, 'ep0', `${RELAY_ADDR}/24`);
  // ping-check holds each OFFER a second: off here, so that the load generator's retries are about loss only.
  const files = serverFiles(dir, `${seedServerConf()}\nping-check false;\n`);
  const acked = new Map<string, string>();

  for (let round = 0; round < ROUNDS; round++) {
    // Odd rounds run ISC's socket mode (UDP), even ones packet sockets: both paths, one lease file.
    const srv = await startLeasehold(lab, server, files, [], round % 2 === 1 ? UDP_ONLY : undefined);
    const macs = Array.from(
      { length: PER_ROUND },
      (_, i) => `02:00:00:0${round}:00:${i.toString(16).padStart(2, '0')}`,
    );
    const killAfter = 1 + Math.floor(Math.random() * (PER_ROUND - 5));
    t.diagnostic(`round ${round}: SIGKILL at the ACK #${killAfter}`);
    // The generator kills the server itself the moment that ACK arrives: the tightest window there is
    // between a reply leaving and its lease reaching the disk.
    const input = { ...relayInput(macs, 'dora'), killPid: srv.pid, killAfterAcks: killAfter };
    const gen = lab.spawnNode(client, CHILD, input, { timeoutMs: 30_000 });
    await waitFor(() => srv.process.exitCode !== null || srv.process.signalCode !== null, {
      what: 'the kill',
      seen: () => `--- load generator\n${gen.stdout()}${gen.stderr()}\n--- server\n${srv.stderr()}`,
    });
    const killed = await srv.exited;
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const { result } = nodeOutcome<RelayResult>(await gen.exited);
    // Every ACK event the generator printed is in its result too.
    for (const e of parseEvents(gen.stdout()).filter((ev) => ev.event === 'ack')) {
      const { mac, address } = e.data as { mac: string; address: string };
      assert.equal(result.got[mac], address);
    }
    assert.ok(Object.keys(result.got).length >= killAfter);
    for (const [mac, address] of Object.entries(result.got)) acked.set(mac, address);
  }

  // Restart: the start-up loads (and rewrites) the file; every acknowledged lease must be there.
  const srv = await startLeasehold(lab, server, files);
  const parsed = parseLeasesBytes(new Uint8Array(readFileSync(files.leases)), files.leases);
  assert.equal(parsed.error, undefined);
  for (const [mac, address] of acked) {
    const lease = parsed.leases.get(parseIpv4(address) ?? -1);
    assert.ok(lease, `ACKed lease ${address} for ${mac} missing from dhcpd.leases`);
    assert.equal(lease.bindingState, 'active', `${address} for ${mac}`);
    assert.equal(lease.hardware ? macToString(lease.hardware.address) : '', mac);
  }
  // And honoured: each client is offered the address it was acknowledged.
  const again = await lab.runNode<RelayResult>(client, CHILD, relayInput([...acked.keys()], 'discover'), {
    timeoutMs: 30_000,
  });
  for (const [mac, address] of acked) assert.equal(again.result.got[mac], address, `offer to ${mac}`);
  assert.equal((await srv.stop(5000)).code, 0);
  t.diagnostic(`${acked.size} acknowledged leases survived ${ROUNDS} SIGKILLs`);
});
