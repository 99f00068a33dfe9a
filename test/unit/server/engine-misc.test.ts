import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poolLine } from '../../../src/server/log.js';
import {
  decodedReply,
  ip,
  ipString,
  messageType,
  optionOf,
  readU32,
  request,
  Server,
  treeOf,
  yiaddr,
} from './helpers.js';

const A = '00:16:36:51:5d:5a';
const B = '00:16:36:51:5d:5b';

test('INFORM: options without a lease, answered to ciaddr', () => {
  const s = new Server(
    treeOf(`authoritative; option domain-name "example.org";
      subnet 192.168.1.0 netmask 255.255.255.0 { option routers 192.168.1.1; range 192.168.1.10 192.168.1.20; }`),
  );
  const res = s.send({ mac: A, type: 8, ciaddr: '192.168.1.77', prl: [3, 15] });
  assert.equal(messageType(res), 5);
  assert.deepEqual(res.reply?.destination, { kind: 'client', address: ip('192.168.1.77') });
  const d = decodedReply(res);
  assert.equal(d.yiaddr, 0);
  assert.equal(d.ciaddr, ip('192.168.1.77'));
  assert.equal(optionOf(res, 51), undefined);
  assert.equal(optionOf(res, 58), undefined);
  assert.equal(Buffer.from(optionOf(res, 15)!).toString(), 'example.org');
  assert.equal(res.changes.length, 0);
  assert.deepEqual(res.log, ['DHCPINFORM from 192.168.1.77 via eth0', `DHCPACK to 192.168.1.77 (${A}) via eth0`]);
});

test('INFORM is not answered for a subnet we are not authoritative for', () => {
  const s = new Server(treeOf('subnet 192.168.1.0 netmask 255.255.255.0 { }'));
  const res = s.send({ mac: A, type: 8, ciaddr: '192.168.1.77' });
  assert.equal(res.reply, undefined);
  assert.deepEqual(res.log, ['DHCPINFORM from 192.168.1.77 via eth0: not authoritative for subnet 192.168.1.0']);
});

const bootpConf = () =>
  treeOf(`authoritative;
    subnet 192.168.1.0 netmask 255.255.255.0 {
      option routers 192.168.1.1;
      range 192.168.1.10 192.168.1.11;
      range dynamic-bootp 192.168.1.50 192.168.1.50;
    }
    host printer { hardware ethernet ${B}; fixed-address 192.168.1.5; }`);

test('BOOTP: served from the dynamic-bootp range only, with an infinite lease', () => {
  const s = new Server(bootpConf());
  const res = s.send({ mac: A });
  assert.equal(yiaddr(res), '192.168.1.50');
  const d = decodedReply(res);
  assert.equal(d.options.get(53), undefined, 'no DHCP message type in a BOOTP reply');
  assert.equal(ipString(readU32(d.options.get(3)!)), '192.168.1.1');
  assert.equal(ipString(readU32(d.options.get(1)!)), '255.255.255.0');
  assert.equal(res.reply?.bytes.length, 300);
  assert.equal(res.changes[0]?.lease.ends, Number.POSITIVE_INFINITY);
  assert.equal(res.changes[0]?.lease.bootp, true);
  assert.deepEqual(res.log, [
    `BOOTREQUEST from ${A} via eth0`,
    `BOOTREPLY for 192.168.1.50 to unknown (${A}) via eth0`,
  ]);
  assert.equal(yiaddr(s.send({ mac: A })), '192.168.1.50', 'the same BOOTP client again');
  const none = s.send({ mac: '02:00:00:00:00:01' });
  assert.equal(none.reply, undefined);
  assert.equal(
    none.log[0],
    'BOOTREQUEST from 02:00:00:00:00:01 via eth0: BOOTP from dynamic client and no dynamic leases',
  );
});

test('BOOTP and DHCP: a fixed-address host gets its address, nothing is written', () => {
  const s = new Server(bootpConf());
  const boot = s.send({ mac: B });
  assert.equal(yiaddr(boot), '192.168.1.5');
  assert.equal(boot.log[1], `BOOTREPLY for 192.168.1.5 to printer (${B}) via eth0`);
  const { address, ack } = s.dora({ mac: B });
  assert.equal(address, '192.168.1.5');
  assert.equal(ack.changes.length, 0);
});

test('a fixed address inside a range is never allocated dynamically', () => {
  const s = new Server(
    treeOf(`subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.11; }
      host pc { hardware ethernet ${B}; fixed-address 192.168.1.10; }`),
  );
  assert.ok(s.leases.warnings.some((w) => w.includes('192.168.1.10')));
  assert.equal(yiaddr(s.send({ mac: A, type: 1 })), '192.168.1.11');
  assert.equal(yiaddr(s.send({ mac: A, type: 1, requested: '192.168.1.10' })), '192.168.1.11');
});

test('deny unknown-clients in a subnet: unknown clients get nothing, known ones are served', () => {
  const s = new Server(
    treeOf(`subnet 192.168.1.0 netmask 255.255.255.0 { deny unknown-clients; range 192.168.1.10 192.168.1.11; }
      host pc { hardware ethernet ${B}; }`),
  );
  const res = s.send({ mac: A, type: 1 });
  assert.equal(res.reply, undefined);
  assert.deepEqual(res.log, [`DHCPDISCOVER from ${A} via eth0: unknown client`]);
  assert.equal(yiaddr(s.send({ mac: B, type: 1 })), '192.168.1.10');
});

test('pool permits: known clients and unknown clients get separate pools', () => {
  const s = new Server(
    treeOf(`subnet 192.168.1.0 netmask 255.255.255.0 {
        pool { allow known-clients; range 192.168.1.10 192.168.1.10; }
        pool { deny known-clients; range 192.168.1.20 192.168.1.20; }
      }
      host pc { hardware ethernet ${B}; }`),
  );
  assert.equal(yiaddr(s.send({ mac: A, type: 1 })), '192.168.1.20');
  assert.equal(yiaddr(s.send({ mac: B, type: 1 })), '192.168.1.10');
  // The unknown client may not take the known pool's address, even by asking.
  const nak = s.send({ mac: '02:00:00:00:00:01', type: 3, requested: '192.168.1.10' });
  assert.equal(messageType(nak), 6);
});

test('pool permits: members of a class, decided by the injected classifier; class options apply', () => {
  const tree = treeOf(`
    class "phones" { match if substring(option vendor-class-identifier, 0, 5) = "phone"; option domain-name "phones.example"; }
    subnet 192.168.1.0 netmask 255.255.255.0 {
      option domain-name "lan.example";
      pool { allow members of "phones"; range 192.168.1.10 192.168.1.10; }
      pool { deny members of "phones"; range 192.168.1.20 192.168.1.20; }
    }`);
  const s = new Server(tree);
  const phones = tree.classes.get('phones')!;
  s.ctx.classify = (req) =>
    Buffer.from(req.options.get(60) ?? [])
      .toString()
      .startsWith('phone')
      ? [phones]
      : [];
  const phone = s.send({ mac: A, type: 1, prl: [15], options: [[60, new Uint8Array(Buffer.from('phone-x1'))]] });
  assert.equal(yiaddr(phone), '192.168.1.10');
  assert.equal(Buffer.from(optionOf(phone, 15)!).toString(), 'phones.example');
  const pc = s.send({ mac: B, type: 1, prl: [15] });
  assert.equal(yiaddr(pc), '192.168.1.20');
  assert.equal(Buffer.from(optionOf(pc, 15)!).toString(), 'lan.example');
});

test('pool line and unprintable host names in ISC form', () => {
  const tree = treeOf('subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.1 192.0.2.100; }');
  const s = new Server(tree, { name: 'eth0', addresses: [ip('192.0.2.254')] });
  for (let i = 0; i < 10; i++) s.dora({ mac: `02:00:00:00:00:${(i + 16).toString(16)}` });
  const pool = tree.pools[0]!;
  assert.equal(
    poolLine(0x8a2c8f0, pool.sharedNetwork, s.leases.stats(0)),
    'pool 8a2c8f0 192.0.2.0/24 total 100 free 90 backup 0 lts 0 max-own (+/-)0',
  );
  const res = s.send(request({ mac: A, type: 1, hostname: 'bad\u0001name' }));
  assert.equal(res.log[1], `DHCPOFFER on ${yiaddr(res)} to ${A} (Hostname Unsuitable for Printing) via eth0`);
});

test('messages that are not BOOTREQUESTs, and unknown types, are dropped without a word', () => {
  const s = new Server(bootpConf());
  const msg = request({ mac: A, type: 1 });
  const res = s.send({ ...msg, op: 2 });
  assert.equal(res.reply, undefined);
  assert.deepEqual(res.log, []);
  assert.equal(s.send({ mac: A, type: 13 }).reply, undefined);
});

test('class matching through the expression evaluator by default (match if, subclass)', () => {
  const tree = treeOf(`
    class "phones" { match if substring(option vendor-class-identifier, 0, 5) = "phone"; }
    class "vendors" { match option vendor-class-identifier; }
    subclass "vendors" "acme" { option domain-name "acme.example"; }
    subnet 192.168.1.0 netmask 255.255.255.0 {
      option domain-name "lan.example";
      pool { allow members of "phones"; range 192.168.1.10 192.168.1.10; }
      pool { deny members of "phones"; range 192.168.1.20 192.168.1.21; }
    }`);
  const s = new Server(tree);
  const vci = (text: string): [number, Uint8Array] => [60, new Uint8Array(Buffer.from(text))];
  assert.equal(yiaddr(s.send({ mac: A, type: 1, options: [vci('phone-x1')] })), '192.168.1.10');
  const acme = s.send({ mac: B, type: 1, prl: [15], options: [vci('acme')] });
  assert.equal(yiaddr(acme), '192.168.1.20');
  assert.equal(Buffer.from(optionOf(acme, 15)!).toString(), 'acme.example');
  const other = s.send({ mac: '02:00:00:00:00:01', type: 1, prl: [15] });
  assert.equal(Buffer.from(optionOf(other, 15)!).toString(), 'lan.example');
});

test('property: any decodable request is handled without throwing, and every ACK has its change', async () => {
  const fc = (await import('fast-check')).default;
  const { decodeMessage, encodeMessage } = await import('../../../src/wire/index.js');
  const tree = treeOf(`authoritative; class "c" { match if option host-name = "x"; }
    subnet 192.168.1.0 netmask 255.255.255.0 { option routers 192.168.1.1; range 192.168.1.10 192.168.1.13; range dynamic-bootp 192.168.1.50 192.168.1.50; }
    host h { hardware ethernet ${B}; fixed-address 192.168.1.5; }`);
  const s = new Server(tree);
  const option = fc.tuple(
    fc.constantFrom(1, 3, 12, 50, 51, 53, 54, 55, 57, 61, 82, 118, 250),
    fc.uint8Array({ maxLength: 12 }),
  );
  const msg = fc.record({
    htype: fc.constantFrom(0, 1, 6),
    mac: fc.constantFrom(A, B, '02:00:00:00:00:01', '02:00:00:00:00:02'),
    ciaddr: fc.constantFrom(0, ip('192.168.1.10'), ip('192.168.1.5'), ip('10.0.0.1')),
    giaddr: fc.constantFrom(0, 0, ip('192.168.1.2'), ip('10.9.9.9')),
    flags: fc.constantFrom(0, 0x8000),
    type: fc.option(fc.integer({ min: 1, max: 9 })),
    options: fc.array(option, { maxLength: 6 }),
    tick: fc.integer({ min: 0, max: 5000 }),
  });
  fc.assert(
    fc.property(fc.array(msg, { maxLength: 25 }), (msgs) => {
      for (const m of msgs) {
        const options: [number, Uint8Array][] = [];
        if (m.type !== null) options.push([53, new Uint8Array([m.type])]);
        options.push(...m.options);
        const chaddr = new Uint8Array(Buffer.from(m.mac.replaceAll(':', ''), 'hex'));
        const bytes = encodeMessage({
          op: 1,
          htype: m.htype,
          chaddr,
          ciaddr: m.ciaddr,
          giaddr: m.giaddr,
          flags: m.flags,
          options,
        }).bytes;
        const d = decodeMessage(bytes);
        if (!d.ok) continue;
        s.now += m.tick;
        const res = s.send(d.message);
        assert.ok(!res.log.some((l) => l.includes('internal error')), res.log.join(' | '));
        if (res.reply && optionOf(res, 53)?.[0] === 5 && res.reply.message.yiaddr) {
          const y = res.reply.message.yiaddr;
          const fixed = y === ip('192.168.1.5');
          assert.ok(fixed || res.changes.some((c) => c.reason === 'commit' && c.lease.address === y));
        }
      }
    }),
    { numRuns: 150 },
  );
});

test('INFORM through a relay without ciaddr: answered to the relay with the broadcast bit', () => {
  const s = new Server(treeOf('authoritative; subnet 10.0.0.0 netmask 255.255.255.0 { option routers 10.0.0.1; }'));
  s.ctx.sourceAddress = ip('10.0.0.1');
  const res = s.send({ mac: A, type: 8, giaddr: '10.0.0.1' });
  assert.deepEqual(res.reply?.destination, { kind: 'relay', address: ip('10.0.0.1') });
  assert.equal(decodedReply(res).flags & 0x8000, 0x8000);
  assert.deepEqual(res.log, ['DHCPINFORM from 10.0.0.1 via 10.0.0.1', `DHCPACK to 10.0.0.1 (${A}) via 10.0.0.1`]);
});
