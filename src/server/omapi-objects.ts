// The server's OMAPI objects (ISC dhcpd 4.4.3 server/omapi.c, common/comapi.c): an ObjectProvider
// (src/omapi/provider.ts) over the running server's allocator, its dynamic host table and its lease store.
//
// lease          looked up by ip-address, dhcp-client-identifier, hardware-address (+ hardware-type), in ISC's
//                order and with its result codes; read with server/omapi.c's attributes (memory-provider.ts
//                leaseAttributes). `ends` moves the lease's end (an active lease that ends by now expires on the
//                next timer tick, written as free as any expiry is); `state` 1 (free) frees it as a RELEASE
//                does, 5 (abandoned) abandons it. Each change is in the lease file before the answer goes out.
// host           create / look up / update / remove. A created host is a lease-file record (`host NAME {
//                dynamic; hardware ...; uid ...; fixed-address ...; group ...; statements }`, ISC's
//                write_host), parsed back by the lease-file parser - the same path a restart takes - made
//                durable, and only then entered in the dynamic host table the DHCP engine reads: the next
//                DISCOVER of that client sees it. Removing one writes `host NAME { dynamic; deleted; }`.
//                Hosts of dhcpd.conf can be looked up and read, and removed (written `host NAME { deleted; }`
//                as ISC does; they are masked in the table, the configuration snapshot is never changed).
// failover-state one per `failover peer` (omapi-failover.ts), by name; `local-state` moves it (partner-down: 4).
// control        the one control object; `state` 2 shuts the server down as SIGTERM does, after the answer.
//
// The host and lease changes themselves live in admin-commands.ts, shared with the HTTP API.
//
// Departures from ISC: updating a host declared in dhcpd.conf is "permission denied" (ISC rewrites it as a
// dynamic host); a lease's binding variables cannot be set ("not implemented"; ISC adds them to its scope);
// `state` other than free or abandoned is "not implemented"; named groups are not known ("not found").

import type { Lease } from '../leases/lease.js';
import { ipv4ToString } from '../leases/lease.js';
import { colonHex, hardwareTypeOf } from '../leases/text.js';
import {
  BINDING_STATES,
  fixedLeaseAttribute,
  hostAttributes,
  leaseAttributes,
  lookupHardwareType,
  type MemoryHost,
  type MemoryLease,
  setHostValues,
} from '../omapi/memory-provider.js';
import { type Attribute, fail, type ObjectProvider, type ObjectRef, type Outcome, ok } from '../omapi/provider.js';
import { DHCP_R, ISC_R } from '../omapi/results.js';
import { findValue, type NameValue, readU32, u32Value } from '../omapi/wire.js';
import { ipToBytes, parseIpv4 } from '../wire/ip.js';
import { AdminCommands, type AdminCommandsOptions, hostRecordText, memoryHostOf } from './admin-commands.js';
import { NO_SLOT } from './allocator.js';
import {
  type FailoverStateSource,
  failoverStateAttributes,
  lookupFailoverState,
  updateFailoverState,
} from './omapi-failover.js';

/** The admin commands' options (the same snapshot, store and log), and OMAPI's own. */
export interface ServerObjectsOptions extends AdminCommandsOptions {
  /** `control` state 2: called once, after the answer has been sent. */
  shutdown?: () => void;
  /** The failover relationships, by peer name (none: every failover-state lookup is "not found"). */
  failover?: ReadonlyMap<string, FailoverStateSource>;
  /** Runs `fn` once the current answer has gone out (default: 50 ms later). */
  defer?: (fn: () => void) => void;
}

const TYPES = new Set(['lease', 'host', 'failover-state', 'control']);
const CONTROL: ObjectRef = { type: 'control', id: 'control' };
/** ISC's control_object_state_t: server_startup 0, server_running 1, server_shutdown 2, server_hibernate 3. */
const SERVER_RUNNING = 1;
const SERVER_SHUTDOWN = 2;

function bytes(v: Uint8Array): string {
  return Buffer.from(v).toString('latin1');
}

function dotted(v: Uint8Array): string {
  return Array.from(v).join('.');
}

// Shared with the HTTP API (admin-commands.ts), where the host and lease changes live.
export { hostRecordText, memoryHostOf };

export class ServerObjects implements ObjectProvider {
  private readonly opts: ServerObjectsOptions;
  /** Host and lease changes (shared with the HTTP API); it reads `opts` at each call, as this class does. */
  private readonly admin: AdminCommands;
  private controlState = SERVER_RUNNING;

  constructor(opts: ServerObjectsOptions) {
    this.opts = opts;
    this.admin = new AdminCommands(opts, 'OMAPI');
  }

  hasType(type: string): boolean {
    return TYPES.has(type);
  }

  lookup(type: string, keys: readonly NameValue[]): Outcome<ObjectRef> {
    switch (type) {
      case 'lease':
        return this.lookupLease(keys);
      case 'host':
        return this.lookupHost(keys);
      case 'control':
        return ok(CONTROL);
      case 'failover-state':
        return lookupFailoverState(this.opts.failover ?? new Map(), keys);
      default:
        return fail(ISC_R.NOTFOUND);
    }
  }

  create(type: string, values: readonly NameValue[]): Outcome<ObjectRef> | Promise<Outcome<ObjectRef>> {
    if (type === 'control') return fail(ISC_R.NOPERM, "can't create new object");
    if (type !== 'host') return fail(ISC_R.NOTIMPLEMENTED, "can't create new object");
    const host: MemoryHost = { name: '' };
    const set = setHostValues(host, values, new Set());
    if (!set.ok) return fail(set.result, "can't update object");
    return this.admin.createHost(host).then((r) => (r.ok ? ok({ type: 'host', id: r.value }) : r));
  }

  update(ref: ObjectRef, values: readonly NameValue[]): Outcome<void> | Promise<Outcome<void>> {
    switch (ref.type) {
      case 'host': {
        const found = this.admin.changeableHost(ref.id);
        if (!found.ok) {
          return found.result === ISC_R.NOPERM
            ? fail(ISC_R.NOPERM, 'hosts of dhcpd.conf cannot be changed through OMAPI')
            : found;
        }
        const copy = found.value;
        const set = setHostValues(copy, values, new Set());
        if (!set.ok) return set;
        if (copy.name !== ref.id) return fail(ISC_R.EXISTS);
        return this.admin.writeHost(copy);
      }
      case 'lease':
        return this.updateLease(ref, values);
      case 'control':
        return this.updateControl(values);
      case 'failover-state': {
        const src = this.opts.failover?.get(ref.id);
        return src === undefined ? fail(ISC_R.NOTFOUND, 'no matching handle') : updateFailoverState(src, values);
      }
      default:
        return fail(ISC_R.NOTFOUND, 'no matching handle');
    }
  }

  read(ref: ObjectRef): Outcome<readonly Attribute[]> {
    switch (ref.type) {
      case 'host': {
        const live = this.admin.liveHost(ref.id);
        return live === undefined ? fail(ISC_R.NOTFOUND, 'no matching handle') : ok(hostAttributes(live));
      }
      case 'lease': {
        const slot = this.slotOfId(ref.id);
        return slot === NO_SLOT ? fail(ISC_R.NOTFOUND, 'no matching handle') : ok(leaseAttributes(this.leaseOf(slot)));
      }
      case 'control':
        return ok([{ name: 'state', value: u32Value(this.controlState) }]);
      case 'failover-state': {
        const src = this.opts.failover?.get(ref.id);
        return src === undefined ? fail(ISC_R.NOTFOUND, 'no matching handle') : ok(failoverStateAttributes(src));
      }
      default:
        return fail(ISC_R.NOTFOUND, 'no matching handle');
    }
  }

  remove(ref: ObjectRef): Outcome<void> | Promise<Outcome<void>> {
    if (ref.type === 'control') return fail(ISC_R.NOPERM);
    if (ref.type !== 'host') return fail(ISC_R.NOTIMPLEMENTED, 'no remove method for object');
    return this.admin.removeHost(ref.id);
  }

  // ---- hosts

  private liveHost(name: string): MemoryHost | undefined {
    return this.admin.liveHost(name);
  }

  /**
   * The first live host of an index key (dhcpd.conf's, then the dynamic ones, as findHost orders them):
   * `hw` is colon hex of a hardware address of type `htype`, `uid` hex of a client identifier.
   */
  private hostByKey(key: { hw: string; htype: number } | { uid: string }): string | undefined {
    const { tree, hosts } = this.opts;
    const lists =
      'hw' in key
        ? [tree.hostsByHardware.get(key.hw), hosts.byHardware.get(key.hw)]
        : [tree.hostsByUid.get(key.uid), hosts.byUid.get(key.uid)];
    for (const list of lists) {
      for (const h of list ?? []) {
        if (hosts.masked.has(h)) continue;
        const dyn = hosts.get(h.name);
        if (dyn !== undefined && dyn.host !== h) continue; // a configuration host shadowed by a dynamic one
        if ('hw' in key && (hardwareTypeOf(h.hardware?.type ?? 'ethernet') ?? 1) !== key.htype) continue;
        return h.name;
      }
    }
    return undefined;
  }

  /** ISC dhcp_host_lookup: client identifier, hardware address, ip-address (through its lease), name. */
  private lookupHost(keys: readonly NameValue[]): Outcome<ObjectRef> {
    let found: string | undefined;
    const step = (name: string | undefined): Outcome<ObjectRef> | undefined => {
      if (found !== undefined && name !== found) return fail(DHCP_R.KEYCONFLICT);
      if (name === undefined) return fail(ISC_R.NOTFOUND);
      found = name;
      return undefined;
    };
    const cid = findValue(keys, 'dhcp-client-identifier');
    if (cid?.value) {
      const r = step(this.hostByKey({ uid: Buffer.from(cid.value).toString('hex') }));
      if (r) return r;
    }
    const hw = findValue(keys, 'hardware-address');
    if (hw?.value) {
      const htype = lookupHardwareType(keys);
      if (htype === 'invalid') return fail(DHCP_R.INVALIDARG);
      const r = step(this.hostByKey({ hw: colonHex(hw.value), htype }));
      if (r) return r;
    }
    const ip = findValue(keys, 'ip-address');
    if (ip?.value) {
      const slot = ip.value.length === 4 ? this.slotOfId(dotted(ip.value)) : NO_SLOT;
      const lease = slot === NO_SLOT ? undefined : this.leaseOf(slot);
      const lhw = lease?.hardwareAddress;
      const host =
        lhw === undefined ? undefined : this.hostByKey({ hw: colonHex(lhw), htype: lease?.hardwareType ?? 1 });
      if (host === undefined && found === undefined) return fail(ISC_R.NOTFOUND);
      if (host !== undefined && found !== undefined && host !== found) return fail(DHCP_R.KEYCONFLICT);
      found ??= host;
    }
    const name = findValue(keys, 'name');
    if (name?.value) {
      const n = bytes(name.value);
      const r = step(this.liveHost(n) !== undefined ? n : undefined);
      if (r) return r;
    }
    return found !== undefined ? ok({ type: 'host', id: found }) : fail(DHCP_R.NOKEYS);
  }

  // ---- leases

  private slotOfId(id: string): number {
    const a = parseIpv4(id);
    return a === undefined ? NO_SLOT : this.opts.allocator.slotOf(a);
  }

  private leaseOf(slot: number): MemoryLease {
    const r = this.opts.allocator.record(slot);
    const state = BINDING_STATES.indexOf(r.bindingState ?? 'free') + 1;
    const m: MemoryLease = { ipAddress: ipToBytes(r.address), state: state > 0 ? state : 1 };
    if (r.hardware !== undefined) {
      m.hardwareType = r.hardware.type;
      m.hardwareAddress = r.hardware.address;
    }
    if (r.uid !== undefined) m.clientIdentifier = r.uid;
    if (r.clientHostname !== undefined) m.clientHostname = r.clientHostname;
    const time = (t: number | undefined) => (t === undefined ? undefined : Number.isFinite(t) ? t : 0x7fffffff);
    const starts = time(r.starts);
    const ends = time(r.ends);
    const cltt = time(r.cltt);
    if (starts !== undefined) m.starts = starts;
    if (ends !== undefined) m.ends = ends;
    if (cltt !== undefined) m.cltt = cltt;
    return m;
  }

  /** ISC dhcp_lease_lookup: ip-address, then dhcp-client-identifier, then hardware-address. */
  private lookupLease(keys: readonly NameValue[]): Outcome<ObjectRef> {
    const alloc = this.opts.allocator;
    let found: number | undefined;
    const step = (slots: readonly number[]): Outcome<ObjectRef> | undefined => {
      const first = slots[0];
      if (found !== undefined && first !== found) return fail(DHCP_R.KEYCONFLICT);
      if (first === undefined) return fail(ISC_R.NOTFOUND);
      if (slots.length > 1) return fail(DHCP_R.MULTIPLE);
      found = first;
      return undefined;
    };
    const ip = findValue(keys, 'ip-address');
    if (ip?.value) {
      const slot = ip.value.length === 4 ? this.slotOfId(dotted(ip.value)) : NO_SLOT;
      const r = step(slot === NO_SLOT ? [] : [slot]);
      if (r) return r;
    }
    const cid = findValue(keys, 'dhcp-client-identifier');
    if (cid?.value) {
      const r = step(alloc.uidSlots(cid.value));
      if (r) return r;
    }
    const hw = findValue(keys, 'hardware-address');
    if (hw?.value) {
      const htype = lookupHardwareType(keys);
      if (htype === 'invalid') return fail(DHCP_R.INVALIDARG);
      const r = step(alloc.hwSlots({ type: htype, address: hw.value }));
      if (r) return r;
    }
    return found !== undefined ? ok({ type: 'lease', id: ipv4ToString(alloc.address[found]!) }) : fail(DHCP_R.NOKEYS);
  }

  private async updateLease(ref: ObjectRef, values: readonly NameValue[]): Promise<Outcome<void>> {
    const slot = this.slotOfId(ref.id);
    if (slot === NO_SLOT) return fail(ISC_R.NOTFOUND, 'no matching handle');
    let record: Lease | undefined;
    let ended = false;
    for (const { name, value } of values) {
      switch (name) {
        case 'ends': {
          const t = readU32(value);
          if (t === undefined) return fail(DHCP_R.INVALIDARG);
          const moved = this.admin.setLeaseEnds(slot, t, ref.id);
          record = moved.record;
          if (moved.ended) ended = true;
          break;
        }
        case 'state': {
          const s = readU32(value);
          if (s === undefined) return fail(DHCP_R.INVALIDARG);
          const changed = this.admin.setLeaseState(slot, s, ref.id);
          if (!changed.ok) return changed;
          record = changed.value ?? record;
          break;
        }
        default: {
          const fixed = fixedLeaseAttribute(name);
          if (fixed === 'unchanged') break;
          return fixed ?? fail(ISC_R.NOTIMPLEMENTED, `lease variables cannot be set through OMAPI (${name})`);
        }
      }
    }
    return this.admin.commitLease(record, ended);
  }

  // ---- control

  private updateControl(values: readonly NameValue[]): Outcome<void> {
    for (const { name, value } of values) {
      if (name !== 'state') return fail(ISC_R.NOTFOUND);
      const s = readU32(value);
      if (s === undefined) return fail(DHCP_R.INVALIDARG);
      if (s !== SERVER_SHUTDOWN) return fail(DHCP_R.INVALIDARG);
      if (this.controlState !== SERVER_SHUTDOWN) {
        this.controlState = SERVER_SHUTDOWN;
        // The answer goes out first: the session writes it when this returns.
        const shutdown = this.opts.shutdown;
        if (shutdown !== undefined) (this.opts.defer ?? ((fn) => setTimeout(fn, 50)))(shutdown);
      }
    }
    return ok(undefined);
  }
}
