// The client's OMAPI `control` object, as ISC dhclient 4.4.3 has it (common/comapi.c dhcp_control_*, and
// client/dhclient.c dhcp_set_control_state): one object, found by any open (no keys needed), never created or
// removed (ISC_R_NOPERM), one attribute `state` (ISC's control_object_state_t, a 4-byte integer). Setting it acts
// on every interface before the answer goes out, as ISC's set_value does:
//
//   0 server_startup, 1 server_running   nothing
//   2 server_shutdown                    do_release for a lease that has not expired (DHCPRELEASE, RELEASE
//                                        script), then the client exits
//   3 server_hibernate                   state_stop: timers cancelled, STOP script, nothing sent
//   4 server_awaken                      state_reboot: INIT-REBOOT with the lease kept (REBOOT after the ACK),
//                                        or INIT; no PREINIT
//
// Any other number is accepted and stored, doing nothing (ISC's switch has no default). The state reads back as
// the last one set; 0 before any (ISC never sets it to running in dhclient). The provider owns no socket: the
// daemon gives it `act`, which posts the machine's events and resolves once their scripts and packets are done.
import { type Attribute, fail, type ObjectProvider, type ObjectRef, type Outcome, ok } from '../omapi/provider.js';
import { DHCP_R, ISC_R } from '../omapi/results.js';
import { type NameValue, readU32, u32Value } from '../omapi/wire.js';
import type { ClientEvent } from './events.js';

export const CONTROL_STARTUP = 0;
export const CONTROL_RUNNING = 1;
export const CONTROL_SHUTDOWN = 2;
export const CONTROL_HIBERNATE = 3;
export const CONTROL_AWAKEN = 4;

const CONTROL: ObjectRef = { type: 'control', id: 'control' };

/** The machine event a `state` value stands for (undefined: nothing to do). */
export function controlEvent(state: number): ClientEvent | undefined {
  switch (state) {
    case CONTROL_SHUTDOWN:
      return { kind: 'shutdown' };
    case CONTROL_HIBERNATE:
      return { kind: 'pause' };
    case CONTROL_AWAKEN:
      return { kind: 'resume' };
    default:
      return undefined;
  }
}

export interface ClientControlOptions {
  /** Carries out `ev` on every interface; resolves when done (scripts run, packets sent). */
  act(ev: ClientEvent, state: number): Promise<void> | void;
}

export class ClientControl implements ObjectProvider {
  private state = CONTROL_STARTUP;

  constructor(private readonly opts: ClientControlOptions) {}

  /** The last state set (0 before any). */
  get current(): number {
    return this.state;
  }

  hasType(type: string): boolean {
    return type === 'control';
  }

  lookup(type: string, _keys: readonly NameValue[]): Outcome<ObjectRef> {
    // "there's only one control object, so we can just return it" (dhcp_control_lookup)
    return type === 'control' ? ok(CONTROL) : fail(ISC_R.NOTFOUND);
  }

  create(type: string): Outcome<ObjectRef> {
    return type === 'control' ? fail(ISC_R.NOPERM, "can't create new object") : fail(ISC_R.NOTFOUND);
  }

  async update(ref: ObjectRef, values: readonly NameValue[]): Promise<Outcome<void>> {
    if (ref.type !== 'control') return fail(ISC_R.NOTFOUND, 'no matching handle');
    for (const { name, value } of values) {
      if (name !== 'state') return fail(ISC_R.NOTFOUND);
      const s = readU32(value);
      if (s === undefined) return fail(DHCP_R.INVALIDARG);
      const ev = controlEvent(s);
      if (ev !== undefined) await this.opts.act(ev, s);
      this.state = s;
    }
    return ok(undefined);
  }

  read(ref: ObjectRef): Outcome<readonly Attribute[]> {
    if (ref.type !== 'control') return fail(ISC_R.NOTFOUND);
    return ok([{ name: 'state', value: u32Value(this.state) }]);
  }

  remove(): Outcome<void> {
    return fail(ISC_R.NOPERM);
  }
}
