// The engine's dynamic DNS decisions (ddns-plan.ts, ISC ddns_updates / ddns_removals): the name, who updates
// the A record, the TTL, the guard, the FQDN option in the ACK, and the removals on RELEASE and expiry.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { standardDhcid } from '../../../src/ddns/dhcid.js';
import type { AddJob } from '../../../src/ddns/transaction.js';
import { optionOf, Server, treeOf } from './helpers.js';

const MAC = '00:16:36:51:5d:5a';

function conf(extra = '', style = 'standard'): string {
  return `ddns-update-style ${style};
option domain-name "example.org";
default-lease-time 600; max-lease-time 600;
${extra}
zone example.org. { primary 192.0.2.53; }
subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.100 192.168.1.110; }
`;
}

/** Option 81 as a client sends it: flags, two rcodes, the name in wire form. */
function fqdnOption(flags: number, name: string): [number, Uint8Array] {
  const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]);
  return [81, Uint8Array.from([flags | 4, 0, 0, ...labels, 0])];
}

function addJob(res: ReturnType<Server['send']>): AddJob {
  const jobs = res.ddns ?? [];
  assert.equal(jobs.length, 1, res.log.join(' | '));
  const job = jobs[0]!.job;
  assert.equal(job.kind, 'add');
  return job as AddJob;
}

test('an ACK asks for the host name in ddns-domainname (or domain-name), half the lease as TTL, the PTR, a DHCID guard', () => {
  const s = new Server(treeOf(conf()));
  const { offer, ack, address } = s.dora({ mac: MAC, hostname: 'laptop' });
  assert.equal(offer.ddns, undefined, 'an OFFER asks for nothing');
  const job = addJob(ack);
  assert.equal(job.fwdName, 'laptop.example.org');
  assert.equal(job.updateA, true);
  assert.equal(job.ttl, 300);
  assert.equal(job.revName, `${address.split('.').reverse().join('.')}.in-addr.arpa.`);
  const chaddr = Uint8Array.from([1, 0x00, 0x16, 0x36, 0x51, 0x5d, 0x5a]);
  assert.deepEqual(job.guard, { style: 'standard', value: standardDhcid(0, chaddr, 'laptop.example.org') });
  assert.equal(optionOf(ack, 81), undefined, 'no FQDN option unless the client sent one');
});

test('ddns-hostname, ddns-domainname, ddns-ttl and do-reverse-updates override the defaults; no name, no job', () => {
  const s = new Server(
    treeOf(
      conf(
        'ddns-hostname = concat("h-", binary-to-ascii(16, 8, "", substring(hardware, 6, 1))); ddns-domainname "lab.example.org"; ddns-ttl 60; do-reverse-updates off;',
      ),
    ),
  );
  const job = addJob(s.dora({ mac: MAC }).ack);
  assert.equal(job.fwdName, 'h-5a.lab.example.org');
  assert.equal(job.ttl, 60);
  assert.equal(job.revName, undefined);
  const none = new Server(treeOf(conf().replace('option domain-name "example.org";', '')));
  assert.equal(none.dora({ mac: MAC, hostname: 'laptop' }).ack.ddns, undefined, 'no domain name: nothing to update');
  const off = new Server(treeOf(conf('ddns-updates off;')));
  assert.equal(off.dora({ mac: MAC, hostname: 'laptop' }).ack.ddns, undefined);
});

test('client FQDN with S=0: the client updates its A record; the ACK says S=0 and the server does the PTR', () => {
  const s = new Server(treeOf(conf()));
  const { ack } = s.dora({ mac: MAC, options: [fqdnOption(0, 'self.example.org')] });
  const job = addJob(ack);
  assert.equal(job.updateA, false);
  assert.equal(job.fwdName, 'self.example.org');
  const reply = optionOf(ack, 81)!;
  assert.equal(reply[0], 4, 'S=0, O=0, E as the client sent it');
  assert.deepEqual([reply[1], reply[2]], [255, 255]);
});

test('client FQDN with S=1, and S=0 under deny or ignore client-updates: the server updates; ignore tells the white lie', () => {
  const s = new Server(treeOf(conf()));
  const asks = s.dora({ mac: MAC, options: [fqdnOption(1, 'laptop.example.org')] }).ack;
  assert.equal(addJob(asks).updateA, true);
  assert.equal(addJob(asks).fwdName, 'laptop.example.org', 'fqdn.hostname picked, with ddns-domainname');
  assert.equal(optionOf(asks, 81)![0], 1 | 2 | 4, "S and ISC's no-client-update bit");
  const deny = new Server(treeOf(conf('deny client-updates;')));
  const d = deny.dora({ mac: MAC, options: [fqdnOption(0, 'self.example.org')] }).ack;
  assert.equal(addJob(d).updateA, true);
  assert.equal(optionOf(d, 81)![0], 7);
  const ignore = new Server(treeOf(conf('ignore client-updates;')));
  const i = ignore.dora({ mac: MAC, options: [fqdnOption(0, 'self.example.org')] }).ack;
  assert.equal(addJob(i).updateA, true);
  assert.equal(optionOf(i, 81)![0], 4, 'the server says it does not update');
});

test("interim style: the guard is ISC's TXT; RELEASE and expiry ask to remove what the lease variables record", () => {
  const s = new Server(treeOf(conf('', 'interim')));
  const { ack, address } = s.dora({ mac: MAC, hostname: 'laptop' });
  const job = addJob(ack);
  assert.equal(job.guard.style, 'interim');
  assert.equal(job.guard.value.length, 34);
  // What the daemon writes back once DNS has the records.
  const slot = s.leases.slotOf(ip4(address));
  s.leases.setLeaseScope(slot, {
    variables: [
      { name: 'ddns-fwd-name', value: { type: 'data', data: new Uint8Array(Buffer.from('laptop.example.org')) } },
      { name: 'ddns-txt', value: { type: 'data', data: job.guard.value } },
    ],
  });
  const rel = s.send({ type: 7, mac: MAC, ciaddr: address });
  const removal = rel.ddns?.[0]?.job;
  assert.equal(removal?.kind, 'remove');
  assert.equal(removal?.kind === 'remove' ? removal.state.fwdName : undefined, 'laptop.example.org');
  // Expiry: a new lease, its variables, then the clock past its end.
  const again = s.dora({ mac: MAC, hostname: 'laptop' });
  const slot2 = s.leases.slotOf(ip4(again.address));
  s.leases.setLeaseScope(slot2, {
    variables: [
      { name: 'ddns-rev-name', value: { type: 'data', data: new Uint8Array(Buffer.from('x.in-addr.arpa.')) } },
    ],
  });
  s.now += 700;
  const later = s.send({ type: 1, mac: '00:00:00:00:00:01' });
  const expiry = later.ddns?.find((r) => r.job.kind === 'remove');
  assert.ok(expiry, later.log.join(' | '));
});

function ip4(text: string): number {
  const p = text.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

test('a fixed address is updated only with update-static-leases on', () => {
  const host = 'host fixed { hardware ethernet 00:16:36:51:5d:5a; fixed-address 192.168.1.50; }';
  const quiet = new Server(treeOf(conf(host)));
  assert.equal(quiet.dora({ mac: MAC, hostname: 'laptop' }).ack.ddns, undefined);
  const on = new Server(treeOf(conf(`update-static-leases on; ${host}`)));
  const { ack, address } = on.dora({ mac: MAC, hostname: 'laptop' });
  assert.equal(address, '192.168.1.50');
  assert.equal(addJob(ack).fwdName, 'laptop.example.org');
});
