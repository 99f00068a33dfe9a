// Link up/down: the daemon's carrier watch reports changes only; the engine confirms its lease (INIT-REBOOT)
// when the link comes back, starts over when it had none, and ignores a link going down.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CarrierWatch } from '../../../src/client/daemon-carrier.js';
import { IPV4_BROADCAST } from '../../../src/wire/index.js';
import { configFromText, optAddr, Rig, scripts, sent, serverReply } from './harness.js';

const type = (s: { msg: { options: Map<number, Uint8Array> } }) => s.msg.options.get(53)![0];

function fakeWatch(samples: (boolean | Error)[]) {
  const changes: boolean[] = [];
  let tick: (() => void) | undefined;
  let cleared = false;
  const w = new CarrierWatch({
    ifname: 'eth0',
    onChange: (up) => changes.push(up),
    intervalMs: 1000,
    read: () => {
      const s = samples.shift();
      if (s instanceof Error) throw s;
      assert.ok(s !== undefined, 'no more samples');
      return s;
    },
    timers: {
      every: (_ms, fn) => {
        tick = fn;
        return 1;
      },
      clear: () => {
        cleared = true;
      },
    },
  });
  return { w, changes, tick: () => tick?.(), cleared: () => cleared };
}

describe('carrier watch', () => {
  it('reports changes, not the starting state; an unreadable carrier (admin down) counts as down', () => {
    const f = fakeWatch([true, true, false, new Error('EINVAL'), true, true]);
    f.w.start();
    assert.equal(f.w.carrier, true);
    for (let i = 0; i < 5; i++) f.tick();
    assert.deepEqual(f.changes, [false, true]);
    f.w.stop();
    assert.ok(f.cleared());
  });

  it('starting without carrier, the first up is a change', () => {
    const f = fakeWatch([false, true]);
    f.w.start();
    f.tick();
    assert.deepEqual(f.changes, [true]);
  });
});

describe('client engine on link events', () => {
  function bound() {
    const { cfg } = configFromText('');
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10')));
    rig.reply(serverReply(q!.msg, 5, '192.0.2.10'));
    assert.equal(rig.m.state, 'BOUND');
    return rig;
  }

  it('link down changes nothing; link up confirms the lease by INIT-REBOOT (REBOOT, same address)', () => {
    const rig = bound();
    const renewAt = rig.timerAt;
    assert.deepEqual(rig.run({ kind: 'link', up: false }), []);
    assert.equal(rig.m.state, 'BOUND');
    assert.equal(rig.timerAt, renewAt);
    rig.clock.t += 5000;
    const acts = rig.run({ kind: 'link', up: true });
    const [r] = sent(acts);
    assert.equal(rig.m.state, 'REBOOTING');
    assert.equal(type(r!), 3);
    assert.equal(r!.to, IPV4_BROADCAST);
    assert.equal(r!.from, 0);
    assert.equal(r!.msg.ciaddr, 0, 'INIT-REBOOT form: requested address, no ciaddr');
    assert.equal(optAddr(r!.msg, 50), '192.0.2.10');
    assert.equal(r!.msg.options.has(54), false);
    const ack = scripts(rig.reply(serverReply(r!.msg, 5, '192.0.2.10')));
    assert.deepEqual(
      ack.map((s) => [s.reason, s.env.new_ip_address]),
      [['REBOOT', '192.0.2.10']],
    );
    assert.equal(rig.m.state, 'BOUND');
  });

  it('link up, and nobody answers the confirmation: the lease stays in use until its T1 (RFC 2131 3.2)', () => {
    const rig = bound();
    const lease = rig.m.active!;
    rig.clock.t += 5000;
    let acts = rig.run({ kind: 'link', up: true });
    const all = [...acts];
    for (let i = 0; i < 20 && rig.m.state === 'REBOOTING'; i++) {
      acts = rig.fire();
      all.push(...acts);
    }
    assert.equal(rig.m.state, 'BOUND');
    assert.ok(
      sent(all).every((s) => type(s) === 3),
      'REQUESTs only, no DISCOVER',
    );
    assert.ok(sent(all).length >= 2, 'the REQUEST was retransmitted');
    assert.deepEqual(scripts(all), [], 'the address was never touched');
    assert.equal(rig.m.active, lease);
    assert.equal(rig.timerAt, lease.renew * 1000, 'renewal at T1 as before');
  });

  it('link up on another network: NAK -> EXPIRE, then DISCOVER', () => {
    const rig = bound();
    const [r] = sent(rig.run({ kind: 'link', up: true }));
    const acts = rig.reply(serverReply(r!.msg, 6, '0.0.0.0'));
    assert.deepEqual(
      scripts(acts).map((s) => s.reason),
      ['EXPIRE', 'PREINIT'],
    );
    assert.equal(type(sent(acts)[0]!), 1);
  });

  it('link up while still looking for a lease starts a fresh DISCOVER exchange; before start it is ignored', () => {
    const { cfg } = configFromText('');
    const early = new Rig(cfg);
    assert.deepEqual(early.run({ kind: 'link', up: true }), []);
    const rig = new Rig(cfg);
    const [d1] = sent(rig.run({ kind: 'start' }));
    rig.fire();
    rig.clock.t += 2000;
    const [d2] = sent(rig.run({ kind: 'link', up: true }));
    assert.equal(type(d2!), 1);
    assert.notEqual(d2!.msg.xid, d1!.msg.xid, 'a new exchange');
    assert.equal(d2!.msg.secs, 0);
    assert.equal(rig.m.state, 'SELECTING');
  });
});
