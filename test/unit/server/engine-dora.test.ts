import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodedReply,
  ip,
  ipString,
  messageType,
  optionOf,
  readU32,
  Server,
  seedConfText,
  treeOf,
  yiaddr,
} from './helpers.js';

const MAC = '00:16:36:51:5d:5a';

test('seed config: full DORA gives an address in the range with the seed options', () => {
  const s = new Server(treeOf(seedConfText()));
  const { offer, ack, address } = s.dora({ mac: MAC, prl: [1, 3, 6, 15, 42, 250] });
  assert.equal(messageType(offer), 2);
  const n = ip(address);
  assert.ok(n >= ip('192.168.1.100') && n <= ip('192.168.1.199'), address);
  assert.equal(ipString(readU32(optionOf(ack, 1)!)), '255.255.255.0');
  assert.equal(ipString(readU32(optionOf(ack, 3)!)), '192.168.1.1');
  assert.equal(ipString(readU32(optionOf(ack, 6)!)), '192.168.1.1');
  assert.equal(Buffer.from(optionOf(ack, 15)!).toString(), 'diablotin.fr');
  assert.equal(ipString(readU32(optionOf(ack, 250)!)), '192.168.1.89');
  assert.equal(readU32(optionOf(ack, 51)!), 86400);
  assert.equal(optionOf(ack, 58), undefined, 'ISC sends T1/T2 only when configured');
  assert.equal(optionOf(ack, 59), undefined);
  assert.equal(ipString(readU32(optionOf(ack, 54)!)), '192.168.1.1');
  assert.equal(ack.changes.length, 1);
  const change = ack.changes[0]!;
  assert.equal(change.reason, 'commit');
  assert.equal(change.lease.bindingState, 'active');
  assert.equal(change.lease.ends, s.now + 86400);
  assert.equal(ipString(change.lease.address), address);
  assert.equal(offer.changes.length, 0, 'an offer writes nothing');
});

test('log lines are ISC text', () => {
  const s = new Server(treeOf(seedConfText()));
  const { offer, ack, address } = s.dora({ mac: MAC, hostname: 'iMac' });
  assert.deepEqual(offer.log, [
    `DHCPDISCOVER from ${MAC} via eth0`,
    `DHCPOFFER on ${address} to ${MAC} (iMac) via eth0`,
  ]);
  assert.deepEqual(ack.log, [
    `DHCPREQUEST for ${address} (192.168.1.1) from ${MAC} (iMac) via eth0`,
    `DHCPACK on ${address} to ${MAC} (iMac) via eth0`,
  ]);
});

test('reply destinations follow RFC 2131 section 4.1', () => {
  const s = new Server(treeOf(seedConfText()));
  const offer = s.send({ mac: MAC, type: 1 });
  assert.equal(offer.reply?.destination.kind, 'link');
  const bcast = s.send({ mac: '00:00:00:00:00:02', type: 1, flags: 0x8000 });
  assert.deepEqual(bcast.reply?.destination, { kind: 'broadcast' });
  const { address } = s.dora({ mac: MAC });
  const renew = s.send({ mac: MAC, type: 3, ciaddr: address });
  assert.equal(messageType(renew), 5);
  assert.deepEqual(renew.reply?.destination, { kind: 'client', address: ip(address) });
  assert.equal(decodedReply(renew).ciaddr, ip(address));
  assert.equal(yiaddr(renew), address);
});

test('parameter request list: honoured in its order, after the protocol options; xgrid-controller only when asked', () => {
  const s = new Server(treeOf(seedConfText()));
  s.ctx.resolveHost = (name) => (name === 'time.euro.apple.com' ? [ip('17.72.148.53')] : undefined);
  const offer = s.send({ mac: MAC, type: 1, prl: [250, 42, 6, 3, 15, 1] });
  const codes = [...decodedReply(offer).options.keys()];
  // The mask the client asked for after the routers trades places with them (ISC store_options).
  assert.deepEqual(codes, [53, 54, 51, 250, 42, 6, 1, 15, 3]);
  assert.equal(ipString(readU32(optionOf(offer, 42)!)), '17.72.148.53');
  const without = s.send({ mac: '00:00:00:00:00:09', type: 1, prl: [1, 3, 6] });
  assert.deepEqual([...decodedReply(without).options.keys()], [53, 54, 51, 1, 3, 6]);
  // No list at all: ISC sends everything configured (subnet mask, routers, DNS first).
  const all = s.send({ mac: '00:00:00:00:00:0a', type: 1 });
  const allCodes = [...decodedReply(all).options.keys()];
  assert.deepEqual(allCodes.slice(0, 6), [53, 54, 51, 1, 3, 6]);
  assert.ok(allCodes.includes(250) && allCodes.includes(15) && allCodes.includes(42));
});

test('an unresolvable host name in an option leaves the option out, never a bad value', () => {
  const s = new Server(treeOf(seedConfText()));
  const offer = s.send({ mac: MAC, type: 1, prl: [42, 3] });
  assert.equal(optionOf(offer, 42), undefined);
  assert.ok(optionOf(offer, 3));
});

test("replies fit the client's maximum message size, using overload", () => {
  const many = Array.from(
    { length: 40 },
    (_, i) => `option x${i} code ${200 + i} = text; option x${i} "${'v'.repeat(20)}${i}";`,
  );
  const tree = treeOf(
    `${many.join('\n')}\nsubnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }`,
  );
  const s = new Server(tree);
  const prl = Array.from({ length: 40 }, (_, i) => 200 + i);
  const small = s.send({ mac: MAC, type: 1, prl, options: [[57, new Uint8Array([2, 64])]] });
  assert.ok(small.reply);
  assert.ok(small.reply.bytes.length <= 576 - 28, `${small.reply.bytes.length}`);
  const d = decodedReply(small);
  assert.ok(d.overload !== 0, 'file/sname carry options');
  assert.ok(small.reply.dropped.length > 0);
  assert.ok(!small.reply.dropped.includes(51) && !small.reply.dropped.includes(54));
  const big = s.send({ mac: '00:00:00:00:00:03', type: 1, prl, options: [[57, new Uint8Array([5, 220])]] });
  assert.equal(big.reply?.dropped.length, 0);
  assert.ok((big.reply?.bytes.length ?? 0) <= 1500 - 28);
});

test('next-server, filename and server-name fill siaddr, file and sname', () => {
  const tree = treeOf(`next-server 192.168.1.5; filename "pxelinux.0"; server-name "boot";
    subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }`);
  const s = new Server(tree);
  const d = decodedReply(s.send({ mac: MAC, type: 1 }));
  assert.equal(ipString(d.siaddr), '192.168.1.5');
  assert.equal(Buffer.from(d.file.subarray(0, d.file.indexOf(0))).toString(), 'pxelinux.0');
  assert.equal(Buffer.from(d.sname.subarray(0, d.sname.indexOf(0))).toString(), 'boot');
});

test('lease times: requested time clamped to max and min; configured T1/T2 used when below the lease', () => {
  const tree = treeOf(`default-lease-time 600; max-lease-time 7200; min-lease-time 300;
    option dhcp-renewal-time 100; option dhcp-rebinding-time 200;
    subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }`);
  const s = new Server(tree);
  const lt = (secs: number | undefined, mac: string) => {
    const opts: [number, Uint8Array][] =
      secs === undefined
        ? []
        : [[51, new Uint8Array([secs >>> 24, (secs >>> 16) & 255, (secs >>> 8) & 255, secs & 255])]];
    const r = s.send({ mac, type: 1, options: opts });
    return [readU32(optionOf(r, 51)!), readU32(optionOf(r, 58)!), readU32(optionOf(r, 59)!)];
  };
  assert.deepEqual(lt(undefined, '00:00:00:00:00:01'), [600, 100, 200]);
  assert.deepEqual(lt(99999, '00:00:00:00:00:02'), [7200, 100, 200]);
  assert.deepEqual(lt(10, '00:00:00:00:00:03'), [300, 100, 200]);
});

test('option 82 is never the option left out: lowest-priority requested options give way', () => {
  const many = Array.from(
    { length: 30 },
    (_, i) => `option x${i} code ${200 + i} = text; option x${i} "${'v'.repeat(30)}";`,
  );
  const tree = treeOf(
    `${many.join('\n')}\nsubnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }`,
  );
  const s = new Server(tree);
  const rai = new Uint8Array(2 + 200);
  rai[0] = 1;
  rai[1] = 200;
  const prl = Array.from({ length: 30 }, (_, i) => 200 + i);
  const res = s.send({ mac: MAC, type: 1, giaddr: '192.168.1.2', prl, options: [[82, rai]] });
  assert.deepEqual(optionOf(res, 82), rai);
  // ISC reserves option 82's room before anything else, and puts it last in the options field.
  const bytes = res.reply!.bytes;
  const field: number[] = [];
  for (let i = 240; i < bytes.length && bytes[i] !== 255; i += 2 + bytes[i + 1]!)
    if (bytes[i] !== 0) field.push(bytes[i]!);
  assert.equal(field.at(-1), 82);
  assert.ok([...decodedReply(res).options.keys()].includes(200), 'the first requested options stay');
});

test('use-host-decl-names sends the host name; always-broadcast sets the flag; min-secs holds the offer back', () => {
  const tree = treeOf(`use-host-decl-names on; always-broadcast on;
    subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }
    subnet 10.0.0.0 netmask 255.255.255.0 { min-secs 5; range 10.0.0.10 10.0.0.20; }
    host lab7 { hardware ethernet ${MAC}; }`);
  const s = new Server(tree);
  const res = s.send({ mac: MAC, type: 1, prl: [12] });
  assert.equal(Buffer.from(optionOf(res, 12)!).toString(), 'lab7');
  assert.deepEqual(res.reply?.destination, { kind: 'broadcast' });
  const slow = s.send({ mac: '02:00:00:00:00:01', type: 1, giaddr: '10.0.0.1' });
  assert.equal(slow.reply, undefined);
  assert.equal(
    slow.log[0],
    'DHCPDISCOVER from 02:00:00:00:00:01 via 10.0.0.1: configured min-secs value (5) is greater than secs field (0).  message dropped.',
  );
});
