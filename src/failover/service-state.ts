// ISC DHCP 4.4.3's failover service state (server/failover.c dhcp_failover_set_service_state):
// whether a server answers DHCP clients for the relationship's pools, from its own failover state
// and its partner's, and the " (why)" ISC appends to its log lines when it does not. One pure
// function for both callers: the relationship (relationship.ts, states by number, printed with
// wire.ts failoverStateName) and the lease rules (lease-rules.ts, states by ISC's name).

export type ServiceState = 'not-responding' | 'partner-down' | 'cooperating' | 'not-cooperating' | 'startup';

const NRR: Readonly<Record<string, string>> = {
  'unknown-state': ' (my state unknown)',
  'resolution-interrupted': ' (resolving conflicts)',
  'potential-conflict': ' (resolving conflicts)',
  'conflict-done': ' (resolving conflicts)',
  recover: ' (recovering)',
  shutdown: ' (shut down)',
  paused: ' (paused)',
  'recover-wait': ' (recover wait)',
  'recover-done': ' (recover done)',
};

/**
 * dhcp_failover_set_service_state, states by ISC's name (failoverStateName): whether the server
 * serves, and the " (why)" it logs when not (ISC's nrr). A state ISC does not know counts as
 * unknown-state (ISC: log_fatal). The partner's partner-down or conflict states stop service that
 * our own state would give; an absent partner state has no effect.
 */
export function serviceState(myState: string, partnerState?: string): { state: ServiceState; nrr: string } {
  let r: { state: ServiceState; nrr: string };
  if (myState === 'partner-down') r = { state: 'partner-down', nrr: '' };
  else if (myState === 'normal') r = { state: 'cooperating', nrr: '' };
  else if (myState === 'communications-interrupted') r = { state: 'not-cooperating', nrr: '' };
  else if (myState === 'startup') r = { state: 'startup', nrr: ' (startup)' };
  else r = { state: 'not-responding', nrr: NRR[myState] ?? ' (my state unknown)' };
  if (r.state === 'not-responding') return r;
  if (partnerState === 'partner-down') return { state: 'not-responding', nrr: ' (peer demands: recovering)' };
  if (
    partnerState === 'potential-conflict' ||
    partnerState === 'conflict-done' ||
    partnerState === 'resolution-interrupted'
  )
    return { state: 'not-responding', nrr: ' (peer demands: resolving conflicts)' };
  return r;
}
