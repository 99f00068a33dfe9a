// The failover simulation (server-sim.ts): two servers built from the real pure pieces, a simulated
// network and clock, DHCP clients through handle(). Thousands of random schedules from seeds, a few
// hand-written scenarios, and one regression scenario per bug the schedules found (server-sim-
// regressions.ts). Every schedule is checked for: no address leased to two clients at once; both
// databases agreeing once the pair is healed, NORMAL and quiet; no exception out of an engine; each
// lease file holding what its server has in memory.
//
// A failure prints the seed and the schedule. Replay one seed with its trace:
//   SIM_SEED=123 node --test dist/test/unit/failover/server-sim.test.js
// Run other seeds: SIM_FIRST=100001 SIM_SEEDS=20000 node --test dist/test/unit/failover/server-sim.test.js

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FO_STATE } from '../../../src/failover/wire.js';
import { ACTIVE } from '../../../src/server/allocator.js';
import { compareDatabases, ServerSim, T0 } from './server-sim.js';
import { REGRESSIONS } from './server-sim-regressions.js';
import { describe as describePlan, type Plan, planFor, runPlan, schedule, simOptions } from './server-sim-schedule.js';

const FIRST = Number(process.env.SIM_FIRST ?? 1);
const SEEDS = Number(process.env.SIM_SEEDS ?? 2000);
const ONLY = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);

function report(plan: Plan, problems: readonly string[], trace?: readonly string[]): string {
  return [
    describePlan(plan),
    ...problems.slice(0, 8).map((p) => `  ${p}`),
    ...(problems.length > 8 ? [`  ... and ${problems.length - 8} more`] : []),
    `  replay: SIM_SEED=${plan.seed} node --test dist/test/unit/failover/server-sim.test.js`,
    ...(trace === undefined ? [] : ['  trace (the last lines):', ...trace.map((l) => `    ${l}`)]),
  ].join('\n');
}

/** Runs a plan; its problems (an exception out of the simulation is one). */
function problemsOf(plan: Plan, verbose = false): { problems: string[]; trace: string[] } {
  try {
    const { sim, problems } = runPlan(plan, verbose);
    return { problems, trace: sim.trace.slice(-400) };
  } catch (e) {
    return { problems: [`the simulation threw: ${(e as Error).stack ?? String(e)}`], trace: [] };
  }
}

if (ONLY !== undefined) {
  test(`seed ${ONLY}, replayed with its trace`, () => {
    const plan = planFor(ONLY);
    const { problems, trace } = problemsOf(plan, true);
    assert.deepEqual(problems, [], report(plan, problems, trace));
  });
} else {
  test(`${SEEDS} random schedules (seeds ${FIRST}..${FIRST + SEEDS - 1})`, async (t) => {
    const CHUNK = 250;
    for (let from = FIRST; from < FIRST + SEEDS; from += CHUNK) {
      const to = Math.min(from + CHUNK, FIRST + SEEDS) - 1;
      await t.test(`seeds ${from}..${to}`, () => {
        const failures: string[] = [];
        for (let seed = from; seed <= to; seed++) {
          const plan = planFor(seed);
          const { problems } = problemsOf(plan);
          if (problems.length > 0) failures.push(report(plan, problems));
        }
        assert.equal(failures.length, 0, `${failures.length} schedules failed:\n${failures.join('\n')}`);
      });
    }
  });
}

// ---- hand-written scenarios -------------------------------------------------------------------------

const BASE: Plan = {
  seed: 7,
  conf: {
    poolSize: 20,
    leaseTime: 120,
    mclt: 60,
    split: 128,
    loadBalanceMaxSecs: 3,
    maxResponseDelay: 10,
    maxUnacked: 10,
    autoPartnerDown: 0,
    minBalance: 30,
    maxBalance: 300,
  },
  clients: 10,
  uidShare: 0.3,
  skews: [0, 0],
  maxDelay: 0.02,
  releaseChance: 0.05,
  leaveChance: 0.05,
  duration: 900,
  faults: [],
};

/** A simulation of a plan, set going, with every log line kept. */
function simOf(plan: Plan): ServerSim {
  const sim = new ServerSim(simOptions(plan));
  for (const n of sim.nodes) n.keepAll = true;
  sim.start();
  schedule(sim, plan);
  return sim;
}

function finished(sim: ServerSim, plan: Plan): void {
  sim.finish(300 + 3 * plan.conf.mclt);
  assert.deepEqual(sim.problems(), [], report(plan, sim.problems(), sim.trace.slice(-200)));
}

/** Asserts that `lines` appear in `log` in this order (not necessarily next to each other). */
function inOrder(log: readonly string[], lines: readonly string[]): void {
  let at = 0;
  for (const line of lines) {
    const i = log.indexOf(line, at);
    assert.ok(i >= 0, `"${line}" not found after line ${at}:\n${log.slice(at, at + 40).join('\n')}`);
    at = i + 1;
  }
}

const ACTIVE_STATES = (sim: ServerSim, side: 0 | 1): Map<number, string> => {
  const a = sim.nodes[side].allocator;
  const out = new Map<number, string>();
  for (const pool of a.failoverPools('fo')) {
    for (const slot of a.failoverSlotsOf(pool, 'active')) {
      const i = a.failoverSlotInfo(slot)!;
      out.set(i.address, `${i.ends} ${Buffer.from(i.hardware?.address ?? []).toString('hex')}`);
    }
  }
  return out;
};

test('the partner is killed and restarted with its lease file: it comes back to NORMAL with the same leases', () => {
  const plan: Plan = { ...BASE, faults: [{ kind: 'crash', at: 200, dur: 300, side: 1, keepFile: true }] };
  const sim = simOf(plan);
  sim.run(T0 + 200);
  const before = ACTIVE_STATES(sim, 1);
  assert.ok(before.size > 0, 'the secondary holds leases as it dies');
  // Back from its lease file (before a message has come), it holds every lease it held.
  sim.run(T0 + 500);
  assert.deepEqual(ACTIVE_STATES(sim, 1), before);
  sim.run(T0 + plan.duration);
  const [a, b] = sim.nodes;
  inOrder(a.log, [
    'peer fo: disconnected',
    'failover peer fo: I move from normal to communications-interrupted',
    // The restarted partner's STATE names its saved state, NORMAL, with the STARTUP flag (ISC).
    'failover peer fo: peer moves from normal to normal',
    'failover peer fo: I move from communications-interrupted to normal',
  ]);
  inOrder(b.log, [
    '--- crash ---',
    '--- boot (with its lease file) ---',
    'failover peer fo: I move from normal to startup',
    'failover peer fo: I move from startup to normal',
  ]);
  assert.equal(a.rel.me.state, FO_STATE.NORMAL);
  assert.equal(b.rel.me.state, FO_STATE.NORMAL);
  assert.ok(sim.ledger.acks > 20, `${sim.ledger.acks} ACKs`);
  finished(sim, plan);
});

test('the partner is restarted with an empty lease file: it recovers every lease from its peer', () => {
  const plan: Plan = { ...BASE, faults: [{ kind: 'crash', at: 200, dur: 60, side: 1, keepFile: false }] };
  const sim = simOf(plan);
  sim.run(T0 + 260);
  const [a, b] = sim.nodes;
  assert.ok(b.log.includes('--- boot (with an empty lease file) ---'), 'the file was lost (the pair was in step)');
  assert.equal(ACTIVE_STATES(sim, 1).size, 0, 'nothing is known after the loss');
  // The first time the pair is NORMAL and quiet again, the two databases are one.
  assert.ok(
    sim.run(T0 + 600, () => sim.settled()),
    'settles',
  );
  assert.deepEqual(compareDatabases(a.allocator, b.allocator), []);
  assert.deepEqual(ACTIVE_STATES(sim, 1), ACTIVE_STATES(sim, 0));
  inOrder(b.log, [
    '--- boot (with an empty lease file) ---',
    'failover peer fo: I move from recover to startup',
    'failover peer fo: I move from startup to recover',
    'Sent update request all message to fo',
    'failover peer fo: peer moves from communications-interrupted to partner-down',
    'failover peer fo: peer update completed.',
    'failover peer fo: I move from recover to recover-wait',
    'failover peer fo: I move from recover-wait to recover-done',
    'failover peer fo: peer moves from partner-down to normal',
    'failover peer fo: I move from recover-done to normal',
  ]);
  inOrder(a.log, [
    'failover peer fo: I move from normal to communications-interrupted',
    'failover peer fo: peer moves from normal to recover',
    'failover peer fo: I move from communications-interrupted to partner-down',
    'Update request all from fo: sending update',
    'failover peer fo: I move from partner-down to normal',
  ]);
  sim.run(T0 + plan.duration);
  finished(sim, plan);
});

test('a partition with auto-partner-down, then the heal: the survivor serves the pool, the pair resolves to NORMAL', () => {
  const plan: Plan = {
    ...BASE,
    conf: { ...BASE.conf, poolSize: 10, autoPartnerDown: 30 },
    clients: 9,
    releaseChance: 0.5,
    leaveChance: 0,
    faults: [{ kind: 'isolate', at: 200, dur: 400, side: 1 }],
  };
  const sim = simOf(plan);
  sim.run(T0 + 199);
  const backup = new Set<number>();
  const bAlloc = sim.nodes[1].allocator;
  for (const pool of bAlloc.failoverPools('fo'))
    for (const slot of bAlloc.failoverSlotsOf(pool, 'backup')) backup.add(bAlloc.failoverSlotInfo(slot)!.address);
  assert.ok(backup.size > 0, 'the secondary has addresses of its own');
  const [a, b] = sim.nodes;
  // MCLT after it went PARTNER-DOWN, the survivor gives out what was the secondary's to give.
  const aAlloc = a.allocator;
  let taken = 0;
  for (let t = 300; t < 600; t += 5) {
    sim.run(T0 + t);
    for (const address of backup) if (aAlloc.stateOf(aAlloc.slotOf(address)) === ACTIVE) taken++;
  }
  assert.ok(taken > 0, "the primary gave out some of the secondary's addresses");
  inOrder(a.log, [
    'failover peer fo: I move from normal to communications-interrupted',
    'failover peer fo: I move from communications-interrupted to partner-down',
  ]);
  sim.run(T0 + plan.duration);
  inOrder(b.log, [
    'failover peer fo: I move from communications-interrupted to partner-down',
    'failover peer fo: I move from partner-down to potential-conflict',
  ]);
  inOrder(a.log, ['failover peer fo: I move from partner-down to potential-conflict']);
  assert.equal(a.rel.me.state, FO_STATE.NORMAL);
  assert.equal(b.rel.me.state, FO_STATE.NORMAL);
  finished(sim, plan);
});

// ---- regressions: one schedule per bug the random schedules found ------------------------------------

for (const r of REGRESSIONS) {
  test(`regression: ${r.name}`, () => {
    const { problems, trace } = problemsOf(r.plan);
    assert.deepEqual(problems, [], report(r.plan, problems, trace));
  });
}
