// ISC DHCP 4.4.3's failover state transitions (server/failover.c) as pure decisions: from our state,
// the state STARTUP returns to, the partner's previous and new state, our role and the STATE
// message's startup flag, which state this server moves to next and what it does first. The
// relationship (relationship.ts) carries a decision out: the actions in order, then its setState
// (dhcp_failover_set_state: persist, "I move from", STATE to the partner, the new state's own
// actions). Nothing here owns a queue, a timer or a clock. The log lines are ISC's, byte for byte.

import { failoverStateName, FO_STATE as S } from './wire.js';

/** Something a transition does before it enters its next state. */
export type TransitionAction =
  | { kind: 'log'; level: 'info' | 'error'; text: string }
  /** dhcp_failover_send_update_request (everything: _all): UPDREQ or UPDREQALL. */
  | { kind: 'update-request'; everything: boolean }
  /** dhcp_failover_send_updates: send what the update queue holds. */
  | { kind: 'send-updates' }
  /** dhcp_failover_pool_check: (re)schedule the rebalance timer. */
  | { kind: 'schedule-balance' }
  /** dhcp_failover_rescind_updates: unacknowledged updates go back on the update queue. */
  | { kind: 'rescind' };

/** A decision: the actions, in order, then the state to enter (none: the state stays). */
export interface Transition {
  actions: TransitionAction[];
  next?: number;
}

/** The states ISC knows (enum failover_state); a partner announcing another is shut down on. */
export const KNOWN_STATES: ReadonlySet<number> = new Set<number>([
  S.UNKNOWN_STATE,
  S.STARTUP,
  S.NORMAL,
  S.COMMUNICATIONS_INTERRUPTED,
  S.PARTNER_DOWN,
  S.POTENTIAL_CONFLICT,
  S.RECOVER,
  S.PAUSED,
  S.SHUTDOWN,
  S.RECOVER_DONE,
  S.RESOLUTION_INTERRUPTED,
  S.CONFLICT_DONE,
  S.RECOVER_WAIT,
]);

const STAY: Transition = { actions: [] };
const log = (level: 'info' | 'error', text: string): TransitionAction => ({ kind: 'log', level, text });
const to = (next: number, ...actions: TransitionAction[]): Transition => ({ actions, next });

/**
 * dhcp_failover_state_transition(state, "disconnect"): the link to the partner is lost (or the
 * 15 s of STARTUP passed without hearing it). Decided on the state STARTUP returns to: NORMAL
 * becomes COMMUNICATIONS-INTERRUPTED, POTENTIAL-CONFLICT (and unknown) RESOLUTION-INTERRUPTED; the
 * states that already do without the partner stay (leaving STARTUP), CONFLICT-DONE rescinding its
 * unacknowledged updates.
 */
export function disconnected(me: number, saved: number): Transition {
  const current = me === S.STARTUP ? saved : me;
  switch (current) {
    case S.CONFLICT_DONE:
    case S.COMMUNICATIONS_INTERRUPTED:
    case S.PARTNER_DOWN:
    case S.PAUSED:
    case S.RECOVER:
    case S.RECOVER_DONE:
    case S.RECOVER_WAIT:
    case S.RESOLUTION_INTERRUPTED:
    case S.SHUTDOWN: {
      const actions: TransitionAction[] = current === S.CONFLICT_DONE ? [{ kind: 'rescind' }] : [];
      return me === S.STARTUP ? { actions, next: saved } : { actions };
    }
    case S.POTENTIAL_CONFLICT:
    case S.UNKNOWN_STATE:
      return to(S.RESOLUTION_INTERRUPTED);
    case S.NORMAL:
      return to(S.COMMUNICATIONS_INTERRUPTED);
    default:
      return STAY;
  }
}

/** What dhcp_failover_peer_state_changed decides on. */
export interface PeerStateInput {
  /** The relationship's name, for ISC's log lines. */
  name: string;
  /** Our state (STARTUP while starting up). */
  me: number;
  /** The state STARTUP returns to (me.saved). */
  saved: number;
  /** The partner's state as we knew it. */
  previous: number;
  /** The state the partner's STATE message announces. */
  next: number;
  /** The STATE message's server-flags has STARTUP set. */
  startup: boolean;
  /** The first STATE on a new link (a restart or a lost link since the partner's last one). */
  firstOnLink?: boolean;
}

/**
 * dhcp_failover_peer_state_changed: the partner's STATE message. `record` false: the partner only
 * repeated the state we knew, which is no news in our state (only leaving STARTUP for the saved
 * state may follow). `record` true: the caller records the partner's new state (with ISC's "peer
 * moves from" line, "Both servers normal" and a persist), carries out the decision, and then
 * leaves STARTUP for the saved state if still in it.
 */
export function peerStateChanged(input: PeerStateInput): Transition & { record: boolean } {
  const { me, saved, previous, next } = input;
  // Departure: back in touch in RECOVER-WAIT or RECOVER-DONE (from a restart, or after the link was
  // lost) with a partner in PARTNER-DOWN, a server has missed what the partner did meanwhile, as one
  // back in NORMAL has (ISC moves that one to RECOVER): it recovers again. ISC stayed, went on to
  // NORMAL with the partner while the partner's updates were still queued, and handed out addresses
  // the partner had bound meanwhile.
  const current = me === S.STARTUP ? saved : me;
  if (input.firstOnLink && next === S.PARTNER_DOWN && (current === S.RECOVER_WAIT || current === S.RECOVER_DONE)) {
    return { record: previous !== next, ...to(S.RECOVER) };
  }
  if (previous === next && me !== S.UNKNOWN_STATE) {
    switch (me) {
      case S.STARTUP:
        return { record: false, ...to(saved === S.RESOLUTION_INTERRUPTED ? S.POTENTIAL_CONFLICT : saved) };
      case S.PARTNER_DOWN:
      case S.COMMUNICATIONS_INTERRUPTED:
      case S.RESOLUTION_INTERRUPTED:
      case S.RECOVER:
      case S.CONFLICT_DONE:
        break;
      default:
        return { record: false, ...STAY };
    }
  }
  return { record: true, ...partnerMoved(input) };
}

/** The switch of dhcp_failover_peer_state_changed, on the state STARTUP returns to. */
function partnerMoved({ name, me, saved, previous, next, startup }: PeerStateInput): Transition {
  if (!KNOWN_STATES.has(next)) return to(S.SHUTDOWN, log('error', `failover peer ${name}: Invalid state: ${next}`));
  const current = me === S.STARTUP ? saved : me;
  const from = failoverStateName(previous);
  const onto = failoverStateName(next);
  switch (current) {
    case S.NORMAL:
      switch (next) {
        case S.NORMAL:
          return { actions: [{ kind: 'schedule-balance' }] };
        case S.PARTNER_DOWN:
          return to(me === S.STARTUP ? S.RECOVER : S.POTENTIAL_CONFLICT);
        case S.POTENTIAL_CONFLICT:
        case S.RESOLUTION_INTERRUPTED:
        case S.CONFLICT_DONE:
          return to(S.SHUTDOWN, log('error', `Peer ${name}: Invalid state transition ${from} to ${onto}.`));
        case S.RECOVER:
        case S.SHUTDOWN:
          return to(S.PARTNER_DOWN);
        case S.PAUSED:
          return to(S.COMMUNICATIONS_INTERRUPTED);
        default:
          return STAY;
      }
    case S.RECOVER:
      switch (next) {
        case S.RECOVER: {
          const actions = [log('info', `failover peer ${name}: requesting full update from peer`)];
          if (me === S.RECOVER) actions.push({ kind: 'update-request', everything: true });
          return { actions };
        }
        case S.POTENTIAL_CONFLICT:
        case S.RESOLUTION_INTERRUPTED:
        case S.CONFLICT_DONE:
        case S.NORMAL:
          return to(S.POTENTIAL_CONFLICT);
        case S.PARTNER_DOWN:
        case S.COMMUNICATIONS_INTERRUPTED:
          return me === S.RECOVER ? { actions: [{ kind: 'update-request', everything: true }] } : STAY;
        case S.SHUTDOWN:
          return to(S.PARTNER_DOWN);
        default:
          return STAY;
      }
    case S.POTENTIAL_CONFLICT:
      switch (next) {
        case S.NORMAL:
          return to(
            S.SHUTDOWN,
            log('error', `Peer ${name} moves to normal during conflict resolution - panic, shutting down.`),
          );
        case S.CONFLICT_DONE:
          return previous === S.POTENTIAL_CONFLICT
            ? { actions: [{ kind: 'update-request', everything: false }] }
            : { actions: [log('error', `Peer ${name}: Unexpected move to conflict-done.`)] };
        case S.RECOVER:
          return to(S.RECOVER);
        case S.SHUTDOWN:
          return to(S.PARTNER_DOWN);
        default:
          return STAY;
      }
    case S.CONFLICT_DONE:
      switch (next) {
        case S.NORMAL:
        case S.SHUTDOWN:
          return to(next);
        case S.POTENTIAL_CONFLICT:
        case S.RESOLUTION_INTERRUPTED:
          return STAY;
        default:
          // ISC: log_fatal. A server must not die of its partner's message: shut the relationship down.
          return to(
            S.SHUTDOWN,
            log(
              'error',
              `Peer ${name}: Invalid attempt to move from ${from} to ${onto} while local state is conflict-done.`,
            ),
          );
      }
    case S.PARTNER_DOWN:
      if (startup) return STAY;
      switch (next) {
        case S.RECOVER_DONE:
          return to(S.NORMAL);
        case S.NORMAL:
        case S.POTENTIAL_CONFLICT:
        case S.PARTNER_DOWN:
        case S.COMMUNICATIONS_INTERRUPTED:
        case S.RESOLUTION_INTERRUPTED:
        case S.CONFLICT_DONE:
          return to(S.POTENTIAL_CONFLICT);
        default:
          return STAY;
      }
    case S.COMMUNICATIONS_INTERRUPTED:
      switch (next) {
        case S.RECOVER:
          return to(S.PARTNER_DOWN);
        case S.NORMAL:
        case S.COMMUNICATIONS_INTERRUPTED:
        case S.RECOVER_DONE:
        case S.RECOVER_WAIT:
          return to(S.NORMAL, { kind: 'send-updates' });
        case S.POTENTIAL_CONFLICT:
        case S.PARTNER_DOWN:
        case S.RESOLUTION_INTERRUPTED:
        case S.CONFLICT_DONE:
          return to(S.POTENTIAL_CONFLICT);
        case S.SHUTDOWN:
          return to(S.PARTNER_DOWN);
        default:
          return STAY;
      }
    case S.RESOLUTION_INTERRUPTED:
      switch (next) {
        case S.SHUTDOWN:
          return to(S.PARTNER_DOWN);
        case S.PAUSED:
        case S.UNKNOWN_STATE:
        case S.STARTUP:
          return STAY;
        default:
          return to(S.POTENTIAL_CONFLICT);
      }
    case S.RECOVER_DONE:
      switch (next) {
        case S.RECOVER_DONE:
          return to(S.NORMAL, log('error', 'Both servers have entered recover-done!'));
        case S.NORMAL:
          return to(S.NORMAL);
        case S.SHUTDOWN:
          return to(S.PARTNER_DOWN);
        default:
          return STAY;
      }
    default:
      // RECOVER-WAIT waits; SHUTDOWN and PAUSED make no automatic transition.
      return STAY;
  }
}

/** What dhcp_failover_process_update_done decides on. */
export interface UpdateDoneInput {
  me: number;
  partner: number;
  role: 'primary' | 'secondary';
  /** MCLT has not passed since we entered our state (me.stos + mclt > now). */
  mcltAhead: boolean;
}

/**
 * dhcp_failover_process_update_done: the partner sent everything our update request asked for.
 * POTENTIAL-CONFLICT: the primary moves to CONFLICT-DONE, the secondary (its partner already
 * CONFLICT-DONE) to NORMAL. RECOVER: RECOVER-WAIT until MCLT has passed, else RECOVER-DONE; two
 * servers both in RECOVER (or the partner RECOVER-DONE) are a new pair and do not wait.
 */
export function updateDone({ me, partner, role, mcltAhead }: UpdateDoneInput): Transition {
  switch (me) {
    case S.POTENTIAL_CONFLICT:
      if (partner === S.CONFLICT_DONE) {
        if (role === 'secondary') return to(S.NORMAL);
        return to(
          S.SHUTDOWN,
          log('error', 'Secondary is in conflict_done state after conflict resolution, this is illegal.'),
        );
      }
      if (role === 'primary') return to(S.CONFLICT_DONE);
      return { actions: [log('error', 'Spurious update-done message.')] };
    case S.CONFLICT_DONE:
      return { actions: [log('error', 'Spurious update-done message.')] };
    case S.RECOVER:
      return mcltAhead && partner !== S.RECOVER && partner !== S.RECOVER_DONE ? to(S.RECOVER_WAIT) : to(S.RECOVER_DONE);
    default:
      return STAY;
  }
}
