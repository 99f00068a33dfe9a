// Retransmission delays. Two policies:
//
//  'rfc2131' (default): RFC 2131 4.1 — "the delay before the first retransmission SHOULD be 4 seconds
//     randomized by the value of a uniform random number chosen from the range -1 to +1 ... The delay before
//     the next retransmission SHOULD be 8 seconds randomized ..., up to a maximum of 64 seconds". The base
//     starts at 4 s and doubles to 64 s; a dhclient.conf that sets initial-interval or backoff-cutoff
//     explicitly moves the start and the cap, so existing tuning keeps its meaning.
//  'isc': exactly what dhclient 4.4 does (send_discover/send_request): the interval starts at
//     initial-interval, each retransmission adds random() % (2 * interval), and past backoff-cutoff it becomes
//     cutoff/2 + random() % cutoff. Whole seconds, which is why ISC captures show 3..8 s first gaps.
//
// In RENEWING and REBINDING the RFC (4.4.5) asks for half the remaining time to T2 (resp. expiry), at least
// 60 s; both policies clamp to the next deadline so the switch to broadcast at T2 and EXPIRE happen on time.
import type { ClientConfig } from './config.js';

export type BackoffPolicy = 'rfc2131' | 'isc';

/** A source of uniform random numbers in [0, 1). */
export type RandomSource = () => number;

/** A uniform integer in [0, n) (ISC's `random() % n`); 0 when n <= 0. */
export function randomInt(random: RandomSource, n: number): number {
  return n > 0 ? Math.floor(random() * n) : 0;
}

export interface BackoffState {
  /** Transmissions made so far in this exchange (0 before the first). */
  count: number;
  /** ISC's client->interval, in seconds (isc policy only). */
  interval: number;
}

/** A new exchange: ISC sets interval = initial-interval before the first send (state_init, state_bound). */
export function newBackoff(cfg: Pick<ClientConfig, 'initialInterval'>): BackoffState {
  return { count: 0, interval: cfg.initialInterval };
}

/**
 * The delay in milliseconds after a transmission until the next one, advancing `state`. The ISC policy reads
 * `interval` as initialised at the start of the exchange (initial-interval) and grows it before each send, as
 * dhclient does, so the very first gap is already randomised.
 */
export function nextDelay(
  policy: BackoffPolicy,
  state: BackoffState,
  cfg: Pick<ClientConfig, 'initialInterval' | 'backoffCutoff' | 'explicit'>,
  random: RandomSource,
): number {
  state.count++;
  if (policy === 'isc') {
    if (!state.interval) state.interval = cfg.initialInterval;
    else state.interval += randomInt(random, 2 * state.interval);
    if (state.interval > cfg.backoffCutoff) {
      state.interval = Math.floor(cfg.backoffCutoff / 2) + randomInt(random, cfg.backoffCutoff);
    }
    return state.interval * 1000;
  }
  const start = cfg.explicit.has('initial-interval') ? Math.max(1, cfg.initialInterval) : 4;
  const cap = cfg.explicit.has('backoff-cutoff') ? Math.max(1, cfg.backoffCutoff) : 64;
  const base = Math.min(start * 2 ** Math.min(state.count - 1, 30), cap);
  // Uniform in [-1 s, +1 s], to the millisecond; never below half a second.
  const jitter = Math.round((random() * 2 - 1) * 1000);
  return Math.max(500, base * 1000 + jitter);
}

/**
 * The delay after a transmission that does not back off: the same interval again (ISC keeps its interval while
 * it tries the next `media` entry; the whole list is tried before the interval grows). RFC 2131's policy keeps
 * the current base with a fresh +-1 s.
 */
export function repeatDelay(
  policy: BackoffPolicy,
  state: BackoffState,
  cfg: Pick<ClientConfig, 'initialInterval' | 'backoffCutoff' | 'explicit'>,
  random: RandomSource,
): number {
  if (state.count === 0) return nextDelay(policy, state, cfg, random);
  if (policy === 'isc') return state.interval * 1000;
  state.count--;
  return nextDelay(policy, state, cfg, random);
}

/** RFC 2131 4.4.5: half the time left until `deadlineMs`, at least 60 s, never past the deadline. */
export function halfwayDelay(nowMs: number, deadlineMs: number): number {
  const left = deadlineMs - nowMs;
  return Math.max(0, Math.min(left, Math.max(60_000, Math.floor(left / 2))));
}
