// The client's OMAPI control object (ISC dhclient: common/comapi.c, dhcp_set_control_state): the provider's
// answers and the machine events each `state` becomes; pause (STOP, nothing sent, idle), resume (REBOOT of the
// kept lease, no PREINIT), shutdown (DHCPRELEASE + RELEASE, stopped; nothing when the lease has expired).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientConfig } from '../../../src/client/config.js';
import type { ClientEvent } from '../../../src/client/events.js';
import { ClientControl, controlEvent } from '../../../src/client/omapi-control.js';
import { DHCP_R, ISC_R } from '../../../src/omapi/results.js';
import { readU32, u32Value } from '../../../src/omapi/wire.js';
import { configFromText, ip, Rig, SERVER, scripts, sent, serverReply } from './harness.js';

function bound(cfg: ClientConfig, leaseTime = 600): Rig {
  const rig = new Rig(cfg);
  const [d] = sent(rig.run({ kind: 'start' }));
  const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10', { leaseTime })));
  rig.reply(serverReply(q!.msg, 5, '192.0.2.10', { leaseTime }));
  assert.equal(rig.m.state, 'BOUND');
  return rig;
}

const type = (s: { msg: { options: Map<number, Uint8Array> } }) => s.msg.options.get(53)![0];
const REF = { type: 'control', id: 'control' };

describe('client OMAPI control object', () => {
  it('maps ISC control_object_state_t values: 2 shutdown, 3 hibernate (pause), 4 awaken (resume), others nothing', () => {
    assert.deepEqual(controlEvent(2), { kind: 'shutdown' });
    assert.deepEqual(controlEvent(3), { kind: 'pause' });
    assert.deepEqual(controlEvent(4), { kind: 'resume' });
    assert.equal(controlEvent(0), undefined);
    assert.equal(controlEvent(1), undefined);
    assert.equal(controlEvent(7), undefined);
  });

  it('is found by any open, cannot be created or removed, reads and stores state, acts before answering', async () => {
    const acted: [ClientEvent, number][] = [];
    const c = new ClientControl({
      act: async (ev, s) => {
        acted.push([ev, s]);
      },
    });
    assert.equal(c.hasType('control'), true);
    assert.equal(c.hasType('host'), false);
    assert.deepEqual(c.lookup('control', []), { ok: true, value: REF });
    assert.equal(c.lookup('lease', []).ok, false);
    const created = c.create('control');
    assert.equal(!created.ok && created.result, ISC_R.NOPERM);
    const removed = c.remove();
    assert.equal(!removed.ok && removed.result, ISC_R.NOPERM);
    const first = c.read(REF);
    assert.ok(first.ok);
    assert.equal(readU32(first.value[0]!.value as Uint8Array), 0, 'server_startup until set');

    assert.deepEqual(await c.update(REF, [{ name: 'state', value: u32Value(3) }]), { ok: true, value: undefined });
    assert.deepEqual(acted, [[{ kind: 'pause' }, 3]]);
    const after = c.read(REF);
    assert.ok(after.ok);
    assert.equal(readU32(after.value[0]!.value as Uint8Array), 3);
    await c.update(REF, [{ name: 'state', value: u32Value(1) }]);
    assert.equal(acted.length, 1, 'running: nothing to do');
    assert.equal(c.current, 1);

    const bad = await c.update(REF, [{ name: 'state', value: new Uint8Array([1]) }]);
    assert.equal(!bad.ok && bad.result, DHCP_R.INVALIDARG);
    const unknown = await c.update(REF, [{ name: 'colour', value: u32Value(1) }]);
    assert.equal(!unknown.ok && unknown.result, ISC_R.NOTFOUND);
  });

  it('pause: STOP with old_ values, nothing sent, timers cancelled, messages ignored; resume: REBOOT without PREINIT', () => {
    const { cfg } = configFromText('');
    const rig = bound(cfg);
    const xid = rig.m.xid;
    const paused = rig.run({ kind: 'pause' });
    assert.deepEqual(
      scripts(paused).map((s) => s.reason),
      ['STOP'],
    );
    assert.equal(scripts(paused)[0]!.env.old_ip_address, '192.0.2.10');
    assert.equal(sent(paused).length, 0);
    assert.equal(rig.timerAt, undefined, 'renewal timer cancelled');
    assert.equal(rig.m.state, 'STOPPED');
    assert.ok(rig.m.active, 'the lease is kept (ISC state_stop)');
    assert.equal(
      paused.some((a) => a.kind === 'stopped'),
      false,
      'paused, not ended',
    );
    assert.deepEqual(rig.run({ kind: 'pause' }), [], 'a second pause does nothing');
    assert.deepEqual(rig.run({ kind: 'link', up: true }), [], 'link changes wait for resume');

    const resumed = rig.run({ kind: 'resume' });
    assert.deepEqual(scripts(resumed), [], 'state_reboot runs no PREINIT');
    const [r] = sent(resumed);
    assert.equal(type(r!), 3, 'DHCPREQUEST');
    assert.equal(rig.m.state, 'REBOOTING');
    assert.notEqual(rig.m.xid, xid);
    const acked = rig.reply(serverReply(r!.msg, 5, '192.0.2.10'));
    assert.deepEqual(
      scripts(acked).map((s) => s.reason),
      ['REBOOT'],
    );
    assert.equal(rig.m.state, 'BOUND');
  });

  it('a message arriving while paused is ignored', () => {
    const { cfg } = configFromText('');
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    const paused = rig.run({ kind: 'pause' });
    assert.deepEqual(scripts(paused), [], 'no lease: no STOP script');
    assert.deepEqual(rig.reply(serverReply(d!.msg, 2, '192.0.2.10')), []);
    assert.equal(rig.m.state, 'STOPPED');
    const [d2] = sent(rig.run({ kind: 'resume' }));
    assert.equal(type(d2!), 1, 'no lease: INIT, a new DISCOVER');
    assert.equal(rig.m.state, 'SELECTING');
  });

  it('shutdown: DHCPRELEASE to the server from the address, RELEASE script, stopped', () => {
    const { cfg } = configFromText('');
    const rig = bound(cfg);
    const acts = rig.run({ kind: 'shutdown' });
    const [rel] = sent(acts);
    assert.equal(type(rel!), 7);
    assert.equal(rel!.to, ip(SERVER));
    assert.equal(rel!.from, ip('192.0.2.10'));
    assert.deepEqual(
      scripts(acts).map((s) => s.reason),
      ['RELEASE'],
    );
    assert.equal(acts.at(-1)!.kind, 'stopped');
    assert.equal(rig.m.state, 'STOPPED');
  });

  it('shutdown while paused releases the kept lease; shutdown without a lease only stops', () => {
    const { cfg } = configFromText('');
    const rig = bound(cfg);
    rig.run({ kind: 'pause' });
    const acts = rig.run({ kind: 'shutdown' });
    assert.deepEqual(
      sent(acts).map((s) => type(s)),
      [7],
    );
    assert.deepEqual(
      scripts(acts).map((s) => s.reason),
      ['RELEASE'],
    );

    const bare = new Rig(cfg);
    bare.run({ kind: 'start' });
    const out = bare.run({ kind: 'shutdown' });
    assert.deepEqual(sent(out), []);
    assert.deepEqual(scripts(out), []);
    assert.equal(out.at(-1)!.kind, 'stopped');
  });
});
