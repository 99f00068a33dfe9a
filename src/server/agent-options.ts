// Relay agent information kept with a lease (ISC ack_lease "stash-agent-options", on unless set
// false): the sub-options of a request's option 82 become the lease's `option agent.NAME VALUE;`
// lines, as ISC writes them, for as long as the lease is active.

import { lookupParameter, type Scope } from '../conf/scope-tree.js';
import type { LeaseOption } from '../leases/lease.js';
import type { Catalogue } from '../options/catalogue.js';
import { decodeOptionValue } from '../options/codec.js';
import { type DhcpMessage, decodeRelayAgentInfo, OPT_RELAY_AGENT_INFO } from '../wire/index.js';

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
