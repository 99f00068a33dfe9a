// The half of the client engine that deals with leases once a server has answered, or has not: DHCPACK and
// DHCPNAK handling, the address probe, binding through the script, DECLINE, EXPIRE, falling back on saved
// leases when no server answers (ISC state_panic, reason TIMEOUT), FAIL, RELEASE and STOP.
import { type DhcpMessage, IPV4_BROADCAST, ipToString } from '../wire/index.js';
import { randomInt } from './backoff.js';
import type { ClientState } from './events.js';
import { applyReceiptRules, type ClientLease, leaseFromMessage, leaseTimes, serverIdentifier } from './lease.js';
import type { ClientMachine } from './machine.js';
import { decline, release } from './messages.js';
import { buildScriptEnv, type ScriptReason } from './script-env.js';

/** What the engine is waiting for before it goes on. */
type Pending =
  | { kind: 'probe'; lease: ClientLease }
  | { kind: 'medium'; then: (ok: boolean) => void }
  | { kind: 'bind'; lease: ClientLease; from: ClientState }
  | { kind: 'timeout'; lease: ClientLease; rest: ClientLease[] };

const BIND_REASON: Partial<Record<ClientState, ScriptReason>> = {
  REQUESTING: 'BOUND',
  RENEWING: 'RENEW',
  REBINDING: 'REBIND',
  REBOOTING: 'REBOOT',
};

export class Binder {
  pending: Pending | undefined;

  constructor(private readonly m: ClientMachine) {}

  /** Runs the script; `lease`s become new_* and old_* variables. */
  script(
    reason: ScriptReason,
    leases: { new?: ClientLease; old?: ClientLease },
    wait = false,
    medium = leases.new?.medium,
  ): void {
    const m = this.m;
    const env = buildScriptEnv({
      reason,
      interface: m.id.interface,
      ...(medium !== undefined ? { medium } : {}),
      ...(leases.new ? { newLease: leases.new } : {}),
      ...(leases.old ? { oldLease: leases.old } : {}),
      requested: m.config.requestList,
      catalogue: m.config.catalogue,
      ...(m.opts.pid !== undefined ? { pid: m.opts.pid } : {}),
    });
    m.emit({ kind: 'script', reason, env, wait });
  }

  /** Runs the script with reason MEDIUM; `then` gets whether it succeeded (exit status 0). */
  setUpMedium(medium: string, then: (ok: boolean) => void): void {
    this.pending = { kind: 'medium', then };
    this.script('MEDIUM', {}, true, medium);
  }

  applyRules(lease: ClientLease): void {
    applyReceiptRules(lease.options, this.m.config);
  }

  /** dhcpack(): compute the lease times, then probe (new address) or bind. */
  onAck(msg: DhcpMessage, sender: number | undefined): void {
    const m = this.m;
    if (!BIND_REASON[m.state]) return;
    m.log(`DHCPACK of ${ipToString(msg.yiaddr)} from ${sender === undefined ? 'unknown' : ipToString(sender)}`);
    const lease = leaseFromMessage(msg, m.id.interface);
    if (m.medium !== undefined) lease.medium = m.medium;
    this.applyRules(lease);
    const fuzz = m.policy === 'isc' ? (n: number) => randomInt(m.opts.random, n) : undefined;
    const times = leaseTimes(lease.options, m.nowSec(), fuzz);
    if (!times) {
      // ISC quenches such a server: it goes on the reject list and the client restarts half a second later.
      m.log('no expiry time on offered lease.', 'error');
      if (sender !== undefined) m.quenched.add(sender);
      m.cancelTimer();
      m.state = 'INIT';
      m.setTimer(m.now() + 500, 'init');
      return;
    }
    Object.assign(lease, times);
    m.cancelTimer();
    if (m.state === 'REQUESTING' && (m.opts.checkAddress ?? true)) {
      this.pending = { kind: 'probe', lease };
      m.emit({ kind: 'probe', address: lease.address });
      return;
    }
    this.bind(lease);
  }

  onProbe(address: number, inUse: boolean): void {
    const p = this.pending;
    if (p?.kind !== 'probe' || p.lease.address !== address) return;
    this.pending = undefined;
    if (inUse) {
      this.m.log(`${ipToString(address)} is in use: declining`, 'error');
      this.decline(p.lease);
    } else this.bind(p.lease);
  }

  /** bind_lease(), first half: the script decides (a non-zero exit declines the address). */
  private bind(lease: ClientLease): void {
    const m = this.m;
    const reason = BIND_REASON[m.state] ?? 'BOUND';
    const old = m.active && m.state !== 'REBOOTING' ? m.active : undefined;
    this.pending = { kind: 'bind', lease, from: m.state };
    this.script(reason, { new: lease, ...(old ? { old } : {}) }, true);
  }

  onScriptExit(status: number): void {
    const p = this.pending;
    if (p?.kind === 'bind') {
      this.pending = undefined;
      // A script killed by a signal (negative status) is logged by the daemon and ignored, as ISC does.
      if (status > 0) this.decline(p.lease);
      else this.commit(p.lease);
    } else if (p?.kind === 'medium') {
      this.pending = undefined;
      p.then(status === 0);
    } else if (p?.kind === 'timeout') {
      this.pending = undefined;
      if (status === 0) this.useSavedLease(p.lease);
      else this.tryNext(p.rest);
    }
  }

  /** bind_lease(), second half: record the lease and sleep until T1. */
  private commit(lease: ClientLease): void {
    const m = this.m;
    m.emit({ kind: 'write-lease', lease });
    if (m.active?.isStatic && m.active !== lease) m.fallbacks.push(m.active);
    m.active = lease;
    m.state = 'BOUND';
    this.sleepUntilRenewal(lease);
  }

  private sleepUntilRenewal(lease: ClientLease): void {
    const m = this.m;
    if (lease.renew >= 0xffffffff) {
      m.log(`bound to ${ipToString(lease.address)} -- infinite lease.`);
      m.cancelTimer();
      return;
    }
    m.log(`bound to ${ipToString(lease.address)} -- renewal in ${lease.renew - m.nowSec()} seconds.`);
    m.setTimer(lease.renew * 1000, 'renew');
  }

  /** RFC 2131 3.1.5 / 4.4.1: DECLINE the address, then wait before starting over. */
  private decline(lease: ClientLease): void {
    const m = this.m;
    const msg = decline(m.config, m.id, m.xid, lease, serverIdentifier(lease));
    m.log(`DHCPDECLINE of ${ipToString(lease.address)} on ${m.id.interface} to 255.255.255.255 port 67`);
    m.emit({ kind: 'send', type: 4, message: msg, to: IPV4_BROADCAST, from: 0 });
    if (m.active?.address === lease.address) m.active = undefined;
    if (m.opts.oneTry) {
      this.exitFail();
      return;
    }
    m.cancelTimer();
    m.state = 'INIT';
    m.setTimer(m.now() + (m.opts.declineWait ?? 10) * 1000, 'init');
  }

  /** DHCPNAK: drop the lease (EXPIRE, then PREINIT to bring the interface back) and start over. */
  onNak(sender: number | undefined): void {
    const m = this.m;
    if (!BIND_REASON[m.state]) return;
    m.log(`DHCPNAK from ${sender === undefined ? 'unknown' : ipToString(sender)}`);
    m.cancelTimer();
    this.dropActive();
    m.stateInit();
  }

  /** The lease ran out while renewing/rebinding. */
  expire(): void {
    this.dropActive();
    this.m.stateInit();
  }

  private dropActive(): void {
    const m = this.m;
    const old = m.active;
    if (!old) return;
    this.script('EXPIRE', { old });
    m.active = undefined;
    // The lease is gone: media cycling starts over (dhclient.conf(5)).
    m.medium = undefined;
    this.script('PREINIT', {});
  }

  /** state_panic(): no offer within `timeout`; try the saved leases that have not expired, newest first. */
  panic(): void {
    const m = this.m;
    m.log('No DHCPOFFERS received.');
    const candidates = [...(m.active ? [m.active] : []), ...m.fallbacks];
    m.fallbacks = candidates;
    m.active = undefined;
    this.tryNext(candidates);
  }

  private tryNext(list: ClientLease[]): void {
    const m = this.m;
    const now = m.nowSec();
    const i = list.findIndex((l) => l.expire > now);
    if (i < 0) {
      this.fail();
      return;
    }
    const lease = list[i]!;
    m.log(`Trying ${lease.isStatic ? 'fallback' : 'recorded'} lease ${ipToString(lease.address)}`);
    this.pending = { kind: 'timeout', lease, rest: list.slice(i + 1) };
    this.script('TIMEOUT', { new: lease }, true);
  }

  /** The TIMEOUT script accepted a saved lease: BOUND, renewing at its T1 (now, if T1 has passed). */
  private useSavedLease(lease: ClientLease): void {
    const m = this.m;
    m.fallbacks = m.fallbacks.filter((l) => l !== lease);
    m.active = lease;
    m.medium = lease.medium;
    this.resume(lease);
  }

  /** BOUND with a lease already in use: renewal at its T1, or at once when T1 has passed. */
  resume(lease: ClientLease): void {
    const m = this.m;
    m.state = 'BOUND';
    if (m.nowSec() < lease.renew) this.sleepUntilRenewal(lease);
    else {
      m.log('bound: immediate renewal.');
      m.stateBound();
    }
  }

  private fail(): void {
    const m = this.m;
    if (m.opts.oneTry) {
      this.exitFail();
      return;
    }
    m.log('No working leases in persistent database - sleeping.');
    this.script('FAIL', {});
    m.state = 'INIT';
    const retry = m.config.retry;
    const delay = Math.floor((retry + 1) / 2) + randomInt(m.opts.random, retry);
    m.setTimer(m.now() + delay * 1000, 'init');
  }

  private exitFail(): void {
    const m = this.m;
    m.log('Unable to obtain a lease on first try.  Exiting.');
    this.script('FAIL', {});
    m.cancelTimer();
    m.state = 'STOPPED';
    m.emit({ kind: 'exit', code: 2 });
  }

  /** do_release(): record the lease as ended, DHCPRELEASE to the server, RELEASE script, stop. */
  release(): void {
    const m = this.m;
    const a = m.active;
    this.pending = undefined;
    m.cancelTimer();
    if (a) {
      m.xid = m.randomXid();
      const now = m.nowSec();
      const ended: ClientLease = { ...a, renew: now, rebind: now, expire: now };
      m.emit({ kind: 'write-lease', lease: ended });
      const to = serverIdentifier(a) ?? IPV4_BROADCAST;
      m.log(`DHCPRELEASE of ${ipToString(a.address)} on ${m.id.interface} to ${ipToString(to)} port 67`);
      m.emit({
        kind: 'send',
        type: 7,
        message: release(m.config, m.id, m.xid, a, serverIdentifier(a)),
        to,
        from: a.address,
      });
      this.script('RELEASE', { old: a });
      m.active = undefined;
    }
    m.state = 'STOPPED';
    m.emit({ kind: 'stopped' });
  }

  /** state_stop() for OMAPI's pause: STOP script for the active lease (kept), nothing sent, the client idle. */
  pause(): void {
    const m = this.m;
    this.pending = undefined;
    m.cancelTimer();
    if (m.active) this.script('STOP', { old: m.active });
    m.state = 'STOPPED';
  }

  /** state_stop(): STOP script for the active lease, nothing sent. */
  stop(): void {
    const m = this.m;
    this.pending = undefined;
    m.cancelTimer();
    if (m.active) this.script('STOP', { old: m.active });
    m.state = 'STOPPED';
    m.emit({ kind: 'stopped' });
  }
}
