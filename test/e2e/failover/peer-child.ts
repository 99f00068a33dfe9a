// A failover relationship with an in-memory lease side (the unit simulation's MemoryLeases), run inside a test
// namespace against a real partner: the protocol end to end (wire, handshake, states, binding updates) without
// the DHCP server around it. Logs the relationship's lines on stderr; emits `ready` once listening, and
// `leases` (what the partner sent) when asked by SIGUSR2... simpler: emits `state` on every change of states.

import { FailoverLink } from '../../../src/failover/daemon-link.js';
import { makeHba } from '../../../src/failover/load-balance.js';
import { Relationship } from '../../../src/failover/relationship.js';
import { failoverStateName } from '../../../src/failover/wire.js';
import { MemoryLeases } from '../../unit/failover/pair-sim.js';
import { emit, runChild } from '../lib/child.js';

export interface PeerInput {
  role: 'primary' | 'secondary';
  address: string;
  peerAddress: string;
  port: number;
  mclt: number;
  /** Leases to announce once NORMAL: [ip as number, binding status, ends]. */
  announce?: [number, number, number][];
  runMs: number;
}

async function main(input: PeerInput): Promise<{ received: [number, number][] }> {
  const leases = new MemoryLeases();
  const rel = new Relationship(
    {
      name: 'pair',
      role: input.role,
      mclt: input.role === 'primary' ? input.mclt : 0,
      ...(input.role === 'primary' ? { hba: makeHba(128) } : {}),
      maxUnackedUpdates: 10,
      maxResponseDelay: 30,
      autoPartnerDown: 0,
      vendorClass: 'leasehold-test',
    },
    leases,
    Date.now() / 1000,
  );
  let last = '';
  let announced = false;
  const link: FailoverLink = new FailoverLink({
    relationship: rel,
    listen: { address: input.address, port: input.port },
    peer: { address: input.peerAddress, port: input.port },
    clock: Date.now,
    log: (level, text) => process.stderr.write(`${level}: ${text}\n`),
    persist: async () => undefined,
    durable: async () => undefined,
    changed: () => {
      const now = `${failoverStateName(rel.me.state)}/${failoverStateName(rel.partner.state)}`;
      if (now !== last) {
        last = now;
        emit('state', { me: failoverStateName(rel.me.state), partner: failoverStateName(rel.partner.state) });
      }
      if (!announced && rel.me.state === 2 && input.announce !== undefined) {
        announced = true;
        for (const [ip, status, ends] of input.announce) {
          leases.leases.set(ip, { status, ends, chaddr: new Uint8Array([0x52, 0x54, 0, 0, 0, ip & 255]) });
          setImmediate(() => link.queueUpdate(ip));
        }
      }
    },
  });
  await link.start();
  emit('ready');
  await new Promise<void>((resolve) => {
    setTimeout(resolve, input.runMs).unref();
    process.once('SIGTERM', () => resolve());
  });
  await link.stop();
  return { received: [...leases.leases].map(([ip, l]) => [ip, l.status]) };
}

runChild(main, 120_000);
