// A lease's life after the first ACK: renewal at T1 (unicast), rebinding at T2 (broadcast), expiry (EXPIRE,
// then DISCOVER); retransmission backoff; INIT-REBOOT with a saved lease; the TIMEOUT fallback; RELEASE, STOP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientConfig } from '../../../src/client/config.js';
import type { ClientLease } from '../../../src/client/lease.js';
import { IPV4_BROADCAST } from '../../../src/wire/index.js';
import { configFromText, ip, optAddr, optIp, optU32, Rig, SERVER, scripts, sent, serverReply, T0 } from './harness.js';

/** Runs a DORA with a `leaseTime` lease; returns the rig in BOUND. */
function bound(cfg: ClientConfig, leaseTime: number, opts: ConstructorParameters<typeof Rig>[1] = {}): Rig {
  const rig = new Rig(cfg, opts);
  const [d] = sent(rig.run({ kind: 'start' }));
  const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10', { leaseTime })));
  rig.reply(serverReply(q!.msg, 5, '192.0.2.10', { leaseTime }));
  assert.equal(rig.m.state, 'BOUND');
  return rig;
}

const type = (s: { msg: { options: Map<number, Uint8Array> } }) => s.msg.options.get(53)![0];

describe('client lease lifecycle', () => {
  it('renews at T1 by unicast, rebinds at T2 by broadcast, and on expiry runs EXPIRE and DISCOVERs', () => {
    const { cfg } = configFromText('');
    const rig = bound(cfg, 600);
    const a = rig.m.active!;
    assert.equal(a.renew - a.rebind < 0, true);
    assert.equal(a.rebind, T0 / 1000 + 525, 'T2 = 7/8 of the lease');
    assert.equal(a.expire, T0 / 1000 + 600);

    // T1: unicast to the server from the leased address, ciaddr set, no 50/54, no broadcast flag.
    const [r1] = sent(rig.fire());
    assert.equal(rig.m.state, 'RENEWING');
    assert.equal(rig.clock.t, a.renew * 1000);
    assert.equal(r1!.to, ip(SERVER));
    assert.equal(r1!.from, ip('192.0.2.10'));
    assert.equal(type(r1!), 3);
    assert.equal(r1!.msg.ciaddr, ip('192.0.2.10'));
    assert.equal(r1!.msg.flags, 0);
    assert.equal(r1!.msg.options.has(50), false);
    assert.equal(r1!.msg.options.has(54), false);
    assert.equal(r1!.msg.secs, 0);

    // The server is gone. RENEWING retries by unicast every half of the time left to T2 (at least 60 s),
    // never past T2; at T2 the client broadcasts (REBINDING), then likewise until expiry.
    const sends: { at: number; to: number; state: string }[] = [];
    while (rig.timerAt! < a.expire * 1000) {
      const before = rig.clock.t;
      const [r] = sent(rig.fire());
      const left =
        ((rig.m.state as string) === 'REBINDING' && before >= a.rebind * 1000 ? a.expire : a.rebind) * 1000 - before;
      assert.ok(rig.clock.t - before <= Math.max(60_000, left / 2) + 1, 'RFC 2131 4.4.5 spacing');
      assert.equal(r!.from, ip('192.0.2.10'), 'always from the leased address');
      assert.equal(r!.msg.ciaddr, ip('192.0.2.10'));
      assert.equal(r!.msg.xid, r1!.msg.xid);
      sends.push({ at: rig.clock.t, to: r!.to, state: rig.m.state });
    }
    assert.deepEqual(
      sends.map((x) => [(x.at - a.renew * 1000) / 1000, x.state, x.to === IPV4_BROADCAST]),
      [
        [112, 'RENEWING', false], // (525 - 301) / 2
        [172, 'RENEWING', false], // half of 112 s is under the 60 s minimum
        [224, 'REBINDING', true], // T2: 60 s minimum, clamped to T2
        [284, 'REBINDING', true], // 60 s minimum (half of 75 s is less)
      ],
    );
    sends.forEach((x) => {
      if (x.state === 'RENEWING') assert.notEqual(x.to, IPV4_BROADCAST);
    });

    // Nobody answers: at expiry, EXPIRE + PREINIT, then a new DISCOVER.
    assert.equal(rig.timerAt, a.expire * 1000);
    const acts = rig.fire();
    assert.deepEqual(
      scripts(acts).map((s) => s.reason),
      ['EXPIRE', 'PREINIT'],
    );
    assert.equal(scripts(acts)[0]!.env.old_ip_address, '192.0.2.10');
    const [d] = sent(acts);
    assert.equal(type(d!), 1);
    assert.equal(rig.m.state, 'SELECTING');
    assert.equal(rig.m.active, undefined);
  });

  it('a renewal ACK runs RENEW with old_ and new_ and moves T1', () => {
    const { cfg } = configFromText('');
    const rig = bound(cfg, 600);
    const [r1] = sent(rig.fire());
    rig.clock.t += 300;
    const acts = rig.reply(serverReply(r1!.msg, 5, '192.0.2.10', { leaseTime: 600 }));
    const [s] = scripts(acts);
    assert.equal(s!.reason, 'RENEW');
    assert.equal(s!.env.old_ip_address, '192.0.2.10');
    assert.equal(s!.env.new_ip_address, '192.0.2.10');
    assert.equal(rig.m.state, 'BOUND');
    assert.equal(rig.timerAt, (Math.floor(rig.clock.t / 1000) + 301) * 1000);
  });

  it('a REBIND ACK after T2 runs REBIND', () => {
    const { cfg } = configFromText('');
    const rig = bound(cfg, 600);
    let r2 = sent(rig.fire())[0];
    while (rig.m.state !== 'REBINDING') r2 = sent(rig.fire())[0];
    const [s] = scripts(rig.reply(serverReply(r2!.msg, 5, '192.0.2.10', { leaseTime: 600 })));
    assert.equal(s!.reason, 'REBIND');
  });

  it('retransmits DISCOVER at 4, 8, 16, 32, 64, 64 s, each within +-1 s (RFC 2131 4.1)', () => {
    const { cfg } = configFromText('timeout 600;');
    const rig = new Rig(cfg);
    const first = sent(rig.run({ kind: 'start' }))[0]!;
    const times = [rig.clock.t];
    const secs = [first.msg.secs];
    for (let i = 0; i < 7; i++) {
      const [d] = sent(rig.fire());
      assert.equal(type(d!), 1);
      assert.equal(d!.msg.xid, first.msg.xid);
      times.push(rig.clock.t);
      secs.push(d!.msg.secs);
    }
    const gaps = times.slice(1).map((t, i) => (t - times[i]!) / 1000);
    const bases = [4, 8, 16, 32, 64, 64, 64];
    gaps.forEach((g, i) => {
      assert.ok(Math.abs(g - bases[i]!) <= 1, `gap ${i}: ${g} s, expected ${bases[i]} +- 1`);
    });
    // secs counts whole seconds since the first DISCOVER.
    secs.forEach((s, i) => {
      assert.equal(s, Math.floor((times[i]! - times[0]!) / 1000));
    });
  });

  it('with policy isc: starts at initial-interval, grows by random() % (2 * interval), capped near backoff-cutoff', () => {
    const { cfg } = configFromText('timeout 600;');
    const rig = new Rig(cfg, { backoff: 'isc' });
    rig.run({ kind: 'start' });
    let last = rig.clock.t;
    let prev = 3;
    for (let i = 0; i < 10; i++) {
      rig.fire();
      const gap = (rig.clock.t - last) / 1000;
      last = rig.clock.t;
      assert.ok(Number.isInteger(gap));
      // either prev + [0, 2 prev) or, past the cutoff (15), 7 + [0, 15)
      assert.ok((gap >= prev && gap < 3 * prev && gap <= 15) || (gap >= 7 && gap < 22), `gap ${gap}`);
      prev = gap;
    }
  });

  it('gives up DISCOVER after `timeout`, runs FAIL, and retries after about `retry` seconds', () => {
    const { cfg } = configFromText('timeout 20; retry 60;');
    const rig = new Rig(cfg);
    rig.run({ kind: 'start' });
    let acts = rig.fire();
    while (!scripts(acts).some((s) => s.reason === 'FAIL')) acts = rig.fire();
    assert.ok(rig.clock.t - T0 > 20_000 && rig.clock.t - T0 <= 22_000);
    assert.equal(rig.m.state, 'INIT');
    const wait = (rig.timerAt! - rig.clock.t) / 1000;
    assert.ok(wait >= 30 && wait < 90, `retry wait ${wait}`);
    const [d] = sent(rig.fire());
    assert.equal(type(d!), 1);
  });

  it('with -1, exits 2 after the timeout', () => {
    const { cfg } = configFromText('timeout 10;');
    const rig = new Rig(cfg, { oneTry: true });
    rig.run({ kind: 'start' });
    let acts = rig.fire();
    while (!acts.some((a) => a.kind === 'exit')) acts = rig.fire();
    assert.ok(acts.some((a) => a.kind === 'exit' && a.code === 2));
  });
});

function saved(now: number, life = 3600): ClientLease {
  const s = Math.floor(now / 1000);
  return {
    address: ip('192.0.2.77'),
    interface: 'eth0',
    options: new Map([optIp(54, SERVER), optIp(1, '255.255.255.0'), optU32(51, life)]),
    renew: s + life / 2,
    rebind: s + (life * 7) / 8,
    expire: s + life,
  };
}

describe('client INIT-REBOOT and saved leases', () => {
  it('INIT-REBOOT: broadcast REQUEST for the saved address without a server id; ACK runs REBOOT', () => {
    const { cfg } = configFromText('');
    const rig = new Rig(cfg);
    const [q] = sent(rig.run({ kind: 'start', active: saved(rig.clock.t) }));
    assert.equal(rig.m.state, 'REBOOTING');
    assert.equal(type(q!), 3);
    assert.equal(q!.to, IPV4_BROADCAST);
    assert.equal(q!.msg.ciaddr, 0);
    assert.equal(ip(optAddr(q!.msg, 50)), ip('192.0.2.77'));
    assert.equal(q!.msg.options.has(54), false);
    const acts = rig.reply(serverReply(q!.msg, 5, '192.0.2.77'));
    const [s] = scripts(acts);
    assert.equal(s!.reason, 'REBOOT');
    assert.equal(s!.env.old_ip_address, undefined, 'REBOOT has no old_ (ISC)');
    assert.equal(rig.m.state, 'BOUND');
  });

  it('INIT-REBOOT: NAK runs EXPIRE for the saved lease and DISCOVERs', () => {
    const { cfg } = configFromText('');
    const rig = new Rig(cfg);
    const [q] = sent(rig.run({ kind: 'start', active: saved(rig.clock.t) }));
    const acts = rig.reply(serverReply(q!.msg, 6, '0.0.0.0'));
    assert.deepEqual(
      scripts(acts).map((s) => s.reason),
      ['EXPIRE', 'PREINIT'],
    );
    const [d] = sent(acts);
    assert.equal(type(d!), 1);
    assert.equal(d!.msg.options.has(50), false, 'the NAKed address is forgotten');
  });

  it('INIT-REBOOT: no answer within `reboot` seconds -> DISCOVER asking for the saved address', () => {
    const { cfg } = configFromText('');
    const rig = new Rig(cfg);
    rig.run({ kind: 'start', active: saved(rig.clock.t) });
    let d: ReturnType<typeof sent>[number] | undefined;
    while (!d) d = sent(rig.fire()).find((s) => type(s) === 1);
    assert.ok(rig.clock.t - T0 > 10_000);
    assert.equal(ip(optAddr(d.msg, 50)), ip('192.0.2.77'));
  });

  it('no offers at all: TIMEOUT with the still-valid saved lease, then BOUND until its T1', () => {
    const { cfg } = configFromText('timeout 15; reboot 5;');
    const rig = new Rig(cfg);
    const lease = saved(rig.clock.t);
    rig.run({ kind: 'start', active: lease });
    let acts = rig.fire();
    while (!scripts(acts).some((s) => s.reason === 'TIMEOUT')) acts = rig.fire();
    assert.equal(scripts(acts)[0]!.env.new_ip_address, '192.0.2.77');
    assert.equal(rig.m.state, 'BOUND');
    assert.equal(rig.timerAt, lease.renew * 1000);
  });

  it('TIMEOUT script failing -> FAIL', () => {
    const { cfg } = configFromText('timeout 15; reboot 5;');
    const rig = new Rig(cfg);
    rig.run({ kind: 'start', active: saved(rig.clock.t) });
    let acts = rig.fire(1);
    while (!scripts(acts).some((s) => s.reason === 'FAIL')) acts = rig.fire(1);
    assert.deepEqual(
      scripts(acts).map((s) => s.reason),
      ['TIMEOUT', 'FAIL'],
    );
    assert.equal(rig.m.state, 'INIT');
  });

  it('a lease { } block of dhclient.conf is the fallback', () => {
    const { cfg } = configFromText(
      'timeout 5; lease { interface "eth0"; fixed-address 192.0.2.99; option subnet-mask 255.255.255.0; renew 4 2037/01/01 00:00:00; rebind 4 2037/01/01 00:00:00; expire 4 2037/01/01 00:00:00; }',
    );
    assert.equal(cfg.staticLeases.length, 1);
    const rig = new Rig(cfg);
    rig.run({ kind: 'start' });
    let acts = rig.fire();
    while (!scripts(acts).some((s) => s.reason === 'TIMEOUT')) acts = rig.fire();
    assert.equal(scripts(acts)[0]!.env.new_ip_address, '192.0.2.99');
  });
});

describe('client RELEASE and STOP', () => {
  it('RELEASE: unicast DHCPRELEASE to the server, lease recorded as ended, RELEASE script, stopped', () => {
    const { cfg } = configFromText('');
    const rig = bound(cfg, 600);
    rig.clock.t += 5000;
    const acts = rig.run({ kind: 'release' });
    const [r] = sent(acts);
    assert.equal(type(r!), 7);
    assert.equal(r!.to, ip(SERVER));
    assert.equal(r!.from, ip('192.0.2.10'));
    assert.equal(r!.msg.ciaddr, ip('192.0.2.10'));
    assert.equal(ip(optAddr(r!.msg, 54)), ip(SERVER));
    const w = acts.find((a) => a.kind === 'write-lease');
    assert.ok(w && w.kind === 'write-lease' && w.lease.expire === Math.floor(rig.clock.t / 1000));
    assert.deepEqual(
      scripts(acts).map((s) => s.reason),
      ['RELEASE'],
    );
    assert.equal(scripts(acts)[0]!.env.old_ip_address, '192.0.2.10');
    assert.ok(acts.some((a) => a.kind === 'stopped'));
    assert.equal(rig.m.state, 'STOPPED');
  });

  it('STOP: STOP script, nothing sent', () => {
    const { cfg } = configFromText('');
    const rig = bound(cfg, 600);
    const acts = rig.run({ kind: 'stop' });
    assert.equal(sent(acts).length, 0);
    assert.deepEqual(
      scripts(acts).map((s) => s.reason),
      ['STOP'],
    );
    assert.ok(acts.some((a) => a.kind === 'cancel-timer'));
  });
});
