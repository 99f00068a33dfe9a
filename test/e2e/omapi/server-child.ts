// An OMAPI listener with the in-memory provider, run inside a test namespace by the OMAPI end-to-end tests.
// Emits `ready` with its port once listening; logs the listener's lines on stderr; runs until stopped (by PID)
// or until `runMs` has passed.

import { secretFromBase64 } from '../../../src/omapi/auth.js';
import { startOmapiListener } from '../../../src/omapi/daemon-listener.js';
import { MemoryProvider } from '../../../src/omapi/memory-provider.js';
import { emit, runChild } from '../lib/child.js';

export interface ServerInput {
  address: string;
  port: number;
  keys?: { name: string; algorithm: string; secret: string }[];
  requiredKey?: string;
  leases?: { ip: string; state: number; mac?: string; ends?: number; clientHostname?: string }[];
  maxConnections?: number;
  maxMessageBytes?: number;
  introTimeoutMs?: number;
  idleTimeoutMs?: number;
  runMs: number;
}

async function main(input: ServerInput): Promise<{ hosts: string[] }> {
  const provider = new MemoryProvider();
  for (const l of input.leases ?? []) {
    provider.addLease({
      ipAddress: Uint8Array.from(l.ip.split('.').map(Number)),
      state: l.state,
      ...(l.mac
        ? { hardwareType: 1, hardwareAddress: Uint8Array.from(l.mac.split(':').map((h) => Number.parseInt(h, 16))) }
        : {}),
      ...(l.ends !== undefined ? { ends: l.ends } : {}),
      ...(l.clientHostname !== undefined ? { clientHostname: l.clientHostname } : {}),
    });
  }
  const keys = (input.keys ?? []).map((k) => ({
    name: k.name,
    algorithm: k.algorithm,
    secret: secretFromBase64(k.secret)!,
  }));
  const listener = await startOmapiListener({
    address: input.address,
    port: input.port,
    ...(input.maxConnections !== undefined ? { maxConnections: input.maxConnections } : {}),
    tickMs: 100,
    session: {
      provider,
      keys,
      ...(input.requiredKey !== undefined ? { requiredKey: input.requiredKey } : {}),
      ...(input.maxMessageBytes !== undefined ? { limits: { maxMessageBytes: input.maxMessageBytes } } : {}),
      ...(input.introTimeoutMs !== undefined ? { introTimeoutMs: input.introTimeoutMs } : {}),
      ...(input.idleTimeoutMs !== undefined ? { idleTimeoutMs: input.idleTimeoutMs } : {}),
    },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  emit('ready', { port: listener.port });
  await new Promise<void>((resolve) => {
    setTimeout(resolve, input.runMs).unref();
    process.once('SIGTERM', () => resolve());
  });
  await listener.close();
  return { hosts: [...provider.hosts.keys()] };
}

runChild(main, 600_000);
