// Pool rebalancing between the partners as ISC dhcpd 4.4.3 does it (server/failover.c
// dhcp_failover_pool_balance / _rebalance / _reqbalance / _dobalance, dhcp_failover_pool_check,
// secondary_not_hoarding (used by binding-rules.ts), peer_wants_lease (load-balance.ts); defaults
// from includes/failover.h; lease_mine_to_reallocate is lease-rules.ts mineToReallocate). Why it is
// its own file: which leases move, the log lines and the next timer are what an operator compares
// between an ISC pair and a Leasehold one.
// - FREE leases are the primary's to allocate, BACKUP ones the secondary's. In NORMAL, each side
//   gives away half its surplus of its own kind (lts = (mine - theirs) / 2): the primary moves
//   FREE -> BACKUP, and the secondary, symmetrically, BACKUP -> FREE (ISC 4.x balances from
//   both sides; POOLREQ only asks the partner to run its balance now).
// - Two passes over the giving list (oldest `ends` first): first the leases whose client the
//   partner serves (MAC affinity), down to lts = -hold; then any, down to 0 for never-used leases
//   or to +hold for used ones.
// - The next balance: the age of the oldest FREE/BACKUP lease scaled by max-lease-misbalance,
//   the own side's doubled, capped by max-balance, floored at last balance + min-balance, plus
//   random() % 5 seconds; the timer is only ever moved earlier.
// Pure: the caller owns the timer, the lease store, the failover link and the clock.

import { type LeaseIdentity, peerWantsLease } from './load-balance.js';

export type FailoverRole = 'primary' | 'secondary';

/** ISC's defaults (failover.h): a peer declaration's missing or 0 value takes these (confpars.c). */
export const BALANCE_DEFAULTS: Readonly<BalanceConfig> = Object.freeze({
  maxLeaseMisbalance: 15,
  maxLeaseOwnership: 10,
  maxBalance: 3600,
  minBalance: 60,
});

/** The peer declaration's balancing numbers. */
export interface BalanceConfig {
  /** `max-lease-misbalance`, percent of FREE+BACKUP: above it the pool is IMBALANCED; twice it, POOLREQ. */
  maxLeaseMisbalance: number;
  /** `max-lease-ownership`, percent of FREE+BACKUP either side may hold beyond an even split. */
  maxLeaseOwnership: number;
  /** `max-balance`, seconds: the longest wait before the next balance. */
  maxBalance: number;
  /** `min-balance`, seconds: the shortest gap after a balance before the next one. */
  minBalance: number;
}

/** The numbers as dhcpd ends up with them: 0 or absent means the default (so 0 cannot be configured). */
export function balanceConfig(decl: Partial<BalanceConfig>): BalanceConfig {
  const or = (v: number | undefined, d: number) => (v === undefined || v === 0 ? d : v);
  return {
    maxLeaseMisbalance: or(decl.maxLeaseMisbalance, BALANCE_DEFAULTS.maxLeaseMisbalance),
    maxLeaseOwnership: or(decl.maxLeaseOwnership, BALANCE_DEFAULTS.maxLeaseOwnership),
    maxBalance: or(decl.maxBalance, BALANCE_DEFAULTS.maxBalance),
    minBalance: or(decl.minBalance, BALANCE_DEFAULTS.minBalance),
  };
}

/** A FREE or BACKUP lease as the balance sees it. */
export interface PoolLease extends LeaseIdentity {
  /** The address as a 32-bit number. */
  address: number;
  /** ISC `ends`: when the lease last ended; 0 for one never used. The lists are sorted by it. */
  ends: number;
}

/** One pool that names the peer. */
export interface BalancePool {
  /** Stands in for ISC's pool pointer, printed in hex (`%lx`): any stable number. */
  id: number;
  /** The pool's shared network name (ISC prints "" when there is none). */
  network: string | undefined;
  /** ISC's lease_count: every lease of the pool, in any state; printed as `total`. */
  leaseCount: number;
  /**
   * The FREE leases in ISC's queue order: ascending `ends`, a lease inserted before others with the
   * same `ends` (lease_insert). Reserved leases are not here (ISC queues them apart and does not
   * count them). Its length is ISC's free_leases.
   */
  free: readonly PoolLease[];
  /** The BACKUP leases, likewise (length = backup_leases). */
  backup: readonly PoolLease[];
}

/** The failover peer state the balance reads and writes. */
export interface BalancePeer {
  /** The peer's name (`failover peer "NAME"`), for the POOLREQ log line. */
  name: string;
  role: FailoverRole;
  /** Our failover state is NORMAL (me.state == normal); elsewhere nothing is balanced or scheduled. */
  normal: boolean;
  /** The HBA (for MAC affinity); without one no lease is given for affinity. */
  hba: Uint8Array | undefined;
  config: BalanceConfig;
  /** ISC last_balance: when the last balance ran; 0 before the first. */
  lastBalance: number;
}

/**
 * Which entry point runs the balance:
 * - 'enter-normal': dhcp_failover_pool_balance, on entering NORMAL (no POOLREQ sent);
 * - 'timer': dhcp_failover_pool_rebalance, the scheduled timer (the only one that sends POOLREQ);
 * - 'poolreq': dhcp_failover_pool_reqbalance, the partner's POOLREQ (answered with POOLRESP).
 */
export type BalanceTrigger = 'enter-normal' | 'timer' | 'poolreq';

export interface BalanceInput {
  trigger: BalanceTrigger;
  peer: BalancePeer;
  /** The pools naming this peer, in ISC's order (shared networks, then their pools). */
  pools: readonly BalancePool[];
  now: number;
  /** ISC's `random() % 5` (an integer 0..4), drawn once per schedule computation. */
  jitter: () => number;
}

/** A log line with ISC's level (log_info or log_error). */
export interface BalanceLogLine {
  level: 'info' | 'error';
  text: string;
}

/** A lease to give to the partner; ISC also sets tstp and starts to now and drops the client hostname. */
export interface BalanceMove {
  /** Index into BalanceInput.pools. */
  pool: number;
  address: number;
  /** The new binding state: BACKUP when the primary gives, FREE when the secondary does. */
  to: 'backup' | 'free';
  tstp: number;
  starts: number;
}

export interface BalanceResult {
  /** In ISC's order; each is written, then sent to the partner as a binding update. */
  moves: BalanceMove[];
  log: BalanceLogLine[];
  /** The new last_balance (now, when the balance ran). */
  lastBalance: number;
  /** When the rebalance timer is to fire; 0: no timer (every trigger first cancels the old one). */
  schedBalance: number;
  /** Send the queued binding updates now ('timer' and 'poolreq' do when leases were queued). */
  sendUpdates: boolean;
  /** Send a POOLREQ to the partner ('timer' only, when a pool is short by more than twice the misbalance). */
  sendPoolReq: boolean;
  /** For 'poolreq': the POOLRESP's count of leases queued to the partner. */
  poolResp?: number;
}

const roundPercent = (n: number, pct: number) => Math.floor((n * pct + 50) / 100);

/** ISC's balance entry points (see BalanceTrigger) with dhcp_failover_pool_dobalance behind them. */
export function balancePools(input: BalanceInput): BalanceResult {
  const { peer, now, trigger } = input;
  const res: BalanceResult = {
    moves: [],
    log: [],
    lastBalance: peer.lastBalance,
    schedBalance: 0,
    sendUpdates: false,
    sendPoolReq: false,
  };
  if (peer.normal) {
    res.lastBalance = now;
    input.pools.forEach((pool, i) => {
      balanceOne(input, pool, i, res);
    });
  }
  const queued = res.moves.length;
  if (trigger === 'timer') res.sendUpdates = queued > 0;
  else if (trigger === 'poolreq') {
    res.poolResp = queued;
    res.sendUpdates = queued > 0;
    if (queued === 0) res.log.push({ level: 'info', text: poolReqNegativeLine(peer.name) });
  }
  return res;
}

/** One pool of dhcp_failover_pool_dobalance, with the pool checks its lease changes cause. */
function balanceOne(input: BalanceInput, pool: BalancePool, index: number, res: BalanceResult): void {
  const { peer, now } = input;
  const { maxLeaseMisbalance, maxLeaseOwnership } = peer.config;
  const primary = peer.role === 'primary';
  const give = primary ? pool.free : pool.backup;
  const take = primary ? pool.backup : pool.free;
  let free = pool.free.length;
  let backup = pool.backup.length;
  let lts = Math.trunc((primary ? free - backup : backup - free) / 2);
  const total = free + backup;
  const thresh = roundPercent(total, maxLeaseMisbalance);
  const hold = roundPercent(total, maxLeaseOwnership);
  let panic = thresh * -2;
  if (panic === 0) panic = -1;
  let reqlog = '';
  if (input.trigger === 'timer' && lts < panic) {
    reqlog = '  (requesting peer rebalance!)';
    res.sendPoolReq = true;
  }
  const net = pool.network ?? '';
  res.log.push({
    level: 'info',
    text: `balancing pool ${hex(pool.id)} ${net}  total ${pool.leaseCount}  free ${free}  backup ${backup}  lts ${lts}  max-own (+/-)${hold}${reqlog}`,
  });

  // The giving list is walked twice; `moved` marks what left it, `takeHead` is the receiving
  // list's first `ends` (what pool_check reads there).
  const moved = new Uint8Array(give.length);
  let head = 0; // the giving list's first unmoved index (moves only ever advance it)
  let takeHead = take.length > 0 ? take[0]!.ends : undefined;
  let pass = 0;
  let i = 0;
  while (i < give.length) {
    const lp = give[i]!;
    if (pass !== 0) {
      if (lp.ends !== 0 ? lts <= hold : lts <= 0) break;
    } else if (lts <= -hold) break;
    if (pass !== 0 || peerWantsLease(peer.role, peer.hba, lp)) {
      lts--;
      moved[i] = 1;
      res.moves.push({ pool: index, address: lp.address, to: primary ? 'backup' : 'free', tstp: now, starts: now });
      if (primary) {
        free--;
        backup++;
      } else {
        backup--;
        free++;
      }
      if (takeHead === undefined || lp.ends <= takeHead) takeHead = lp.ends;
      head = nextUnmoved(moved, head);
      checkAfterChange(input, res, give[head]?.ends, takeHead);
    }
    i = pass === 0 ? i + 1 : nextUnmoved(moved, i + 1);
    if (i >= give.length && pass === 0) {
      pass = 1;
      i = nextUnmoved(moved, 0);
    }
  }

  const imbalanced = lts > thresh;
  res.log.push({
    level: imbalanced ? 'error' : 'info',
    text: `${imbalanced ? 'IMBALANCED' : 'balanced'} pool ${hex(pool.id)} ${net}  total ${pool.leaseCount}  free ${free}  backup ${backup}  lts ${lts}  max-misbal ${thresh}`,
  });
  checkAfterChange(input, res, give[nextUnmoved(moved, head)]?.ends, takeHead);
}

function nextUnmoved(moved: Uint8Array, from: number): number {
  let i = from;
  while (i < moved.length && moved[i] !== 0) i++;
  return i;
}

/** dhcp_failover_pool_check inside the balance, with the giving/receiving heads put back in FREE/BACKUP order. */
function checkAfterChange(
  input: BalanceInput,
  res: BalanceResult,
  giveHead: number | undefined,
  takeHead: number | undefined,
): void {
  const { peer } = input;
  const primary = peer.role === 'primary';
  const next = poolCheck({
    role: peer.role,
    normal: peer.normal,
    config: peer.config,
    now: input.now,
    lastBalance: res.lastBalance,
    schedBalance: res.schedBalance,
    freeHeadEnds: primary ? giveHead : takeHead,
    backupHeadEnds: primary ? takeHead : giveHead,
    jitter: input.jitter,
  });
  if (next !== undefined) res.schedBalance = next;
}

/** What dhcp_failover_pool_check reads. */
export interface PoolCheckInput {
  role: FailoverRole;
  /** Our state is NORMAL; otherwise nothing is scheduled. */
  normal: boolean;
  config: BalanceConfig;
  now: number;
  /** ISC last_balance (0: never balanced, then min-balance does not apply). */
  lastBalance: number;
  /** ISC sched_balance: the pending rebalance timer, 0 when none. */
  schedBalance: number;
  /** `ends` of the pool's first FREE lease (its oldest); undefined when there is none. */
  freeHeadEnds: number | undefined;
  /** `ends` of the pool's first BACKUP lease; undefined when there is none. */
  backupHeadEnds: number | undefined;
  /** ISC's `random() % 5`. */
  jitter: () => number;
}

/**
 * dhcp_failover_pool_check, run whenever a pool's FREE or BACKUP leases change: the new
 * sched_balance when the rebalance timer is to move earlier (cancel it and set this), else
 * undefined. The estimate is how long ago the oldest lease of each list ended (0 if it has not),
 * times max-lease-misbalance % (rounded), doubled for our own list (FREE on the primary), the
 * smaller of the two, at most max-balance; then now + that, no earlier than last balance +
 * min-balance, plus 0..4 s.
 */
export function poolCheck(input: PoolCheckInput): number | undefined {
  if (!input.normal) return undefined;
  const { now, config } = input;
  const age = (ends: number | undefined) => (ends !== undefined && ends < now ? now - ends : 0);
  let est1 = roundPercent(age(input.freeHeadEnds), config.maxLeaseMisbalance);
  let est2 = roundPercent(age(input.backupHeadEnds), config.maxLeaseMisbalance);
  if (input.role === 'primary') est1 *= 2;
  else est2 *= 2;
  if (est1 > est2) est1 = est2;
  if (est1 > config.maxBalance) est1 = config.maxBalance;
  est1 += now;
  const floor = input.lastBalance + config.minBalance;
  if (input.lastBalance !== 0 && est1 < floor) est1 = floor;
  est1 += input.jitter();
  if (input.schedBalance !== 0 && est1 >= input.schedBalance) return undefined;
  return est1;
}

/**
 * secondary_not_hoarding (on the primary, with the pool's counts after the lease went FREE): a
 * returning lease whose client the secondary serves goes to BACKUP only while the secondary holds
 * less than its share: lts = (free - backup) / 2 stays above -hold.
 */
export function secondaryNotHoarding(
  config: Pick<BalanceConfig, 'maxLeaseOwnership'>,
  freeLeases: number,
  backupLeases: number,
): boolean {
  const hold = roundPercent(freeLeases + backupLeases, config.maxLeaseOwnership);
  return Math.trunc((freeLeases - backupLeases) / 2) > -hold;
}

/** The line ISC logs when a POOLREQ moved nothing (dhcp_failover_pool_reqbalance). */
export function poolReqNegativeLine(peerName: string): string {
  return `peer ${peerName}: Got POOLREQ, answering negatively!  Peer may be out of leases or database inconsistent.`;
}

/** The line ISC logs on receiving a POOLRESP (dhcp_failover_process). */
export function poolRespLine(addressesTransferred: number): string {
  return `pool response: ${addressesTransferred} leases`;
}

const hex = (id: number) => id.toString(16);
