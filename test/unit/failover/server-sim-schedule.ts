// Schedules for the failover simulation (server-sim.ts), drawn from a seed: the pair's dhcpd.conf
// (pool size, lease time short against the MCLT, split, max-unacked-updates, max-response-delay,
// load balance max seconds, auto-partner-down in some), the clients, the network's delays, the
// clocks' skew (below 60 s, or above it until a restart puts the clock right), and a run of faults:
// partitions, link cuts, stalls, a server cut off from everyone, crashes and restarts with or without
// the lease file. Then everything heals and the pair must settle (ServerSim.finish).
//
// What ISC's protocol cannot promise is not drawn. Partner-down is safe only when the partner is
// really down: auto-partner-down hands the partner's leases out after MCLT however the partner is,
// and "the two servers will give conflicting bindings" if it is in fact running (dhcpd.conf(5)). So
// with auto-partner-down the only way a server stops hearing its partner for longer than the delay
// is the partner's crash, or the partner cut off from clients and peer alike; a server cut off comes
// back to its partner before it comes back to the clients. A partner whose clock is more than 60 s
// off is refused, so big skews come without auto-partner-down too. A server that loses its lease file
// recovers everything from its partner, which must then hold all of it: a file is lost only when the
// pair is in step (NORMAL, nothing queued) as the server crashes, and once per schedule.

import { ip } from '../server/helpers.js';
import { ServerSim, type ServerSim as Sim, type SimOptions, seeded, T0 } from './server-sim.js';

export interface PairConf {
  poolSize: number;
  leaseTime: number;
  mclt: number;
  split: number;
  loadBalanceMaxSecs: number;
  maxResponseDelay: number;
  maxUnacked: number;
  autoPartnerDown: number;
  minBalance: number;
  maxBalance: number;
}

export const IPS: [number, number] = [ip('192.0.2.1'), ip('192.0.2.2')];

/** A server cut off hears its partner again this many seconds before the clients reach it. */
const CLIENTS_BACK_AFTER = 30;

/** The dhcpd.conf of one partner. */
export function confText(role: 'primary' | 'secondary', c: PairConf): string {
  const me = role === 'primary' ? '192.0.2.1' : '192.0.2.2';
  const peer = role === 'primary' ? '192.0.2.2' : '192.0.2.1';
  const last = 100 + c.poolSize - 1;
  return `authoritative;
ping-check false;
default-lease-time ${c.leaseTime};
max-lease-time ${c.leaseTime};
failover peer "fo" {
  ${role};
  address ${me};
  port 647;
  peer address ${peer};
  peer port 647;
  max-response-delay ${c.maxResponseDelay};
  max-unacked-updates ${c.maxUnacked};
${role === 'primary' ? `  mclt ${c.mclt};\n  split ${c.split};\n` : ''}  load balance max seconds ${c.loadBalanceMaxSecs};
${c.autoPartnerDown > 0 ? `  auto-partner-down ${c.autoPartnerDown};\n` : ''}  min-balance ${c.minBalance};
  max-balance ${c.maxBalance};
}
subnet 192.0.2.0 netmask 255.255.255.0 {
  pool {
    failover peer "fo";
    range 192.0.2.100 192.0.2.${last};
  }
}
`;
}

export type Fault =
  | { kind: 'partition'; at: number; dur: number }
  | { kind: 'cut'; at: number }
  | { kind: 'stall'; at: number; dur: number; side: 0 | 1; extra: number }
  | { kind: 'isolate'; at: number; dur: number; side: 0 | 1 }
  | { kind: 'crash'; at: number; dur: number; side: 0 | 1; keepFile: boolean; skew?: number };

/** A schedule, as plain data: a seed draws one (planFor), a regression scenario writes one out. */
export interface Plan {
  /** Seeds the simulation's own random choices (delays, clients' timing, jitter). */
  seed: number;
  conf: PairConf;
  clients: number;
  /** Share of clients that send a client identifier. */
  uidShare: number;
  skews: [number, number];
  maxDelay: number;
  releaseChance: number;
  leaveChance: number;
  /** Seconds of traffic and faults before the heal. */
  duration: number;
  faults: Fault[];
}

/** The simulation's options for a plan. */
export function simOptions(plan: Plan): SimOptions {
  const { seed, conf, clients, uidShare, skews, maxDelay, releaseChance, leaveChance } = plan;
  return {
    seed,
    conf: [confText('primary', conf), confText('secondary', conf)],
    ips: IPS,
    clients,
    uidShare,
    skews,
    maxDelay,
    releaseChance,
    leaveChance,
  };
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

const between = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** The schedule of a seed. */
export function planFor(seed: number): Plan {
  const r = seeded(seed * 2654435761);
  // Half the schedules run below ISC's 65 s "clock skew plus fudge" (short leases, MCLT under two
  // minutes), where its rules left the most room for stale updates; half with leases and MCLT above it.
  const short = r() < 0.5;
  const mclt = short ? pick(r, [15, 30, 60, 120]) : pick(r, [140, 180, 300]);
  const leaseTime = short ? pick(r, [20, 30, 45, 60, 90, 180]) : pick(r, [140, 180, 240, 600]);
  const autoPartnerDown = r() < 0.35 ? pick(r, [20, 30, 60]) : 0;
  const conf: PairConf = {
    poolSize: between(r, 6, 30),
    leaseTime,
    mclt,
    split: pick(r, [128, 128, 128, 255, 0, 64, 200]),
    loadBalanceMaxSecs: pick(r, [0, 3, 3, 5]),
    maxResponseDelay: pick(r, [10, 20, 30]),
    maxUnacked: pick(r, [1, 2, 5, 10]),
    autoPartnerDown,
    minBalance: pick(r, [5, 30, 60]),
    maxBalance: pick(r, [60, 300, 3600]),
  };
  const skewKind = r();
  let skews: [number, number] = [0, 0];
  let bigSkewFixAt: number | undefined;
  const duration = short ? between(r, 300, 700) : between(r, 500, 1100);
  if (skewKind < 0.3) skews = [between(r, -20, 20), between(r, -20, 20)];
  else if (skewKind < 0.38 && autoPartnerDown === 0) {
    // The secondary's clock is off by more than ISC allows until a restart puts it right.
    skews = [0, pick(r, [-1, 1]) * between(r, 61, 150)];
    bigSkewFixAt = between(r, 60, Math.floor(duration * 0.7));
  }
  const clients = between(r, 2, 8);
  const uidShare = pick(r, [0, 0.3, 1]);
  const maxDelay = pick(r, [0.002, 0.02, 0.2, 1.5]);
  const releaseChance = pick(r, [0, 0.05, 0.2]);
  const leaveChance = pick(r, [0, 0.05, 0.2]);
  const faults: Fault[] = [];
  let t = between(r, 20, 90);
  const apd = autoPartnerDown;
  let lost = false;
  while (t < duration - 30) {
    const roll = r();
    const side = r() < 0.5 ? 0 : 1;
    if (roll < 0.22) {
      // Partitions with auto-partner-down end before the delay runs out.
      const dur = apd > 0 ? between(r, 1, apd - 12) : between(r, 5, 400);
      faults.push({ kind: 'partition', at: t, dur });
    } else if (roll < 0.35) faults.push({ kind: 'cut', at: t });
    else if (roll < 0.45 && apd === 0) {
      faults.push({ kind: 'stall', at: t, dur: between(r, 10, 120), side, extra: between(r, 5, 60) });
    } else if (roll < 0.6) faults.push({ kind: 'isolate', at: t, dur: between(r, 10, 400), side });
    else {
      // One lease file lost per schedule: with both lost, nothing is left to recover from.
      const keepFile = lost || r() < 0.7;
      if (!keepFile) lost = true;
      faults.push({ kind: 'crash', at: t, dur: between(r, 1, 400), side, keepFile });
    }
    const last = faults[faults.length - 1]!;
    // With auto-partner-down one fault at a time (each heals before the next); without, they overlap.
    const span = last.kind === 'isolate' ? last.dur + CLIENTS_BACK_AFTER : 'dur' in last ? last.dur : 0;
    t += apd > 0 ? span + between(r, 20, 150) : between(r, 10, 200);
  }
  if (bigSkewFixAt !== undefined)
    faults.push({ kind: 'crash', at: bigSkewFixAt, dur: 3, side: 1, keepFile: true, skew: 0 });
  return { seed, conf, clients, uidShare, skews, maxDelay, releaseChance, leaveChance, duration, faults };
}

/** Puts a plan's faults on the simulation's calendar. */
export function schedule(sim: Sim, plan: Plan): void {
  for (const f of plan.faults) {
    const at = T0 + f.at;
    switch (f.kind) {
      case 'partition':
        sim.at(at, `partition ${f.dur} s`, () => sim.partition(true));
        sim.at(at + f.dur, 'partition heals', () => sim.partition(false));
        break;
      case 'cut':
        sim.at(at, 'links reset', () => sim.cut());
        break;
      case 'stall':
        sim.at(at, `stall toward ${'ab'[f.side]} ${f.dur} s (+${f.extra} s)`, () =>
          sim.stallToward(f.side, at + f.dur, f.extra),
        );
        break;
      case 'isolate':
        sim.at(at, `${'ab'[f.side]} cut off ${f.dur} s`, () => sim.isolate(f.side, true));
        // The partners hear each other again first; the clients reach it 30 s later.
        sim.at(at + f.dur, `${'ab'[f.side]} back to its partner`, () => sim.partition(false));
        sim.at(at + f.dur + CLIENTS_BACK_AFTER, `${'ab'[f.side]} back to the clients`, () => {
          sim.clientCut[f.side] = false;
        });
        break;
      case 'crash': {
        // A lease file is lost only when the partner holds all it held: both in NORMAL, nothing queued.
        // The restart is this crash's only if it brought the server down and nothing restarted it since.
        let keepFile = f.keepFile;
        let crashed: number | undefined;
        const node = sim.nodes[f.side];
        sim.at(at, `${'ab'[f.side]} crashes for ${f.dur} s`, () => {
          if (!node.up) return;
          if (!keepFile && !sim.settled()) {
            keepFile = true;
            sim.say(`--- (its lease file is kept: the partner is not in step with it)`);
          }
          sim.crash(f.side);
          crashed = node.incarnation;
        });
        sim.at(at + f.dur, `${'ab'[f.side]} restarts`, () => {
          if (!node.up && crashed === node.incarnation) sim.boot(f.side, keepFile, f.skew);
        });
        break;
      }
    }
  }
}

export interface Outcome {
  sim: ServerSim;
  problems: string[];
}

/** Runs one seed's schedule to the end and its checks. */
export function runPlan(plan: Plan, verbose = false): Outcome {
  const sim = new ServerSim(simOptions(plan));
  sim.verbose = verbose;
  sim.start();
  schedule(sim, plan);
  sim.run(T0 + plan.duration);
  sim.finish(300 + 3 * plan.conf.mclt);
  return { sim, problems: sim.problems() };
}

export function describe(plan: Plan): string {
  const c = plan.conf;
  const f = plan.faults
    .map((x) => `${x.kind}${'side' in x ? ` ${'ab'[x.side]}` : ''}@${x.at}${'dur' in x ? `+${x.dur}` : ''}`)
    .join(', ');
  return (
    `seed ${plan.seed}: pool ${c.poolSize}, lease ${c.leaseTime} s, mclt ${c.mclt}, split ${c.split}, ` +
    `lbms ${c.loadBalanceMaxSecs}, mrd ${c.maxResponseDelay}, unacked ${c.maxUnacked}, apd ${c.autoPartnerDown}, ` +
    `clients ${plan.clients}, skews ${plan.skews.join('/')}, delay ${plan.maxDelay}, ` +
    `${plan.duration} s; faults: ${f || 'none'}`
  );
}
