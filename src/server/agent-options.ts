// Relay agent information kept with a lease (ISC ack_lease "stash-agent-options", on unless set
// false): the sub-options of a request's option 82 become the lease's `option agent.NAME VALUE;`
// lines, as ISC writes them, for as long as the lease is active.

import { lookupParameter, type Scope } from '../conf/scope-tree.js';
import type { LeaseOption } from '../leases/lease.js';
import type { Catalogue } from '../options/catalogue.js';
import { decodeOptionValue, encodeOptionValue } from '../options/codec.js';
import {
  type DhcpMessage,
  decodeRelayAgentInfo,
  encodeRelayAgentInfo,
  OPT_RELAY_AGENT_INFO,
  type SubOption,
} from '../wire/index.js';

/**
 * The agent options a commit stores: the request's option 82 when `stash-agent-options` is not
 * false, else undefined (the lease keeps what it had). Sub-options the catalogue cannot decode are
 * left out (ISC writes each as its catalogue entry prints it).
 */
export function stashedAgentOptions(
  request: DhcpMessage,
  chain: readonly Scope[],
  catalogue: unknown,
): LeaseOption[] | undefined {
  const raw = request.options.get(OPT_RELAY_AGENT_INFO);
  if (raw === undefined || raw.length === 0) return undefined;
  if (lookupParameter(chain, 'stash-agent-options')?.value === false) return undefined;
  const decoded = decodeRelayAgentInfo(raw);
  if (!decoded.ok) return undefined;
  const cat = catalogue as Catalogue;
  const out: LeaseOption[] = [];
  for (const sub of decoded.subOptions) {
    if (sub.data.length === 0) continue;
    const def = cat.byCodeOrUnknown('agent', sub.code);
    const value = decodeOptionValue(def.type, sub.data, cat);
    if (!value.ok) continue;
    out.push({ space: 'agent', name: def.name, code: def.code, type: def.type, value: value.value });
  }
  return out.length > 0 ? out : undefined;
}

/**
 * ISC dhcp(): a renewal unicast straight from a relayed client (ciaddr, no giaddr, no option 82)
 * is classified with the agent options stored on its lease, as if its relay had added them — so a
 * class that matches on `option agent.circuit-id` still matches it. Only while the lease is
 * active and recorded for this client (its uid, else its hardware address). Returns the request to
 * classify: the same object when nothing applies.
 */
export function withStashedAgentOptions(
  request: DhcpMessage,
  stored: readonly LeaseOption[] | undefined,
  catalogue: unknown,
): DhcpMessage {
  if (stored === undefined || stored.length === 0) return request;
  const subOptions: SubOption[] = [];
  for (const o of stored) {
    try {
      subOptions.push({ code: o.code, data: encodeOptionValue(o.type, o.value, catalogue as Catalogue) });
    } catch {
      // an option the catalogue cannot encode is left out, as a relay would leave it out
    }
  }
  if (subOptions.length === 0) return request;
  const options = new Map(request.options);
  options.set(OPT_RELAY_AGENT_INFO, encodeRelayAgentInfo(subOptions));
  return { ...request, options };
}
