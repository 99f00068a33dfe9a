// The failover simulation's end-of-schedule checks (server-sim.ts finish()): invariant (2), the two
// databases against each other, and (4), each lease file read back against its server's memory; and
// the trace's text for a failover message.

import { bindingStatusName, type FailoverMessage, FO_STATE, messageName } from '../../../src/failover/wire.js';
import { parseLeasesBytes } from '../../../src/leases/reader.js';
import { Allocator } from '../../../src/server/allocator.js';
import type { FailoverSlotInfo } from '../../../src/server/failover-slots.js';
import { ipToString } from '../../../src/wire/index.js';
import type { SimNode } from './server-sim-node.js';

/** The simulation's time 0 (seconds since the epoch). */
export const T0 = 1_800_000_000;

export function msgText(m: FailoverMessage): string {
  const parts = [messageName(m.type), `xid ${m.xid}`];
  if (m.assignedIpAddress !== undefined) parts.push(ipToString(m.assignedIpAddress));
  if (m.bindingStatus !== undefined) parts.push(bindingStatusName(m.bindingStatus) ?? String(m.bindingStatus));
  if (m.leaseExpiry !== undefined) parts.push(`ends ${m.leaseExpiry - T0}`);
  if (m.potentialExpiry !== undefined) parts.push(`tstp ${m.potentialExpiry - T0}`);
  if (m.chaddr !== undefined) parts.push(`hw ${Buffer.from(m.chaddr.address).toString('hex')}`);
  if (m.serverState !== undefined) parts.push(stateName(m.serverState));
  if (m.rejectReason !== undefined) parts.push(`reject ${m.rejectReason} ${m.message ?? ''}`);
  return parts.join(' ');
}

export const stateName = (s: number): string => Object.entries(FO_STATE).find(([, v]) => v === s)?.[0] ?? String(s);

const hwText = (i: FailoverSlotInfo): string =>
  i.hardware === undefined ? '-' : `${i.hardware.type}/${Buffer.from(i.hardware.address).toString('hex')}`;
const uidText = (i: FailoverSlotInfo): string => (i.uid === undefined ? '-' : Buffer.from(i.uid).toString('hex'));
const hasClient = (s: string): boolean => s === 'active' || s === 'expired' || s === 'released';

/**
 * Invariant (2), what ISC's partners agree on once every update is acknowledged: the binding state of
 * every address (FREE and BACKUP are whose it is to give, so they must match), its end, and for a
 * lease that has a client (active, expired, released) that client. Free and backup leases may differ
 * in the client identity they remember: an offer puts it there in memory only (ISC ack_lease's
 * DHCPOFFER), and the partner never hears of it.
 */
export function compareDatabases(a: Allocator, b: Allocator): string[] {
  const out: string[] = [];
  for (const pool of a.failoverPools('fo')) {
    for (const slot of a.failoverSlotsOf(pool)) {
      const x = a.failoverSlotInfo(slot)!;
      const other = b.slotOf(x.address);
      const y = other < 0 ? undefined : b.failoverSlotInfo(other);
      const where = ipToString(x.address);
      if (y === undefined) {
        out.push(`${where}: not in the secondary's failover pools`);
        continue;
      }
      if (x.state !== y.state) out.push(`${where}: state ${x.state} vs ${y.state}`);
      if (x.ends !== y.ends) out.push(`${where} (${x.state}): ends ${x.ends - T0} vs ${y.ends - T0}`);
      if (hasClient(x.state) && x.state === y.state) {
        if (hwText(x) !== hwText(y)) out.push(`${where} (${x.state}): hardware ${hwText(x)} vs ${hwText(y)}`);
        if (uidText(x) !== uidText(y)) out.push(`${where} (${x.state}): uid ${uidText(x)} vs ${uidText(y)}`);
      }
    }
  }
  return out;
}

/** Invariant (4): the lease file, read back into a fresh allocator, against the server's memory. */
export function compareWithFile(node: SimNode, now: number): string[] {
  const copy = new Allocator(node.tree);
  const holder = copy.leaseHolder(Math.floor(node.clock(now)));
  const parsed = parseLeasesBytes(Buffer.from(node.leaseFileText(), 'latin1'), 'sim.leases', {
    onLease: holder.take,
    ...(holder.takeFields !== undefined ? { onLeaseFields: holder.takeFields } : {}),
  });
  if (parsed.error !== undefined) return [`lease file does not parse: ${parsed.error.message}`];
  holder.finish();
  const out: string[] = [];
  const live = node.allocator;
  for (const pool of live.failoverPools(node.peerName)) {
    for (const slot of live.failoverSlotsOf(pool)) {
      const x = live.failoverSlotInfo(slot)!;
      const y = copy.failoverSlotInfo(copy.slotOf(x.address))!;
      const where = ipToString(x.address);
      if (x.state !== y.state) out.push(`${where}: memory ${x.state}, file ${y.state}`);
      else if (x.ends !== y.ends) out.push(`${where} (${x.state}): ends memory ${x.ends - T0}, file ${y.ends - T0}`);
      else if (hasClient(x.state) && (hwText(x) !== hwText(y) || uidText(x) !== uidText(y)))
        out.push(`${where} (${x.state}): client memory ${hwText(x)} ${uidText(x)}, file ${hwText(y)} ${uidText(y)}`);
    }
  }
  return out;
}
