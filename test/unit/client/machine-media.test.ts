// `media` (dhclient.conf(5)): while no offer has come, each DISCOVER is preceded by the script with reason
// MEDIUM and the next entry in `medium`; the whole list is tried at one interval before the interval grows;
// the medium that got the offer stays with the lease (script `medium`, lease file `medium "..."`) through
// renewals and INIT-REBOOT, and cycling starts over when the lease expires.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientAction } from '../../../src/client/events.js';
import type { ClientLease } from '../../../src/client/lease.js';
import { formatClientLease, parseClientLeaseFile } from '../../../src/client/lease-file.js';
import { Catalogue } from '../../../src/options/catalogue.js';
import { configFromText, ip, optAddr, optIp, optU32, Rig, scripts, sent, serverReply, T0 } from './harness.js';

const MEDIA = 'media "media 10baseT/UTP", "media 10base2/BNC";';
const UTP = 'media 10baseT/UTP';
const BNC = 'media 10base2/BNC';

const type = (s: { msg: { options: Map<number, Uint8Array> } }) => s.msg.options.get(53)![0];

/** What an action list did, in order: `MEDIUM:<medium>` for scripts with a medium, reasons, `send:<type>`. */
function trace(acts: readonly ClientAction[]): string[] {
  const out: string[] = [];
  for (const a of acts) {
    if (a.kind === 'script') out.push(a.env.medium !== undefined ? `${a.reason}:${a.env.medium}` : a.reason);
    else if (a.kind === 'send') out.push(`send:${a.type}`);
    else if (a.kind === 'exit') out.push(`exit:${a.code}`);
  }
  return out;
}

/** Fires timers until a DISCOVER leaves; returns the actions of that firing and the DISCOVER's time. */
function nextDiscover(rig: Rig, status?: Parameters<Rig['fire']>[0]) {
  for (let i = 0; i < 20; i++) {
    const acts = rig.fire(status);
    const d = sent(acts).find((s) => type(s) === 1);
    if (d) return { acts, d, at: rig.clock.t };
  }
  assert.fail('no DISCOVER');
}

describe('client media', () => {
  it('cycles the media before each DISCOVER, the whole list at one interval, then backs off', () => {
    const { cfg } = configFromText(MEDIA);
    assert.deepEqual(cfg.media, [UTP, BNC]);
    const rig = new Rig(cfg);
    const first = rig.run({ kind: 'start' });
    assert.deepEqual(trace(first), ['PREINIT', `MEDIUM:${UTP}`, 'send:1']);
    const medium = scripts(first)[1]!;
    assert.equal(medium.env.interface, 'eth0');
    assert.equal(medium.env.reason, 'MEDIUM');
    assert.equal(medium.env.new_ip_address, undefined, 'no lease in a MEDIUM run');
    const times = [rig.clock.t];
    const seen = [];
    for (let i = 0; i < 5; i++) {
      const { acts, at } = nextDiscover(rig);
      times.push(at);
      seen.push(trace(acts).join(' '));
    }
    assert.deepEqual(seen, [
      `MEDIUM:${BNC} send:1`,
      `MEDIUM:${UTP} send:1`,
      `MEDIUM:${BNC} send:1`,
      `MEDIUM:${UTP} send:1`,
      `MEDIUM:${BNC} send:1`,
    ]);
    const gaps = times.slice(1).map((t, i) => (t - times[i]!) / 1000);
    // RFC 2131 backoff per round of the list: 4, 4, 8, 8, 16, 16 s (each +-1 s).
    const bases = [4, 4, 8, 8, 16];
    gaps.forEach((g, i) => {
      assert.ok(Math.abs(g - bases[i]!) <= 1, `gap ${i + 1}: ${g} s, expected ${bases[i]} +-1 s (${gaps.join(', ')})`);
    });
  });

  it("ISC's backoff: the interval stays the same until the list starts over", () => {
    const { cfg } = configFromText(`${MEDIA} initial-interval 2;`);
    const rig = new Rig(cfg, { backoff: 'isc' });
    rig.run({ kind: 'start' });
    const times = [rig.clock.t];
    for (let i = 0; i < 4; i++) times.push(nextDiscover(rig).at);
    const gaps = times.slice(1).map((t, i) => (t - times[i]!) / 1000);
    assert.equal(gaps[1], gaps[0], 'second medium: same interval');
    assert.equal(gaps[3], gaps[2], 'fourth: same interval again');
    assert.ok(gaps[2]! >= gaps[1]!, `the interval grows when the list starts over (${gaps.join(', ')})`);
  });

  it('the medium that got the offer goes with the lease: BOUND `medium`, lease file, RENEW, no more cycling', () => {
    const { cfg } = configFromText(MEDIA);
    const rig = new Rig(cfg);
    rig.run({ kind: 'start' });
    const { d } = nextDiscover(rig); // the second DISCOVER, on 10base2
    const offer = rig.reply(serverReply(d.msg, 2, '192.0.2.10'));
    assert.deepEqual(trace(offer), ['send:3'], 'no MEDIUM script before the REQUEST');
    const [q] = sent(offer);
    const ack = rig.reply(serverReply(q!.msg, 5, '192.0.2.10', { leaseTime: 600 }));
    const bound = scripts(ack).find((s) => s.reason === 'BOUND')!;
    assert.equal(bound.env.medium, BNC);
    const written = ack.find((a) => a.kind === 'write-lease');
    assert.ok(written?.kind === 'write-lease');
    assert.equal(written.lease.medium, BNC);
    const cat = Catalogue.standard();
    const text = formatClientLease(written.lease, cat);
    assert.match(text, /^ {2}medium "media 10base2\/BNC";$/m);
    assert.equal(parseClientLeaseFile(text, cat).leases[0]!.medium, BNC, 'read back');

    // T1: the renewal goes out on the same medium, without a MEDIUM script; RENEW sees it.
    const t1 = rig.fire();
    assert.deepEqual(trace(t1), ['send:3']);
    const renew = scripts(rig.reply(serverReply(sent(t1)[0]!.msg, 5, '192.0.2.10', { leaseTime: 600 })));
    assert.equal(renew[0]!.reason, 'RENEW');
    assert.equal(renew[0]!.env.medium, BNC);
    assert.equal(rig.m.active!.medium, BNC);
  });

  it('a medium the script refuses is skipped for the next one; when every one is refused the client stops', () => {
    const { cfg } = configFromText(MEDIA);
    const rig = new Rig(cfg);
    const refuseUtp = (reason: string, env: Record<string, string>) =>
      reason === 'MEDIUM' && env.medium === UTP ? 1 : 0;
    const acts = rig.run({ kind: 'start' }, refuseUtp);
    assert.deepEqual(trace(acts), ['PREINIT', `MEDIUM:${UTP}`, `MEDIUM:${BNC}`, 'send:1']);

    const rig2 = new Rig(cfg);
    const all = rig2.run({ kind: 'start' }, (reason) => (reason === 'MEDIUM' ? 1 : 0));
    assert.deepEqual(trace(all), ['PREINIT', `MEDIUM:${UTP}`, `MEDIUM:${BNC}`, 'exit:1']);
    assert.equal(rig2.m.state, 'STOPPED');
    assert.equal(rig2.timerAt, undefined);
    assert.ok(all.some((a) => a.kind === 'log' && a.level === 'error' && /No valid media types/.test(a.message)));
  });

  it('on expiry the cycling starts over from the first medium', () => {
    const { cfg } = configFromText(MEDIA);
    const rig = new Rig(cfg);
    rig.run({ kind: 'start' });
    const { d } = nextDiscover(rig);
    const [q] = sent(rig.reply(serverReply(d.msg, 2, '192.0.2.10', { leaseTime: 600 })));
    rig.reply(serverReply(q!.msg, 5, '192.0.2.10', { leaseTime: 600 }));
    let acts: ClientAction[] = [];
    for (let i = 0; i < 20 && !scripts(acts).some((s) => s.reason === 'EXPIRE'); i++) acts = rig.fire();
    assert.deepEqual(trace(acts), ['EXPIRE', 'PREINIT', `MEDIUM:${UTP}`, 'send:1']);
    assert.equal(scripts(acts)[0]!.env.medium, undefined, 'EXPIRE has no medium (ISC)');
    assert.equal(rig.m.medium, UTP);
  });

  it("INIT-REBOOT sets up the saved lease's medium before the REQUEST; REBOOT sees it", () => {
    const { cfg } = configFromText(MEDIA);
    const s = T0 / 1000;
    const lease: ClientLease = {
      address: ip('192.0.2.77'),
      interface: 'eth0',
      medium: BNC,
      options: new Map([optIp(1, '255.255.255.0'), optIp(54, '192.0.2.1'), optU32(51, 3600)]),
      renew: s + 1800,
      rebind: s + 3150,
      expire: s + 3600,
    };
    const rig = new Rig(cfg);
    const acts = rig.run({ kind: 'start', active: lease });
    assert.deepEqual(trace(acts), ['PREINIT', `MEDIUM:${BNC}`, 'send:3']);
    const [q] = sent(acts);
    assert.equal(optAddr(q!.msg, 50), '192.0.2.77');
    const reboot = scripts(rig.reply(serverReply(q!.msg, 5, '192.0.2.77')));
    assert.equal(reboot[0]!.reason, 'REBOOT');
    assert.equal(reboot[0]!.env.medium, BNC);

    // The script refuses the saved medium: the lease cannot be confirmed on it, DISCOVER cycling instead.
    const rig2 = new Rig(cfg);
    const refused = rig2.run({ kind: 'start', active: lease }, (reason, env) =>
      reason === 'MEDIUM' && env.medium === BNC ? 1 : 0,
    );
    assert.deepEqual(trace(refused), ['PREINIT', `MEDIUM:${BNC}`, `MEDIUM:${UTP}`, 'send:1']);
  });

  it('without media nothing changes: no MEDIUM script, no medium anywhere', () => {
    const { cfg } = configFromText('');
    const rig = new Rig(cfg);
    const acts = rig.run({ kind: 'start' });
    assert.deepEqual(trace(acts), ['PREINIT', 'send:1']);
    const [q] = sent(rig.reply(serverReply(sent(acts)[0]!.msg, 2, '192.0.2.10')));
    const bound = scripts(rig.reply(serverReply(q!.msg, 5, '192.0.2.10')));
    assert.equal(bound[0]!.env.medium, undefined);
    assert.equal(rig.m.active!.medium, undefined);
  });
});
