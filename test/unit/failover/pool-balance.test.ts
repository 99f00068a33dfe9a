// Pool rebalancing as ISC dhcpd 4.4.3 does it. Every expected value below was worked by hand from
// ISC's code (server/failover.c dhcp_failover_pool_dobalance, dhcp_failover_pool_check,
// secondary_not_hoarding, lease_mine_to_reallocate; defaults from includes/failover.h), with C's
// integer arithmetic: (n * pct + 50) / 100 rounds, and (a - b) / 2 truncates toward zero.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeHba } from '../../../src/failover/load-balance.js';
import {
  BALANCE_DEFAULTS,
  type BalanceInput,
  type BalancePeer,
  type BalancePool,
  balanceConfig,
  balancePools,
  type PoolCheckInput,
  type PoolLease,
  poolCheck,
  poolReqNegativeLine,
  poolRespLine,
  secondaryNotHoarding,
} from '../../../src/failover/pool-balance.js';

const NOW = 1_700_000_000;
const BASE = 0xc0a80a00; // 192.168.10.0
const zero = () => 0;

const peer = (over: Partial<BalancePeer> = {}): BalancePeer => ({
  name: 'dhcp-failover',
  role: 'primary',
  normal: true,
  hba: undefined,
  config: balanceConfig({}),
  lastBalance: NOW - 3600,
  ...over,
});

const run = (over: Partial<BalanceInput>): ReturnType<typeof balancePools> =>
  balancePools({ trigger: 'timer', peer: peer(), pools: [], now: NOW, jitter: zero, ...over });

/** A client 02:00:00:00:00:XX as ISC keeps it on a lease (hardware type 1 first). */
const hw = (x: number) => Uint8Array.from([1, 2, 0, 0, 0, 0, x]);

test('defaults: 0 or absent takes ISC’s default (failover.h, confpars.c)', () => {
  assert.deepEqual(balanceConfig({}), {
    maxLeaseMisbalance: 15,
    maxLeaseOwnership: 10,
    maxBalance: 3600,
    minBalance: 60,
  });
  assert.deepEqual(balanceConfig({ maxBalance: 0, minBalance: 30 }), { ...BALANCE_DEFAULTS, minBalance: 30 });
});

test('primary without an HBA: never-used leases first down to lts 0, used ones down to +hold', () => {
  // Pool of 100 leases: 60 FREE (10 never used, then 50 used, oldest first), 20 BACKUP, the rest active.
  // total = 80; thresh = (80*15+50)/100 = 12; hold = (80*10+50)/100 = 8; lts = (60-20)/2 = 20.
  // No HBA: pass 0 moves nothing. Pass 1: the 10 never-used leases (lts 20 -> 10, each > 0), then
  // used ones while lts > hold: 10 -> 9 -> 8, and at 8 <= 8 it stops. 12 moves, lts 8 <= 12: balanced.
  const free: PoolLease[] = [];
  for (let k = 0; k < 10; k++) free.push({ address: BASE + k, ends: 0 });
  for (let k = 0; k < 50; k++) free.push({ address: BASE + 10 + k, ends: NOW - 200 + k });
  const backup: PoolLease[] = [];
  for (let k = 0; k < 20; k++) backup.push({ address: BASE + 100 + k, ends: NOW - 1000 });
  const pool: BalancePool = { id: 0x55d0c0a1b2c0, network: 'lan', leaseCount: 100, free, backup };
  const res = run({ pools: [pool] });
  assert.deepEqual(
    res.moves.map((m) => m.address - BASE),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  );
  assert.deepEqual(res.moves[0], { pool: 0, address: BASE, to: 'backup', tstp: NOW, starts: NOW });
  assert.deepEqual(res.log, [
    {
      level: 'info',
      text: 'balancing pool 55d0c0a1b2c0 lan  total 100  free 60  backup 20  lts 20  max-own (+/-)8',
    },
    { level: 'info', text: 'balanced pool 55d0c0a1b2c0 lan  total 100  free 48  backup 32  lts 8  max-misbal 12' },
  ]);
  assert.equal(res.lastBalance, NOW);
  assert.equal(res.sendUpdates, true);
  assert.equal(res.sendPoolReq, false);
  // The timer: pool_check runs after each move and once more at the end, only ever lowering it.
  // While never-used FREE leases head the list (ends 0, age NOW) and a never-used lease heads
  // BACKUP, both estimates exceed max-balance: NOW + 3600. Once the used leases head FREE (ends
  // NOW-200 at first): est1 = ((200*15)+50)/100 = 30, doubled on the primary = 60; est2 is huge
  // (the moved never-used lease, ends 0): NOW + 60, not below last_balance (NOW) + min-balance 60.
  assert.equal(res.schedBalance, NOW + 60);
});

test('primary with split 128: first the leases whose clients the secondary serves (MAC affinity)', () => {
  // 10 FREE used leases for clients 02:00:00:00:00:00..09, no BACKUP. Buckets (ISC loadb_p_hash):
  // 00->4, 01->133, 02->45, 03->182, 04->150, 05->13, 06->166, 07->26, 08->62, 09->79; >= 128 is
  // the secondary's: 01, 03, 04, 06.
  // total 10: thresh = (150+50)/100 = 2; hold = (100+50)/100 = 1; lts = 5.
  // Pass 0 moves 01, 03, 04, 06 (lts 5 -> 1, never <= -1). Pass 1 starts at 00 (used):
  // lts 1 <= hold 1, stop. free 6, backup 4, lts 1 <= 2: balanced.
  const free = Array.from({ length: 10 }, (_, x) => ({ address: BASE + x, ends: NOW - 100 + x, hardware: hw(x) }));
  const res = run({
    peer: peer({ hba: makeHba(128) }),
    pools: [{ id: 0x1a, network: 'lan', leaseCount: 10, free, backup: [] }],
  });
  assert.deepEqual(
    res.moves.map((m) => m.address - BASE),
    [1, 3, 4, 6],
  );
  assert.deepEqual(
    res.log.map((l) => l.text),
    [
      'balancing pool 1a lan  total 10  free 10  backup 0  lts 5  max-own (+/-)1',
      'balanced pool 1a lan  total 10  free 6  backup 4  lts 1  max-misbal 2',
    ],
  );
  // Timer: after the first move FREE's head is 00 (ends NOW-100): est1 = ((100*15)+50)/100 = 15,
  // doubled = 30; BACKUP's head is 01 (ends NOW-99): est2 = (1485+50)/100 = 15. min 15 -> NOW+15,
  // raised to last_balance + min-balance = NOW + 60.
  assert.equal(res.schedBalance, NOW + 60);
});

test('secondary with split 128: gives BACKUP leases whose clients the primary serves, as FREE', () => {
  // The same 10 leases as BACKUP on the secondary: lts = (10-0)/2 = 5, hold 1, thresh 2.
  // Pass 0 moves the primary's clients 00, 02, 05, 07, 08 (lts 5 -> 0) and 09 (lts 0 > -1) -> -1.
  // Pass 1 starts at 01 (used): -1 <= hold, stop. free 6, backup 4, lts -1: balanced.
  const backup = Array.from({ length: 10 }, (_, x) => ({ address: BASE + x, ends: NOW - 100 + x, hardware: hw(x) }));
  const res = run({
    peer: peer({ role: 'secondary', hba: makeHba(128) }),
    pools: [{ id: 0x1a, network: 'lan', leaseCount: 10, free: [], backup }],
  });
  assert.deepEqual(
    res.moves.map((m) => [m.address - BASE, m.to]),
    [
      [0, 'free'],
      [2, 'free'],
      [5, 'free'],
      [7, 'free'],
      [8, 'free'],
      [9, 'free'],
    ],
  );
  assert.deepEqual(
    res.log.map((l) => l.text),
    [
      'balancing pool 1a lan  total 10  free 0  backup 10  lts 5  max-own (+/-)1',
      'balanced pool 1a lan  total 10  free 6  backup 4  lts -1  max-misbal 2',
    ],
  );
});

test('a short side asks for a rebalance only from the timer (POOLREQ), and ISC still says "balanced"', () => {
  // Secondary, 40 FREE (never used), 0 BACKUP: lts = (0-40)/2 = -20; thresh = (600+50)/100 = 6;
  // hold = (400+50)/100 = 4; panic = -12; -20 < -12. Nothing to give (BACKUP is empty), and
  // -20 > 6 is false, so the closing line says balanced.
  const free = Array.from({ length: 40 }, (_, k) => ({ address: BASE + k, ends: 0 }));
  const pools = [{ id: 1, network: 'lan', leaseCount: 40, free, backup: [] }];
  const secondary = peer({ role: 'secondary', hba: makeHba(128) });
  const timer = run({ peer: secondary, pools, jitter: () => 3 });
  assert.equal(timer.sendPoolReq, true);
  assert.equal(timer.sendUpdates, false);
  assert.deepEqual(timer.log, [
    {
      level: 'info',
      text: 'balancing pool 1 lan  total 40  free 40  backup 0  lts -20  max-own (+/-)4  (requesting peer rebalance!)',
    },
    { level: 'info', text: 'balanced pool 1 lan  total 40  free 40  backup 0  lts -20  max-misbal 6' },
  ]);
  // Timer: FREE's head is never used (age NOW: est1 = 255000000); BACKUP is empty: est2 = 0,
  // doubled on the secondary = 0. min 0 -> NOW, raised to NOW + 60, plus random() % 5 = 3.
  assert.equal(timer.schedBalance, NOW + 63);
  const entering = run({ trigger: 'enter-normal', peer: secondary, pools });
  assert.equal(entering.sendPoolReq, false);
  assert.equal(entering.log[0]!.text, 'balancing pool 1 lan  total 40  free 40  backup 0  lts -20  max-own (+/-)4');
});

test('POOLREQ when lts < -2 * thresh, or lts < -1 when thresh rounds to 0', () => {
  // Secondary, FREE only (nothing to give): lts = (0 - n) / 2, truncated.
  // n = 3: thresh = (45+50)/100 = 0, panic -1; lts = -3/2 = -1, not < -1.
  // n = 4: thresh = (60+50)/100 = 1, panic -2; lts -2: no.  n = 5: thresh 1, lts -5/2 = -2: no.
  // n = 6: thresh (90+50)/100 = 1, lts -3 < -2: yes.
  const ask = (n: number, backup = 0, config = balanceConfig({})) =>
    run({
      peer: peer({ role: 'secondary', config }),
      pools: [
        {
          id: 1,
          network: 'lan',
          leaseCount: n + backup,
          free: Array.from({ length: n }, (_, k) => ({ address: BASE + k, ends: 0 })),
          backup: Array.from({ length: backup }, (_, k) => ({ address: BASE + 100 + k, ends: 0 })),
        },
      ],
    }).sendPoolReq;
  assert.deepEqual(
    [3, 4, 5, 6].map((n) => ask(n)),
    [false, false, false, true],
  );
  // max-lease-misbalance 1 %: 10 leases give thresh (10+50)/100 = 0, so panic is -1 (not -0):
  // FREE 6 / BACKUP 4 is lts -1 (no), FREE 7 / BACKUP 3 is lts -2 (yes).
  const one = balanceConfig({ maxLeaseMisbalance: 1 });
  assert.equal(ask(6, 4, one), false);
  assert.equal(ask(7, 3, one), true);
});

test('IMBALANCED (log_error) when max-lease-ownership exceeds max-lease-misbalance', () => {
  // Primary, 30 used FREE, 0 BACKUP, misbalance 10 %, ownership 50 %: thresh = (300+50)/100 = 3,
  // hold = (1500+50)/100 = 15, lts 15. Pass 0: no HBA. Pass 1: used lease, 15 <= 15: stop at once.
  const free = Array.from({ length: 30 }, (_, k) => ({ address: BASE + k, ends: NOW - 500 }));
  const res = run({
    peer: peer({ config: balanceConfig({ maxLeaseMisbalance: 10, maxLeaseOwnership: 50 }) }),
    pools: [{ id: 0xff, network: undefined, leaseCount: 30, free, backup: [] }],
  });
  assert.equal(res.moves.length, 0);
  assert.deepEqual(res.log[1], {
    level: 'error',
    text: 'IMBALANCED pool ff   total 30  free 30  backup 0  lts 15  max-misbal 3',
  });
  assert.equal(res.sendUpdates, false);
});

test('POOLREQ: answered with the count queued, or negatively with ISC’s line', () => {
  const free = Array.from({ length: 10 }, (_, k) => ({ address: BASE + k, ends: 0 }));
  const pools = [{ id: 1, network: 'lan', leaseCount: 10, free, backup: [] }];
  // lts 5, hold 1: pass 1 moves never-used leases while lts > 0: 5 of them.
  const yes = run({ trigger: 'poolreq', pools });
  assert.equal(yes.poolResp, 5);
  assert.equal(yes.sendUpdates, true);
  assert.equal(yes.sendPoolReq, false);
  const none = run({ trigger: 'poolreq', pools: [{ ...pools[0]!, free: [] }] });
  assert.equal(none.poolResp, 0);
  assert.deepEqual(none.log.at(-1), {
    level: 'info',
    text: 'peer dhcp-failover: Got POOLREQ, answering negatively!  Peer may be out of leases or database inconsistent.',
  });
  assert.equal(poolReqNegativeLine('x'), none.log.at(-1)!.text.replace('dhcp-failover', 'x'));
  assert.equal(poolRespLine(5), 'pool response: 5 leases');
});

test('outside NORMAL nothing is balanced or scheduled', () => {
  const free = Array.from({ length: 10 }, (_, k) => ({ address: BASE + k, ends: 0 }));
  const pools = [{ id: 1, network: 'lan', leaseCount: 10, free, backup: [] }];
  const res = run({ peer: peer({ normal: false }), pools });
  assert.deepEqual(res.moves, []);
  assert.deepEqual(res.log, []);
  assert.equal(res.schedBalance, 0);
  assert.equal(res.lastBalance, NOW - 3600);
  assert.equal(run({ trigger: 'poolreq', peer: peer({ normal: false }), pools }).log.length, 1);
});

test('two pools share one timer: the earlier estimate wins', () => {
  // Pool A: primary, 1 FREE never used, 1 BACKUP never used: lts 0, hold (20+50)/100 = 0: pass 0
  // stops at once (0 <= -0). Check: both heads age NOW: capped at 3600 -> NOW + 3600.
  // Pool B: 1 FREE ended NOW-2000, no BACKUP: lts (1-0)/2 = 0: no move. est1 = (30000+50)/100 =
  // 300, doubled 600; est2 = 0 -> NOW + 0, raised to NOW + 60: lower, so it wins.
  const res = run({
    pools: [
      { id: 0xa, network: 'a', leaseCount: 2, free: [{ address: 1, ends: 0 }], backup: [{ address: 2, ends: 0 }] },
      { id: 0xb, network: 'b', leaseCount: 1, free: [{ address: 3, ends: NOW - 2000 }], backup: [] },
    ],
  });
  assert.equal(res.moves.length, 0);
  assert.equal(res.log.length, 4);
  assert.equal(res.schedBalance, NOW + 60);
});

const check = (over: Partial<PoolCheckInput>): number | undefined =>
  poolCheck({
    role: 'primary',
    normal: true,
    config: balanceConfig({}),
    now: NOW,
    lastBalance: NOW - 100,
    schedBalance: 0,
    freeHeadEnds: undefined,
    backupHeadEnds: undefined,
    jitter: zero,
    ...over,
  });

test('poolCheck: ISC dhcp_failover_pool_check', () => {
  // Primary: FREE head ended 1000 s ago: (15000+50)/100 = 150, doubled 300; BACKUP 400 s ago:
  // (6000+50)/100 = 60. min 60 -> NOW + 60 (last balance NOW-100 + 60 is earlier), + jitter 2.
  const base = { freeHeadEnds: NOW - 1000, backupHeadEnds: NOW - 400, jitter: () => 2 };
  assert.equal(check(base), NOW + 62);
  assert.equal(check({ ...base, schedBalance: NOW + 50 }), undefined); // never moved later
  assert.equal(check({ ...base, schedBalance: NOW + 62 }), undefined); // nor to the same time
  assert.equal(check({ ...base, schedBalance: NOW + 100 }), NOW + 62);
  // Secondary doubles BACKUP's: 150 and 2 * 150 -> 150.
  assert.equal(check({ role: 'secondary', freeHeadEnds: NOW - 1000, backupHeadEnds: NOW - 1000 }), NOW + 150);
  // Empty lists (or heads not yet ended) estimate 0: now, raised to last balance + min-balance.
  assert.equal(check({ lastBalance: NOW - 30 }), NOW + 30);
  assert.equal(check({ freeHeadEnds: NOW + 500, lastBalance: NOW - 30 }), NOW + 30);
  // Never balanced (last_balance 0): no floor.
  assert.equal(check({ lastBalance: 0 }), NOW);
  // Never-used leases (ends 0) are as old as the epoch: capped by max-balance.
  assert.equal(check({ freeHeadEnds: 0, backupHeadEnds: 0 }), NOW + 3600);
  // Outside NORMAL nothing, and random() is not drawn.
  let drawn = 0;
  const jitter = () => {
    drawn++;
    return 0;
  };
  assert.equal(check({ normal: false, jitter }), undefined);
  assert.equal(drawn, 0);
});

test('secondaryNotHoarding: lts = (free - backup) / 2 > -hold, truncating as C does', () => {
  const cfg = balanceConfig({});
  assert.equal(secondaryNotHoarding(cfg, 50, 30), true); // hold 8, lts 10
  assert.equal(secondaryNotHoarding(cfg, 10, 30), false); // hold (400+50)/100 = 4, lts -10
  assert.equal(secondaryNotHoarding(cfg, 8, 11), true); // hold (190+50)/100 = 2, lts -3/2 = -1 (floor would say -2)
  assert.equal(secondaryNotHoarding(cfg, 0, 1), false); // hold 0, lts 0: 0 > 0 is false
  // hold = (total * mlo + 50) / 100, lts = (free - backup) / 2, lts > -hold (failover.c:5516-5527);
  // only max-lease-ownership is read, so a 0 (which balanceConfig would replace) can be tried.
  assert.equal(secondaryNotHoarding({ maxLeaseOwnership: 10 }, 50, 50), true); // 0 > -10
  assert.equal(secondaryNotHoarding({ maxLeaseOwnership: 10 }, 1, 100), false); // -49 > -10 is false
  assert.equal(secondaryNotHoarding({ maxLeaseOwnership: 0 }, 0, 3), false); // -1 > 0 is false
  assert.equal(secondaryNotHoarding({ maxLeaseOwnership: 0 }, 3, 0), true); // 1 > 0
  // (2 - 3) / 2 truncates to 0, not -1: 0 > -1 (hold = (5 * 10 + 50) / 100 = 1).
  assert.equal(secondaryNotHoarding({ maxLeaseOwnership: 10 }, 2, 3), true);
});
