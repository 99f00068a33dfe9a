// DISCOVER, OFFER, REQUEST, ACK and the ways it can go wrong: a missing required option, a NAK, an address
// in use (DECLINE), a rejected server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IPV4_BROADCAST } from '../../../src/wire/index.js';
import {
  configFromText,
  ip,
  MAC,
  optAddr,
  optBytes,
  optIp,
  Rig,
  SERVER,
  scripts,
  sent,
  serverReply,
  T0,
} from './harness.js';

const CONF = `
option xgrid-controller code 250 = ip-address;
send host-name = gethostname();
send dhcp-client-identifier 1:0:16:36:51:5d:5a;
request subnet-mask, broadcast-address, time-offset, routers, domain-name, domain-name-servers, host-name, ntp-servers, xgrid-controller;
require subnet-mask, domain-name-servers;
`;

function prl(m: { options: Map<number, Uint8Array> }): number[] {
  return [...(m.options.get(55) ?? [])];
}

describe('client DORA', () => {
  it('sends DISCOVER and REQUEST with the right header fields and options, then binds', () => {
    const { cfg } = configFromText(CONF);
    const rig = new Rig(cfg, {}, { hostname: 'ep0host', maxMessageSize: 1500, broadcastFlag: true });
    const start = rig.run({ kind: 'start' });
    assert.deepEqual(
      scripts(start).map((s) => s.reason),
      ['PREINIT'],
    );
    assert.equal(rig.m.state, 'SELECTING');
    const [d] = sent(start);
    assert.ok(d);
    assert.equal(d.to, IPV4_BROADCAST);
    assert.equal(d.from, 0);
    assert.equal(d.msg.op, 1);
    assert.equal(d.msg.flags, 0x8000, 'broadcast flag');
    assert.equal(d.msg.ciaddr, 0);
    assert.equal(d.msg.secs, 0);
    assert.deepEqual([...d.msg.chaddr.subarray(0, 6)], [...MAC]);
    assert.deepEqual(optBytes(d.msg, 53), [1]);
    assert.deepEqual(prl(d.msg), [1, 28, 2, 3, 15, 6, 12, 42, 250], 'PRL = the request list, in order');
    assert.deepEqual(optBytes(d.msg, 61), [1, 0, 0x16, 0x36, 0x51, 0x5d, 0x5a]);
    assert.equal(Buffer.from(d.msg.options.get(12)!).toString(), 'ep0host');
    assert.deepEqual(optBytes(d.msg, 57), [0x05, 0xdc]);
    assert.equal(d.msg.options.has(50), false, 'no requested address without a saved lease');
    assert.equal(d.msg.options.has(54), false);

    rig.clock.t += 1500;
    const offer = serverReply(d.msg, 2, '192.0.2.10', { extra: [optIp(42, '192.0.2.123'), optIp(250, '192.0.2.250')] });
    const r = sent(rig.reply(offer));
    assert.equal(rig.m.state, 'REQUESTING');
    const [q] = r;
    assert.ok(q);
    assert.equal(q.to, IPV4_BROADCAST);
    assert.equal(q.msg.xid, d.msg.xid, 'the REQUEST keeps the DISCOVER xid');
    assert.equal(q.msg.secs, d.msg.secs, 'and its secs');
    assert.equal(q.msg.ciaddr, 0);
    assert.equal(q.msg.flags, 0x8000);
    assert.deepEqual(optBytes(q.msg, 53), [3]);
    assert.equal(optAddr(q.msg, 50), '192.0.2.10');
    assert.equal(optAddr(q.msg, 54), SERVER);
    assert.deepEqual(prl(q.msg), prl(d.msg));
    assert.ok(q.msg.options.has(61) && q.msg.options.has(12) && q.msg.options.has(57));

    rig.clock.t += 200;
    const acts = rig.reply(
      serverReply(q.msg, 5, '192.0.2.10', { extra: [optIp(42, '192.0.2.123'), optIp(250, '192.0.2.250')] }),
    );
    const s = scripts(acts);
    assert.deepEqual(
      s.map((x) => x.reason),
      ['BOUND'],
    );
    assert.equal(s[0]!.env.new_ip_address, '192.0.2.10');
    assert.equal(s[0]!.env.new_ntp_servers, '192.0.2.123');
    assert.equal(s[0]!.env.new_xgrid_controller, '192.0.2.250');
    assert.equal(rig.m.state, 'BOUND');
    assert.ok(acts.some((a) => a.kind === 'write-lease' && a.lease.address === ip('192.0.2.10')));
    const t1 = Math.floor((T0 + 1700) / 1000) + 301;
    assert.equal(rig.timerAt, t1 * 1000, 'T1 = lease/2 + 1 (ISC)');
  });

  it('refuses an offer without a required option, takes a later one that has it', () => {
    const { cfg } = configFromText(CONF);
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    const bad = serverReply(d!.msg, 2, '192.0.2.10', { omit: [6], server: '192.0.2.2' });
    const acts = rig.reply(bad);
    assert.equal(sent(acts).length, 0);
    assert.ok(acts.some((a) => a.kind === 'log' && a.message.includes('no domain-name-servers option')));
    assert.equal(rig.m.state, 'SELECTING');
    const good = serverReply(d!.msg, 2, '192.0.2.11');
    const [q] = sent(rig.reply(good));
    assert.equal(optAddr(q!.msg, 54), SERVER);
  });

  it('collects offers until select-timeout, then takes the first', () => {
    const { cfg } = configFromText(`${CONF}\nselect-timeout 3;`);
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    rig.clock.t += 500;
    assert.equal(sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.20', { server: '192.0.2.2' }))).length, 0);
    assert.equal(rig.timerAt, T0 + 3000);
    rig.reply(serverReply(d!.msg, 2, '192.0.2.21'));
    const [q] = sent(rig.fire());
    assert.equal(optAddr(q!.msg, 50), '192.0.2.20');
  });

  it('goes back to INIT on DHCPNAK', () => {
    const { cfg } = configFromText(CONF);
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10')));
    const acts = rig.reply(serverReply(q!.msg, 6, '0.0.0.0'));
    const [again] = sent(acts);
    assert.deepEqual(optBytes(again!.msg, 53), [1], 'a new DISCOVER');
    assert.notEqual(again!.msg.xid, d!.msg.xid, 'with a new xid');
    assert.equal(rig.m.state, 'SELECTING');
  });

  it('DECLINEs an address another host answers for, then waits 10 s before DISCOVER', () => {
    const { cfg } = configFromText(CONF);
    const rig = new Rig(cfg, { checkAddress: true });
    const [d] = sent(rig.run({ kind: 'start' }));
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10')));
    const acts = rig.reply(serverReply(q!.msg, 5, '192.0.2.10'));
    assert.deepEqual(
      acts.filter((a) => a.kind === 'probe'),
      [{ kind: 'probe', address: ip('192.0.2.10') }],
    );
    assert.equal(scripts(acts).length, 0, 'no BOUND before the probe answers');
    const declined = rig.run({ kind: 'probe-result', address: ip('192.0.2.10'), inUse: true });
    const [dec] = sent(declined);
    assert.deepEqual(optBytes(dec!.msg, 53), [4]);
    assert.equal(dec!.to, IPV4_BROADCAST);
    assert.equal(dec!.msg.ciaddr, 0);
    assert.equal(optAddr(dec!.msg, 50), '192.0.2.10');
    assert.equal(optAddr(dec!.msg, 54), SERVER);
    assert.equal(dec!.msg.options.has(55), false, 'no PRL in a DECLINE');
    assert.equal(rig.m.state, 'INIT');
    assert.equal(rig.timerAt, rig.clock.t + 10_000);
    const [again] = sent(rig.fire());
    assert.deepEqual(optBytes(again!.msg, 53), [1]);
  });

  it('DECLINEs when the BOUND script exits non-zero (dhclient-script contract)', () => {
    const { cfg } = configFromText(CONF);
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10')));
    const acts = rig.reply(serverReply(q!.msg, 5, '192.0.2.10'), 1);
    assert.deepEqual(
      sent(acts).map((s) => s.msg.options.get(53)![0]),
      [4],
    );
    assert.equal(rig.m.active, undefined);
    assert.ok(!acts.some((a) => a.kind === 'write-lease'));
  });

  it('binds when the probe finds the address free', () => {
    const { cfg } = configFromText(CONF);
    const rig = new Rig(cfg, { checkAddress: true });
    const [d] = sent(rig.run({ kind: 'start' }));
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10')));
    rig.reply(serverReply(q!.msg, 5, '192.0.2.10'));
    const acts = rig.run({ kind: 'probe-result', address: ip('192.0.2.10'), inUse: false });
    assert.deepEqual(
      scripts(acts).map((s) => s.reason),
      ['BOUND'],
    );
    assert.equal(rig.m.state, 'BOUND');
  });

  it('ignores offers from a rejected server and messages for another xid or chaddr', () => {
    const { cfg } = configFromText(`${CONF}\nreject 192.0.2.0/28;`);
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    assert.equal(sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10'))).length, 0, 'server 192.0.2.1 is rejected');
    const other = serverReply(d!.msg, 2, '198.51.100.10', { server: '198.51.100.1' });
    assert.equal(sent(rig.reply({ ...other, xid: other.xid + 1 })).length, 0);
    const chaddr = new Uint8Array(16);
    assert.equal(sent(rig.reply({ ...other, chaddr })).length, 0);
    assert.equal(sent(rig.reply(other)).length, 1);
  });

  it("uses ISC's default request list, no broadcast flag, and keeps the xid on retransmission", () => {
    const { cfg } = configFromText('');
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    assert.deepEqual(prl(d!.msg), [1, 28, 2, 3, 15, 6, 12], "ISC's default request list");
    assert.equal(d!.msg.flags, 0, 'no broadcast flag by default (ISC on Linux)');
    const [d2] = sent(rig.fire());
    assert.equal(d2!.msg.xid, d!.msg.xid, 'retransmissions keep the xid');
    assert.ok(d2!.msg.secs >= 3);
  });

  it('quenches a server whose ACK has no lease time, restarting half a second later (ISC add_reject)', () => {
    const { cfg } = configFromText('');
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10')));
    const acts = rig.reply(serverReply(q!.msg, 5, '192.0.2.10', { omit: [51] }));
    assert.equal(scripts(acts).length, 0);
    assert.equal(rig.timerAt, rig.clock.t + 500);
    const [d2] = sent(rig.fire());
    assert.equal(sent(rig.reply(serverReply(d2!.msg, 2, '192.0.2.10'))).length, 0, 'offers from it are ignored');
  });

  it('on link up while bound, confirms the lease with INIT-REBOOT', () => {
    const { cfg } = configFromText('');
    const rig = new Rig(cfg);
    const [d] = sent(rig.run({ kind: 'start' }));
    const [q] = sent(rig.reply(serverReply(d!.msg, 2, '192.0.2.10')));
    rig.reply(serverReply(q!.msg, 5, '192.0.2.10'));
    rig.clock.t += 60_000;
    const [r] = sent(rig.run({ kind: 'link', up: true }));
    assert.equal(rig.m.state, 'REBOOTING');
    assert.equal(r!.to, IPV4_BROADCAST);
    assert.equal(optAddr(r!.msg, 50), '192.0.2.10');
    assert.deepEqual(
      scripts(rig.reply(serverReply(r!.msg, 5, '192.0.2.10'))).map((s) => s.reason),
      ['REBOOT'],
    );
  });

  it('with -s SERVER sends to that server instead of broadcasting; `request;` sends no PRL', () => {
    const { cfg } = configFromText('request;');
    const rig = new Rig(cfg, { server: ip('198.51.100.9') });
    const [d] = sent(rig.run({ kind: 'start' }));
    assert.equal(d!.to, ip('198.51.100.9'));
    assert.equal(d!.msg.options.has(55), false);
  });
});
