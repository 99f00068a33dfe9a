// The client side of OMAPI, in namespaces of the test's own, against ISC dhcpd 4.4.3 as the DHCP server:
// ISC's omshell, scripted on stdin, pauses (control state 3), resumes (4) and releases (2) a running
// `leasehold client` with `omapi port N;` in its dhclient.conf; `leasehold shell` does the same to a running ISC
// dhclient 4.4.3. The script reasons of both are recorded and compared (ISC dhcp_set_control_state: 3 runs
// state_stop → STOP; 4 runs state_reboot → a DHCPREQUEST in INIT-REBOOT, REBOOT after the ACK, no PREINIT;
// 2 runs do_release → DHCPRELEASE and RELEASE, then the client exits), and dhcpd's log shows the packets.
// ISC dhclient exits on state 2 before its answer goes out (the shell reports "I/O error"); ours answers first.
// ISC's DHCPRELEASE is a unicast from the leased address, so its script here configures the address.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  DHCPD,
  dhcpdConf,
  envScript,
  reasons,
  requireBinary,
  startClient,
  startDhcpd,
  tempDir,
} from '../client/harness.js';
import { createLab, type Lab, type Netns, requireRoot, sweepLeakedNamespaces } from '../lib/netns.js';
import type { Spawned } from '../lib/proc.js';
import { waitFor, waitForLog } from '../lib/wait.js';
import { events, REPO, startDhclient, topology } from '../server/harness.js';
import { omshell, requireOmshell } from './harness.js';

after(() => {
  assert.deepEqual(sweepLeakedNamespaces('this-run'), [], 'a namespace outlived its test');
});

const PORT = 7912;
const LEASEHOLD = join(REPO, 'bin/leasehold');
/** What both clients' scripts see for: start, pause, resume, release. */
const EXPECTED = ['PREINIT', 'BOUND', 'STOP', 'REBOOT', 'RELEASE'];

/** `leasehold shell` in `ns` with `lines` on stdin after server/port/connect; its stdout and stderr. */
async function shell(lab: Lab, ns: Netns, lines: string[]): Promise<string> {
  const script = ['server 127.0.0.1', `port ${PORT}`, 'connect', ...lines, ''].join('\n');
  const run = await lab.run(ns, process.execPath, [LEASEHOLD, 'shell'], { stdin: script, timeoutMs: 20_000 });
  if (run.timedOut) throw new Error(`leasehold shell timed out\n${run.stdout}\n${run.stderr}`);
  assert.equal(run.code, 0, run.stderr);
  return `${run.stdout}${run.stderr}`;
}

type Tool = (lines: string[]) => Promise<string>;

/** Sets the control object's state and checks the answer (no "can't", the state read back). */
async function setState(tool: Tool, state: number, exits = false): Promise<void> {
  const out = await tool(['new control', 'open', `set state = ${state}`, 'update']);
  // ISC dhclient exits on state 2 before its answer is out: the shell sees the connection close.
  if (exits && /can't update object: I\/O error/.test(out)) return;
  assert.doesNotMatch(out, /can't|not connected|error/i, out);
  assert.match(out, new RegExp(`state = (00:00:00:0)?${state}\\n`), out);
}

/** Waits (bounded) for the process to exit on its own; its exit code. */
async function exitsAlone(proc: Spawned, what: string): Promise<number | null> {
  let end: { code: number | null } | undefined;
  void proc.exited.then((r) => {
    end = r;
  });
  await waitFor(() => end !== undefined, {
    timeoutMs: 10_000,
    what: `${what} to exit after control state 2`,
    seen: () => proc.stderr(),
  });
  return end!.code;
}

test('omshell pauses, resumes and releases a running leasehold client (ISC dhcpd serving)', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD) || !requireOmshell(t)) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const dhcpd = await startDhcpd(lab, server, dir, dhcpdConf(600));
  const conf = join(dir, 'dhclient.conf');
  writeFileSync(conf, `omapi port ${PORT};\n`);
  const proc = startClient(lab, client, { dir, conf, script: envScript(dir), oneTry: false });
  const tool: Tool = (lines) => omshell(lab, client, PORT, lines);
  const seen = () => `reasons: ${reasons(dir).join(' ')}\n--- client\n${proc.stderr()}\n--- dhcpd\n${dhcpd.stderr()}`;
  try {
    await waitFor(() => reasons(dir).includes('BOUND'), { what: 'BOUND', seen });
    const address = (await waitForLog(proc, /bound to (192\.0\.2\.\d+)/, { name: 'client stderr' })).groups[0];
    assert.ok(address, proc.stderr());
    // read: ISC's initial server_startup
    assert.match(await tool(['new control', 'open']), /state = (00:00:00:0)?0\n/);

    // 3: pause — STOP, run before the answer; nothing sent
    await setState(tool, 3);
    assert.deepEqual(reasons(dir), ['PREINIT', 'BOUND', 'STOP'], seen());
    // 4: resume — INIT-REBOOT: a DHCPREQUEST for the kept address, REBOOT after the ACK
    await setState(tool, 4);
    await waitFor(() => reasons(dir).includes('REBOOT'), { what: 'REBOOT', seen });
    await waitForLog(dhcpd, new RegExp(`DHCPREQUEST for ${address.replaceAll('.', '\\.')} from .* via srv0`), {
      name: 'dhcpd stderr',
    });
    // 2: release and exit — DHCPRELEASE (dhcpd logs it), RELEASE
    await setState(tool, 2);
    assert.equal(await exitsAlone(proc, 'leasehold client'), 0);
    assert.deepEqual(reasons(dir), EXPECTED, seen());
    await waitForLog(dhcpd, new RegExp(`DHCPRELEASE of ${address.replaceAll('.', '\\.')} from`), {
      name: 'dhcpd stderr',
    });
  } finally {
    await proc.stop(1000);
    await dhcpd.stop(1000);
  }
});

test('leasehold shell pauses, resumes and releases a running ISC dhclient 4.4.3: the same script reasons', async (t) => {
  if (!requireRoot(t) || !requireBinary(t, DHCPD) || !requireBinary(t, '/sbin/dhclient')) return;
  const lab = createLab(t);
  const dir = tempDir(t);
  const { server, client } = await topology(lab);
  const dhcpd = await startDhcpd(lab, server, dir, dhcpdConf(600));
  const conf = join(dir, 'isc-dhclient.conf');
  writeFileSync(conf, `omapi port ${PORT};\n`);
  const isc = startDhclient(lab, client, dir, 'isc', { conf, configure: true });
  const tool: Tool = (lines) => shell(lab, client, lines);
  const seenReasons = () => events(dir, 'isc').map((e) => e.split(' ')[0]!);
  try {
    const env = await isc.waitFor('BOUND', 20_000);
    const address = env.get('new_ip_address') ?? '';
    assert.match(address, /^192\.0\.2\.\d+$/);
    assert.match(await tool(['new control', 'open']), /state = (00:00:00:0)?0\n/);
    await setState(tool, 3);
    assert.deepEqual(seenReasons(), ['PREINIT', 'BOUND', 'STOP']);
    await setState(tool, 4);
    await isc.waitFor('REBOOT', 20_000);
    await setState(tool, 2, true);
    assert.equal(await exitsAlone(isc.proc, 'ISC dhclient'), 0);
    assert.deepEqual(seenReasons(), EXPECTED, 'ISC dhclient ran the same reasons as leasehold client');
    await waitForLog(dhcpd, new RegExp(`DHCPRELEASE of ${address.replaceAll('.', '\\.')} from`), {
      name: 'dhcpd stderr',
    });
  } finally {
    await isc.stop();
    await dhcpd.stop(1000);
  }
});
