// The namespace toolkit's own guarantees: everything it makes is removed, processes are bounded and stopped by
// PID, addresses stay in the documentation ranges, and child scripts refuse to run outside their namespace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CHILD_NETNS_ENV } from './child.js';
import { createLab, Lab, requireRoot, sweepLeakedNamespaces } from './netns.js';
import { runBounded } from './proc.js';

const IO_CHILD = fileURLToPath(new URL('../io/io-child.js', import.meta.url));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const namespaces = () =>
  (spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '').split('\n').map((l) => l.split(' ')[0]);

test('cleanup stops running processes and deletes the namespaces, veths included', async (t) => {
  if (!requireRoot(t)) return;
  const lab = new Lab();
  try {
    const a = await lab.netns();
    const b = await lab.netns();
    const [end] = await lab.veth(a, b, { aAddr: '198.51.100.1/24', bAddr: '198.51.100.2/24' });
    assert.match(end.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    const addr = await lab.ip(['-n', a.name, '-br', 'addr', 'show', 'dev', 'veth0']);
    assert.match(addr, /198\.51\.100\.1\/24/);
    const sleeper = lab.spawn(a, 'sleep', ['30']);
    assert.ok(sleeper.pid > 0);
    await lab.cleanup();
    const run = await sleeper.exited;
    assert.equal(run.signal, 'SIGTERM');
    assert.ok(!namespaces().includes(a.name) && !namespaces().includes(b.name));
  } finally {
    await lab.cleanup();
  }
});

test('a run past its time limit is killed and reported as timed out', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const ns = await lab.netns();
  const run = await lab.run(ns, 'sleep', ['5'], { timeoutMs: 200 });
  assert.equal(run.timedOut, true);
  assert.equal(run.signal, 'SIGKILL');
});

test('addresses outside the documentation ranges, and ip commands outside the lab, are refused', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const a = await lab.netns();
  const b = await lab.netns();
  await assert.rejects(lab.veth(a, b, { aAddr: '10.0.0.1/24' }), /outside the documentation ranges/);
  await assert.rejects(lab.ip(['link', 'show']), /not scoped to a namespace of this lab/);
  await assert.rejects(lab.ip(['-n', 'lh-someone-else', 'link', 'show']), /not scoped/);
  assert.equal(await lab.ip(['-n', a.name, '-br', 'link', 'show', 'type', 'veth']), '');
});

test('a child script refuses to run outside the namespace it was given', async (t) => {
  if (!requireRoot(t)) return;
  const lab = createLab(t);
  const ns = await lab.netns();
  // Started directly (so in the root namespace) but told it is in `ns`: it must refuse, not open sockets.
  const run = await runBounded(process.execPath, [IO_CHILD, JSON.stringify({ role: 'bad-interface' })], {
    timeoutMs: 5000,
    env: { ...process.env, [CHILD_NETNS_ENV]: ns.name },
  });
  assert.equal(run.code, 2);
  assert.match(run.stderr, /refusing to run/);
  const inside = await lab.runNode<{ code: string }>(ns, IO_CHILD, { role: 'bad-interface' });
  assert.equal(inside.result.code, 'ENODEV');
});

test('the leak guard removes namespaces of this run and of dead runs, and nothing else', async (t) => {
  if (!requireRoot(t)) return;
  let deadPid = 4_000_000;
  while (isAlive(deadPid)) deadPid++;
  const dead = `lh-${deadPid}-dead-1`;
  const live = `lh-${process.ppid}-beef-1`;
  const mine = `lh-${process.pid}-0000-999`;
  const foreign = 'lh-not-ours';
  const made = [dead, live, mine, foreign];
  try {
    for (const name of made) assert.equal(spawnSync('ip', ['netns', 'add', name]).status, 0, name);
    assert.deepEqual(sweepLeakedNamespaces('this-run'), [mine]);
    // Any other test process (of this run or a concurrent one) sweeps dead owners' namespaces too, whenever it
    // makes a Lab: `dead` may be gone before this sweep. What matters is that it is gone after it, and that no
    // sweep took anything of a live owner or not in our format.
    const swept = sweepLeakedNamespaces('dead-owners');
    assert.ok(!swept.includes(live) && !swept.includes(foreign), `swept ${swept.join(', ')}`);
    const left = namespaces();
    assert.ok(!left.includes(dead) && !left.includes(mine), `left: ${left.join(', ')}`);
    assert.ok(left.includes(live) && left.includes(foreign));
  } finally {
    for (const name of made) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  }
});
