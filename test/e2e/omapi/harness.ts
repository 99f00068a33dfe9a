// Shared by the OMAPI end-to-end tests: start the in-memory OMAPI server (server-child.ts) inside a namespace
// and run ISC's omshell against it, scripted on stdin.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Lab, Netns } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitForLog } from '../lib/wait.js';
import type { ServerInput } from './server-child.js';

const here = dirname(fileURLToPath(import.meta.url));
export const SERVER_CHILD = join(here, 'server-child.js');
export const RAW_CLIENT_CHILD = join(here, 'raw-client-child.js');
export const OMSHELL = '/usr/bin/omshell';

export const KEY = { name: 'omkey', algorithm: 'hmac-md5', secret: 'c2VjcmV0c2VjcmV0c2VjcmV0' };
export const LEASE = { ip: '192.0.2.10', state: 2, mac: '52:54:00:12:34:56', ends: 1_700_000_000 };

/** Skips the test unless ISC's omshell is installed. */
export function requireOmshell(t: TestContext): boolean {
  if (existsSync(OMSHELL)) return true;
  t.skip('ISC omshell not installed');
  return false;
}

export interface RunningServer {
  proc: Spawned;
  port: number;
}

/** Starts the in-memory OMAPI server on the namespace's loopback and waits (bounded) until it listens. */
export async function startServer(lab: Lab, ns: Netns, input: Partial<ServerInput> = {}): Promise<RunningServer> {
  const full: ServerInput = { address: '127.0.0.1', port: 7911, runMs: 120_000, leases: [LEASE], ...input };
  const proc = lab.spawnNode(ns, SERVER_CHILD, full, { timeoutMs: 150_000 });
  const ready = await waitForLog(() => proc.stdout(), /^@@lh (\{"event":"ready".*)$/, { name: 'server stdout' });
  const port = (JSON.parse(ready.groups[0]!) as { data: { port: number } }).data.port;
  return { proc, port };
}

/** Runs omshell with `lines` on stdin (after server/port/key/connect) and returns its stdout and stderr. */
export async function omshell(
  lab: Lab,
  ns: Netns,
  port: number,
  lines: string[],
  key?: { name: string; secret: string },
): Promise<string> {
  const script = [
    'server 127.0.0.1',
    `port ${port}`,
    ...(key ? [`key ${key.name} ${key.secret}`] : []),
    'connect',
    ...lines,
    '',
  ].join('\n');
  const run = await lab.run(ns, OMSHELL, [], { stdin: script, timeoutMs: 20_000 });
  if (run.timedOut) throw new Error(`omshell timed out\n${run.stdout}\n${run.stderr}`);
  return `${run.stdout}${run.stderr}`;
}
