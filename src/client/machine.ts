// The DHCPv4 client state machine of RFC 2131 (figure 5), with ISC dhclient's choices where the RFC leaves
// room (client/dhclient.c: state_reboot, state_init, send_discover, dhcpoffer, state_selecting, send_request,
// dhcpack, bind_lease, state_bound, dhcpnak, state_panic, do_release, state_stop). Pure: time comes from the
// injected clock, randomness from the injected source, and every effect is an action for the daemon.
import {
  DHCPACK,
  DHCPNAK,
  DHCPOFFER,
  type DhcpMessage,
  getMessageType,
  IPV4_BROADCAST,
  ipToString,
} from '../wire/index.js';
import {
  type BackoffPolicy,
  type BackoffState,
  halfwayDelay,
  newBackoff,
  nextDelay,
  type RandomSource,
  randomInt,
  repeatDelay,
} from './backoff.js';
import type { ClientConfig } from './config.js';
import type { ClientAction, ClientEvent, ClientState, TimerPurpose } from './events.js';
import { type ClientLease, leaseFromMessage, serverIdentifier } from './lease.js';
import { Binder } from './machine-bind.js';
import { type ClientIdentity, discover, request } from './messages.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface MachineOptions {
  clock: Clock;
  random: RandomSource;
  /** Retransmission policy (see backoff.ts); default 'rfc2131'. */
  backoff?: BackoffPolicy;
  /** Probe (ARP) a newly offered address before binding it and DECLINE it if in use; default true. */
  checkAddress?: boolean;
  /** `-1`: try once, exit 2 instead of sleeping `retry` seconds. */
  oneTry?: boolean;
  /** Seconds to wait after a DECLINE before starting over (RFC 2131 3.1.5, ISC `--decline-wait-time`). */
  declineWait?: number;
  /** `-s SERVER`: send what would be broadcast to this address instead (ISC replaces its broadcast address). */
  server?: number;
  pid?: number;
}

interface Offer {
  lease: ClientLease;
  serverId: number | undefined;
}

/** The engine for one interface. Feed it events with handle(); it returns the actions to carry out. */
export class ClientMachine {
  state: ClientState = 'INIT';
  /** The lease in use (configured on the interface), if any. */
  active: ClientLease | undefined;
  /** Saved and `lease { }` leases to fall back on when no server answers. */
  fallbacks: ClientLease[] = [];
  /** The `media` entry in use (ISC client->medium): chosen while DISCOVERing, kept until the lease ends. */
  medium: string | undefined;
  /** MEDIUM scripts that failed in a row (every entry refused: the interface cannot be set up). */
  private mediaFailures = 0;
  /** INIT-REBOOT of a lease in use (the link came back), as opposed to one saved from an earlier run. */
  private confirming = false;
  xid = 0;
  protected readonly b: Binder;
  private offers: Offer[] = [];
  private picked: Offer | undefined;
  private firstSending = 0;
  private backoff: BackoffState;
  private discoverSecs = 0;
  private timerPurpose: TimerPurpose | undefined;
  private started = false;
  /** Paused through OMAPI (state STOPPED, but resumable). */
  paused = false;

  constructor(
    private cfg: ClientConfig,
    readonly id: ClientIdentity,
    readonly opts: MachineOptions,
  ) {
    this.backoff = newBackoff(cfg);
    this.b = new Binder(this);
  }

  get config(): ClientConfig {
    return this.cfg;
  }

  /** Takes a new configuration snapshot (reload); it applies from the next transmission. */
  setConfig(cfg: ClientConfig): void {
    this.cfg = cfg;
  }

  get policy(): BackoffPolicy {
    return this.opts.backoff ?? 'rfc2131';
  }

  /** Handles one event. Never throws for bad input: a message that does not fit is ignored. */
  handle(ev: ClientEvent): ClientAction[] {
    const out: ClientAction[] = [];
    this.out = out;
    switch (ev.kind) {
      case 'start':
        this.start(ev.active, ev.fallbacks ?? []);
        break;
      case 'timer':
        this.onTimer();
        break;
      case 'message':
        this.onMessage(ev.message, ev.from);
        break;
      case 'probe-result':
        this.b.onProbe(ev.address, ev.inUse);
        break;
      case 'script-exit':
        this.b.onScriptExit(ev.status);
        break;
      case 'link':
        // A link that comes back may be another network: confirm the lease (RFC 2131 3.2, ISC
        // client_location_changed). Before start and after stop there is nothing to confirm.
        if (ev.up && this.started && this.state !== 'STOPPED' && !this.b.pending) {
          this.log(`link up on ${this.id.interface}: ${this.active ? 'confirming the lease' : 'starting over'}`);
          this.confirming = this.state === 'BOUND' || this.state === 'RENEWING' || this.state === 'REBINDING';
          this.cancelTimer();
          this.stateReboot();
        }
        break;
      case 'release':
        this.b.release();
        break;
      case 'stop':
        this.b.stop();
        break;
      case 'pause':
        if (this.started && !this.paused && this.state !== 'STOPPED') {
          this.b.pause();
          this.paused = true;
        }
        break;
      case 'resume':
        // ISC's state_reboot, for a paused client or a running one alike (the exchange starts over).
        if (this.started && (this.paused || this.state !== 'STOPPED')) {
          this.paused = false;
          this.confirming = false;
          this.cancelTimer();
          this.stateReboot();
        }
        break;
      case 'shutdown':
        if (this.active !== undefined && this.active.expire > this.nowSec()) this.b.release();
        else {
          this.cancelTimer();
          this.state = 'STOPPED';
          this.emit({ kind: 'stopped' });
        }
        break;
    }
    return out;
  }

  // ---- plumbing shared with the binder ----

  out: ClientAction[] = [];

  now(): number {
    return this.opts.clock.now();
  }

  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  emit(a: ClientAction): void {
    if (a.kind === 'send' && a.to === IPV4_BROADCAST && this.opts.server !== undefined) a.to = this.opts.server;
    this.out.push(a);
  }

  log(message: string, level: 'info' | 'error' = 'info'): void {
    this.emit({ kind: 'log', level, message });
  }

  setTimer(at: number, purpose: TimerPurpose): void {
    this.timerPurpose = purpose;
    this.emit({ kind: 'timer', at, purpose });
  }

  cancelTimer(): void {
    if (this.timerPurpose === undefined) return;
    this.timerPurpose = undefined;
    this.emit({ kind: 'cancel-timer' });
  }

  randomXid(): number {
    return Math.floor(this.opts.random() * 0x100000000) >>> 0;
  }

  /** Starts a new exchange of retransmissions at the current time. */
  beginExchange(state: ClientState): void {
    this.state = state;
    this.firstSending = this.now();
    this.backoff = newBackoff(this.cfg);
  }

  // ---- states ----

  private start(active: ClientLease | undefined, fallbacks: readonly ClientLease[]): void {
    this.started = true;
    this.active = active;
    this.fallbacks = [...fallbacks, ...this.cfg.staticLeases];
    this.b.script('PREINIT', {});
    this.state = 'INIT-REBOOT';
    if (this.cfg.initialDelay > 0) {
      this.setTimer(this.now() + randomInt(this.opts.random, this.cfg.initialDelay * 1000), 'reboot');
    } else this.stateReboot();
  }

  private onTimer(): void {
    if (this.paused) return;
    const purpose = this.timerPurpose;
    this.timerPurpose = undefined;
    switch (purpose) {
      case 'reboot': {
        this.stateReboot();
        return;
      }
      case 'init': {
        this.stateInit();
        return;
      }
      case 'discover': {
        this.sendDiscover();
        return;
      }
      case 'select': {
        this.stateSelecting();
        return;
      }
      case 'request': {
        this.sendRequest();
        return;
      }
      case 'renew': {
        this.stateBound();
        return;
      }
    }
  }

  /** INIT-REBOOT: confirm the saved lease by a broadcast REQUEST, or go to INIT when there is none. */
  stateReboot(): void {
    const a = this.active;
    if (!a || a.bootp || a.expire <= this.nowSec()) {
      this.stateInit();
      return;
    }
    // The saved lease's medium is set up first; if the script refuses it, the lease cannot be confirmed here.
    if (a.medium !== undefined && this.medium !== a.medium) {
      const medium = a.medium;
      this.b.setUpMedium(medium, (ok) => {
        if (!ok) {
          this.stateInit();
          return;
        }
        this.medium = medium;
        this.confirm();
      });
      return;
    }
    this.confirm();
  }

  private confirm(): void {
    this.xid = this.randomXid();
    this.beginExchange('REBOOTING');
    this.sendRequest();
  }

  /** INIT: a new DISCOVER exchange (asking for the old address when there is one, as ISC does). */
  stateInit(): void {
    this.xid = this.randomXid();
    this.offers = [];
    this.picked = undefined;
    this.beginExchange('SELECTING');
    this.sendDiscover();
  }

  private sendDiscover(): void {
    const elapsed = Math.floor((this.now() - this.firstSending) / 1000);
    if (elapsed > this.cfg.timeout) {
      this.b.panic();
      return;
    }
    // With `media`, each DISCOVER goes out on the next medium until an offer shows which one works.
    if (this.cfg.media.length > 0 && this.offers.length === 0) {
      this.mediaFailures = 0;
      this.nextMedium();
      return;
    }
    this.transmitDiscover(true);
  }

  /**
   * The next `media` entry, set up by the script (reason MEDIUM) before the DISCOVER. The whole list is tried
   * at one interval; the retransmission interval grows only when the list starts over (as ISC does).
   */
  private nextMedium(): void {
    const media = this.cfg.media;
    const i = this.medium === undefined ? -1 : media.indexOf(this.medium);
    const wrapped = i < 0 || i + 1 >= media.length;
    const medium = media[wrapped ? 0 : i + 1]!;
    this.medium = medium;
    this.log(`Trying medium "${medium}"`);
    this.b.setUpMedium(medium, (ok) => {
      if (ok) {
        this.transmitDiscover(wrapped);
        return;
      }
      if (++this.mediaFailures < media.length) {
        this.nextMedium();
        return;
      }
      // ISC stops the client here ("No valid media types"); this interface stops, others go on.
      this.log(`No valid media types for ${this.id.interface}!`, 'error');
      this.medium = undefined;
      this.cancelTimer();
      this.state = 'STOPPED';
      this.emit({ kind: 'exit', code: 1 });
    });
  }

  private transmitDiscover(increase: boolean): void {
    const now = this.now();
    const elapsed = Math.floor((now - this.firstSending) / 1000);
    let delay = increase
      ? nextDelay(this.policy, this.backoff, this.cfg, this.opts.random)
      : repeatDelay(this.policy, this.backoff, this.cfg, this.opts.random);
    // Never sleep past the panic time (ISC: "just use that as the interval").
    const panicAt = this.firstSending + this.cfg.timeout * 1000;
    if (now + delay > panicAt) delay = panicAt - now + 1000;
    this.discoverSecs = Math.min(elapsed, 0xffff);
    const msg = discover(this.cfg, this.id, this.xid, this.discoverSecs, this.active?.address);
    this.log(`DHCPDISCOVER on ${this.id.interface} to 255.255.255.255 port 67 interval ${Math.round(delay / 1000)}`);
    this.emit({ kind: 'send', type: 1, message: msg, to: IPV4_BROADCAST, from: 0 });
    this.setTimer(now + delay, 'discover');
  }

  private onMessage(m: DhcpMessage, from: number | undefined): void {
    if (this.paused) return;
    if (m.xid !== this.xid || !this.sameChaddr(m)) return;
    const type = getMessageType(m.options);
    const sender = from ?? serverIdentifier(m);
    if (type !== DHCPOFFER && type !== DHCPACK && type !== DHCPNAK) return;
    if (sender !== undefined && this.rejected(sender)) {
      this.log(`message from ${ipToString(sender)} rejected by the reject list`);
      return;
    }
    if (this.b.pending) return;
    if (type === DHCPOFFER) this.onOffer(m);
    else if (type === DHCPACK) this.b.onAck(m, sender);
    else this.b.onNak(sender);
  }

  private sameChaddr(m: DhcpMessage): boolean {
    const mine = this.id.chaddr;
    if (m.hlen !== mine.length) return false;
    for (let i = 0; i < mine.length; i++) if (m.chaddr[i] !== mine[i]) return false;
    return true;
  }

  /** Servers that sent an ACK without a lease time (ISC add_reject): ignored from then on. */
  readonly quenched = new Set<number>();

  rejected(addr: number): boolean {
    if (this.quenched.has(addr)) return true;
    return this.cfg.reject.some((r) => (addr & r.mask) >>> 0 === r.network);
  }

  /** dhcpoffer(): keep offers that carry every required option; select now or at the select timeout. */
  private onOffer(m: DhcpMessage): void {
    if (this.state !== 'SELECTING') return;
    const what = `DHCPOFFER of ${ipToString(m.yiaddr)}`;
    for (const code of this.cfg.requireList) {
      if (!m.options.has(code)) {
        this.log(`${what}: no ${this.cfg.catalogue.byCodeOrUnknown('dhcp', code).name} option.`);
        return;
      }
    }
    if (this.offers.some((o) => o.lease.address === m.yiaddr)) return;
    const lease = leaseFromMessage(m, this.id.interface);
    if (this.medium !== undefined) lease.medium = this.medium;
    this.b.applyRules(lease);
    const offer: Offer = { lease, serverId: serverIdentifier(m) };
    // The address we asked for goes first; others are taken in arrival order.
    if (this.active && m.yiaddr === this.active.address) this.offers.unshift(offer);
    else this.offers.push(offer);
    this.log(what);
    const stopSelecting = this.firstSending + this.cfg.selectTimeout * 1000;
    if (stopSelecting <= this.now()) this.stateSelecting();
    else this.setTimer(stopSelecting, 'select');
  }

  /** state_selecting(): take the first offer and REQUEST it, keeping the DISCOVER's xid and secs. */
  private stateSelecting(): void {
    const picked = this.offers[0];
    this.offers = [];
    if (!picked) {
      this.stateInit();
      return;
    }
    this.picked = picked;
    this.beginExchange('REQUESTING');
    this.sendRequest();
  }

  /** state_bound(): T1 has come; unicast a REQUEST to the server that gave the lease. */
  stateBound(): void {
    this.xid = this.randomXid();
    this.beginExchange('RENEWING');
    this.sendRequest();
  }

  /** send_request(): one REQUEST of the current exchange, and the timer for the next. */
  sendRequest(): void {
    const now = this.now();
    const nowSec = Math.floor(now / 1000);
    const elapsed = Math.floor((now - this.firstSending) / 1000);
    if ((this.state === 'REBOOTING' || this.state === 'REQUESTING') && elapsed > this.cfg.reboot) {
      // RFC 2131 3.2: a lease in use whose confirmation goes unanswered may be used for the rest of its time.
      if (this.state === 'REBOOTING' && this.confirming && this.active) {
        this.confirming = false;
        this.log(`no answer confirming ${ipToString(this.active.address)}: keeping it`);
        this.b.resume(this.active);
        return;
      }
      this.stateInit();
      return;
    }
    const a = this.active;
    const bound = this.state === 'RENEWING' || this.state === 'REBINDING';
    if (bound && a) {
      if (nowSec >= a.expire) {
        this.b.expire();
        return;
      }
      if (this.state === 'RENEWING' && nowSec >= a.rebind) this.state = 'REBINDING';
    }
    const delay = this.requestDelay(now);
    const secs = this.state === 'REQUESTING' ? this.discoverSecs : Math.min(elapsed, 0xffff);
    let to = IPV4_BROADCAST;
    let msg: ReturnType<typeof request>;
    if (this.state === 'REQUESTING' && this.picked) {
      msg = request('selecting', this.cfg, this.id, this.xid, secs, this.picked.lease, this.picked.serverId);
    } else if (this.state === 'REBOOTING' && a) {
      msg = request('init-reboot', this.cfg, this.id, this.xid, secs, a);
    } else if (bound && a) {
      msg = request('renewing', this.cfg, this.id, this.xid, secs, a);
      if (this.state === 'RENEWING') to = serverIdentifier(a) ?? IPV4_BROADCAST;
    } else {
      this.stateInit();
      return;
    }
    const from = bound && a ? a.address : 0;
    const asked = bound && a ? a.address : (this.picked?.lease.address ?? a?.address ?? 0);
    this.log(`DHCPREQUEST for ${ipToString(asked)} on ${this.id.interface} to ${ipToString(to)} port 67`);
    this.emit({ kind: 'send', type: 3, message: msg, to, from });
    this.setTimer(now + delay, 'request');
  }

  private requestDelay(now: number): number {
    const a = this.active;
    if ((this.state === 'RENEWING' || this.state === 'REBINDING') && a) {
      // RENEWING ends at T2 (switch to broadcast), REBINDING at expiry (EXPIRE): never sleep past either.
      const deadline = (this.state === 'RENEWING' ? a.rebind : a.expire) * 1000;
      if (this.policy === 'rfc2131') return halfwayDelay(now, deadline);
      return Math.min(nextDelay('isc', this.backoff, this.cfg, this.opts.random), Math.max(0, deadline - now));
    }
    return nextDelay(this.policy, this.backoff, this.cfg, this.opts.random);
  }
}
