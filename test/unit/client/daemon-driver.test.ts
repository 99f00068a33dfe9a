// The interface driver with fake I/O and fake timers: the real ClientMachine talks to a scripted server, scripts
// and probes are answered by the test, time only moves when a test fires a timer. Nothing sleeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DriverIo, InterfaceDriver, type SendAction, type TimerHost } from '../../../src/client/daemon-driver.js';
import type { ClientLease } from '../../../src/client/lease.js';
import { ClientMachine } from '../../../src/client/machine.js';
import type { ScriptReason } from '../../../src/client/script-env.js';
import { type DhcpMessage, decodeMessage, encodeMessage, getMessageType, ipToString } from '../../../src/wire/index.js';
import { configFromText, FakeClock, ip, MAC, SERVER, seeded, serverReply, T0 } from './harness.js';

class FakeTimers implements TimerHost {
  pending: { at: number; fn: () => void; id: number }[] = [];
  private next = 0;
  constructor(private readonly clock: FakeClock) {}
  set(at: number, fn: () => void): unknown {
    const id = ++this.next;
    this.pending.push({ at, fn, id });
    return id;
  }
  clear(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }
  /** Moves the clock to the earliest timer and runs it. */
  fire(): number {
    this.pending.sort((a, b) => a.at - b.at);
    const t = this.pending.shift();
    assert.ok(t, 'no timer pending');
    this.clock.t = Math.max(this.clock.t, t.at);
    t.fn();
    return t.at;
  }
}

interface Deferred {
  promise: Promise<number>;
  resolve: (n: number) => void;
}

function deferred(): Deferred {
  let resolve!: (n: number) => void;
  const promise = new Promise<number>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Records everything the driver does, in order; a server answers DISCOVER/REQUEST when `serve` is set. */
class Rig implements DriverIo {
  readonly clock = new FakeClock(T0);
  readonly timers = new FakeTimers(this.clock);
  readonly events: string[] = [];
  readonly sends: { msg: DhcpMessage; to: number; from: number }[] = [];
  readonly leases: ClientLease[] = [];
  serve = true;
  /** When set, the next send waits for the test. */
  holdSend: Deferred | undefined;
  /** When set, scripts with these reasons wait for the test to resolve them. */
  holdScripts = new Map<string, Deferred>();
  readonly driver: InterfaceDriver;
  readonly machine: ClientMachine;

  constructor(conf = '', opts: { oneTry?: boolean } = {}) {
    const { cfg } = configFromText(conf);
    this.machine = new ClientMachine(
      cfg,
      { interface: 'eth0', htype: 1, chaddr: MAC },
      { clock: this.clock, random: seeded(7), checkAddress: true, oneTry: opts.oneTry ?? false },
    );
    this.driver = new InterfaceDriver(this.machine, this, this.timers);
  }

  async send(a: SendAction): Promise<void> {
    const r = decodeMessage(encodeMessage(a.message).bytes);
    assert.ok(r.ok);
    this.sends.push({ msg: r.message, to: a.to, from: a.from });
    const type = getMessageType(r.message.options);
    this.events.push(`send ${type} to ${ipToString(a.to)} from ${ipToString(a.from)}`);
    const hold = this.holdSend;
    this.holdSend = undefined;
    if (hold) await hold.promise;
    if (!this.serve) return;
    // The server answers "later": after the driver has finished the current event.
    if (type === 1) queueMicrotask(() => this.driver.post(reply(r.message, 2)));
    if (type === 3) queueMicrotask(() => this.driver.post(reply(r.message, 5)));
  }

  runScript(reason: ScriptReason): Promise<number> {
    this.events.push(`script ${reason}`);
    return this.holdScripts.get(reason)?.promise ?? Promise.resolve(0);
  }

  async probe(address: number): Promise<boolean> {
    this.events.push(`probe ${ipToString(address)}`);
    return false;
  }

  async writeLease(lease: ClientLease): Promise<void> {
    this.events.push(`write-lease ${ipToString(lease.address)}`);
    this.leases.push(lease);
  }

  log(): void {}

  /** Lets queued microtasks and the driver's awaits run to completion. */
  async settle(): Promise<void> {
    // Not driver.idle(): a held script keeps the driver busy on purpose.
    for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
  }
}

function reply(req: DhcpMessage, type: number) {
  return {
    kind: 'message' as const,
    message: serverReply(req, type, '192.0.2.150', { leaseTime: 600 }),
    from: ip(SERVER),
  };
}

test('driver: PREINIT before the first DISCOVER, DORA, probe, BOUND, lease written, renewal timer at T1', async () => {
  const rig = new Rig();
  rig.driver.post({ kind: 'start' });
  await rig.settle();
  assert.deepEqual(rig.events, [
    'script PREINIT',
    'send 1 to 255.255.255.255 from 0.0.0.0',
    'send 3 to 255.255.255.255 from 0.0.0.0',
    'probe 192.0.2.150',
    'script BOUND',
    'write-lease 192.0.2.150',
  ]);
  assert.equal(rig.machine.state, 'BOUND');
  // One timer: the renewal at T1 = 301 s (half the lease + 1).
  assert.equal(rig.timers.pending.length, 1);
  assert.equal(rig.timers.pending[0]?.at, T0 + 301_000);
  rig.events.length = 0;
  rig.timers.fire();
  await rig.settle();
  assert.deepEqual(rig.events, ['send 3 to 192.0.2.1 from 192.0.2.150', 'script RENEW', 'write-lease 192.0.2.150']);
  assert.equal(rig.sends.at(-1)?.msg.ciaddr, ip('192.0.2.150'));
});

test('driver: messages that arrive while a script runs wait for it', async () => {
  const rig = new Rig();
  const preinit = deferred();
  rig.holdScripts.set('PREINIT', preinit);
  rig.driver.post({ kind: 'start' });
  await rig.settle();
  assert.deepEqual(rig.events, ['script PREINIT'], 'nothing is sent before PREINIT has finished');
  preinit.resolve(0);
  await rig.settle();
  assert.equal(rig.machine.state, 'BOUND');
});

test('driver: a BOUND script that fails declines the address', async () => {
  const rig = new Rig();
  const bound = deferred();
  rig.holdScripts.set('BOUND', bound);
  rig.driver.post({ kind: 'start' });
  await rig.settle();
  assert.equal(rig.events.at(-1), 'script BOUND');
  rig.serve = false;
  bound.resolve(1);
  await rig.settle();
  assert.equal(rig.events.at(-1), 'send 4 to 255.255.255.255 from 0.0.0.0');
  assert.equal(rig.leases.length, 0);
});

test('driver: a timer that fired but was replaced before it was handled is dropped', async () => {
  const rig = new Rig();
  rig.serve = false;
  rig.driver.post({ kind: 'start' });
  await rig.settle();
  assert.equal(rig.sends.length, 1, 'DISCOVER, with its retransmission timer pending');
  // An OFFER arrives; while its REQUEST is being sent, the DISCOVER retransmission timer fires. The REQUEST's
  // own timer then replaces it: the fired one must not reach the machine (it would resend at once).
  const held = deferred();
  rig.holdSend = held;
  const discover = rig.sends[0]!.msg;
  rig.driver.post(reply(discover, 2));
  await rig.settle();
  assert.equal(rig.sends.length, 2, 'REQUEST on its way');
  rig.timers.fire();
  held.resolve(0);
  await rig.settle();
  assert.equal(rig.sends.length, 2, 'no retransmission from the stale timer');
  assert.equal(rig.timers.pending.length, 1, 'exactly one timer');
  assert.equal(rig.machine.state, 'REQUESTING');
});

test('driver: -1 without any server ends with exit code 2 after the FAIL script', async () => {
  const rig = new Rig('timeout 10;', { oneTry: true });
  rig.serve = false;
  rig.driver.post({ kind: 'start' });
  await rig.settle();
  for (let i = 0; i < 20 && !rig.driver.finished; i++) {
    rig.timers.fire();
    await rig.settle();
  }
  const end = await rig.driver.done;
  assert.deepEqual(end, { kind: 'exit', code: 2 });
  assert.equal(rig.events.at(-1), 'script FAIL');
  assert.equal(rig.timers.pending.length, 0, 'no timer left behind');
});

test('driver: release of a recorded lease (-r): write-lease, unicast DHCPRELEASE, RELEASE script, stopped', async () => {
  const rig = new Rig();
  const nowSec = Math.floor(T0 / 1000);
  rig.machine.active = {
    address: ip('192.0.2.150'),
    interface: 'eth0',
    options: new Map([[54, new Uint8Array([192, 0, 2, 1])]]),
    renew: nowSec + 100,
    rebind: nowSec + 200,
    expire: nowSec + 300,
  };
  rig.driver.post({ kind: 'release' });
  await rig.settle();
  assert.deepEqual(rig.events, ['write-lease 192.0.2.150', 'send 7 to 192.0.2.1 from 192.0.2.150', 'script RELEASE']);
  assert.deepEqual(await rig.driver.done, { kind: 'stopped', code: 0 });
});

test('driver: shutdown (SIGTERM) clears the timer and ignores later events', async () => {
  const rig = new Rig();
  rig.driver.post({ kind: 'start' });
  await rig.settle();
  assert.equal(rig.timers.pending.length, 1);
  rig.driver.shutdown();
  assert.equal(rig.timers.pending.length, 0);
  rig.driver.post({ kind: 'timer' });
  await rig.settle();
  assert.deepEqual(await rig.driver.done, { kind: 'shutdown', code: 0 });
});
