// The configuration language at run time in the engine: if/elsif/else per packet, options and
// parameters written as expressions, supersede/default/append/prepend, log(), execute(), `on commit`,
// `on release`, `on expiry`, lease variables, and subclasses inheriting their class's settings.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expireLeases } from '../../../src/server/engine.js';
import type { HandleResult } from '../../../src/server/types.js';
import { decodedReply, ip, optionOf, Server, treeOf, yiaddr } from './helpers.js';

const A = '00:16:36:51:5d:5a';
const B = '00:16:36:51:5d:5b';
const text = (d: Uint8Array | undefined) => (d === undefined ? undefined : Buffer.from(d).toString('latin1'));
const vci = (s: string): [number, Uint8Array] => [60, new Uint8Array(Buffer.from(s))];

const PXE = `authoritative;
  subnet 192.168.1.0 netmask 255.255.255.0 {
    range 192.168.1.10 192.168.1.20;
    if substring (option vendor-class-identifier, 0, 9) = "PXEClient" {
      filename "pxelinux.0";
      next-server 192.168.1.5;
    } elsif option vendor-class-identifier = "iPXE" {
      filename "http://192.168.1.5/boot.ipxe";
    } else {
      option domain-name "other.example";
    }
  }`;

test('if/elsif/else on option 60 chooses filename and next-server per packet', () => {
  const s = new Server(treeOf(PXE));
  const pxe = s.send({ mac: A, type: 1, options: [vci('PXEClient:Arch:00000')] });
  const d = decodedReply(pxe);
  assert.equal(text(d.file)?.replace(/\0+$/, ''), 'pxelinux.0');
  assert.equal(d.siaddr, ip('192.168.1.5'));
  assert.equal(optionOf(pxe, 15), undefined);

  const ipxe = decodedReply(s.send({ mac: B, type: 1, options: [vci('iPXE')] }));
  assert.equal(text(ipxe.file)?.replace(/\0+$/, ''), 'http://192.168.1.5/boot.ipxe');
  assert.equal(ipxe.siaddr, 0);

  const other = s.send({ mac: '00:16:36:51:5d:5c', type: 1, prl: [15] });
  assert.equal(text(optionOf(other, 15)), 'other.example');
  assert.equal(text(decodedReply(other).file)?.replace(/\0+$/, ''), '');
});

test('an option written as an expression is computed with the lease (leased-address)', () => {
  const s = new Server(
    treeOf(`authoritative; subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.10;
      option host-name = concat ("dhcp-", binary-to-ascii (10, 8, "-", leased-address)); }`),
  );
  const offer = s.send({ mac: A, type: 1, prl: [12] });
  assert.equal(yiaddr(offer), '192.168.1.10');
  assert.equal(text(optionOf(offer, 12)), 'dhcp-192-168-1-10');
});

test('supersede, default, append and prepend have ISC meanings', () => {
  const s = new Server(
    treeOf(`authoritative; option domain-name-servers 192.168.1.1;
      option domain-name "outer.example";
      subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20;
        append domain-name-servers 192.168.1.2;
        prepend domain-name-servers 192.168.1.3;
        default domain-name "ignored.example";
        default ntp-servers 192.168.1.9;
      }`),
  );
  const offer = s.send({ mac: A, type: 1, prl: [6, 15, 42] });
  assert.deepEqual([...optionOf(offer, 6)!], [192, 168, 1, 3, 192, 168, 1, 1, 192, 168, 1, 2]);
  assert.equal(text(optionOf(offer, 15)), 'outer.example');
  assert.deepEqual([...optionOf(offer, 42)!], [192, 168, 1, 9]);
});

test("a subclass gets its own options and its class's", () => {
  const s = new Server(
    treeOf(`authoritative;
      class "ports" { match option agent.circuit-id; option domain-name "ports.example"; }
      subclass "ports" "eth7" { option ntp-servers 192.168.1.77; }
      subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }`),
  );
  const rai = new Uint8Array([1, 4, ...Buffer.from('eth7')]);
  const offer = s.send({ mac: A, type: 1, giaddr: '192.168.1.1', prl: [15, 42], options: [[82, rai]] });
  assert.equal(text(optionOf(offer, 15)), 'ports.example');
  assert.deepEqual([...optionOf(offer, 42)!], [192, 168, 1, 77]);
});

const EVENTS = `authoritative; default-lease-time 600;
  subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20;
    set seen = hardware;
    log (info, concat ("handing out ", binary-to-ascii (10, 8, ".", leased-address)));
    on commit {
      set committed-to = binary-to-ascii (16, 8, ":", substring (hardware, 1, 6));
      execute ("/usr/local/bin/on-commit", binary-to-ascii (10, 8, ".", leased-address), "commit");
      log (info, "committing");
    }
    on release { log (info, concat ("released ", binary-to-ascii (10, 8, ".", leased-address))); }
    on expiry { execute ("/usr/local/bin/on-expiry", binary-to-ascii (10, 8, ".", leased-address)); }
  }`;

test('log() runs for each reply; on commit runs at the ACK and its variables are written with the lease', () => {
  const s = new Server(treeOf(EVENTS));
  const { offer, ack, address } = s.dora({ mac: A });
  assert.ok(offer.log.includes(`handing out ${address}`));
  assert.equal(offer.executes, undefined, 'on commit does not run for an offer');
  // ISC's order: the scopes' statements, then on commit, then the request and ACK lines.
  const at = (p: string) => ack.log.findIndex((l) => l.startsWith(p));
  assert.ok(at('handing out') >= 0 && at('handing out') < at('committing'), ack.log.join('\n'));
  assert.ok(at('committing') < at('DHCPREQUEST') && at('DHCPREQUEST') < at('DHCPACK'), ack.log.join('\n'));
  assert.deepEqual(ack.executes, [{ command: '/usr/local/bin/on-commit', args: [address, 'commit'] }]);
  const lease = ack.changes.find((c) => c.reason === 'commit')!.lease;
  const vars = Object.fromEntries((lease.variables ?? []).map((v) => [v.name, v.value]));
  assert.deepEqual(vars['committed-to'], { type: 'data', data: new Uint8Array(Buffer.from('0:16:36:51:5d:5a')) });
  assert.deepEqual(vars.seen, { type: 'data', data: new Uint8Array([1, 0, 0x16, 0x36, 0x51, 0x5d, 0x5a]) });
});

test('on release runs at DHCPRELEASE; the released lease does not run on expiry later', () => {
  const s = new Server(treeOf(EVENTS));
  const { address } = s.dora({ mac: A });
  const rel = s.send({ mac: A, type: 7, ciaddr: address });
  assert.ok(rel.log.includes(`released ${address}`), rel.log.join('\n'));
  s.now += 10_000;
  const out: HandleResult = { changes: [], log: [] };
  expireLeases(s.leases, s.now, out);
  assert.equal(out.executes, undefined);
});

test('on expiry runs when the lease ends, without a packet', () => {
  const s = new Server(treeOf(EVENTS));
  const { address } = s.dora({ mac: A });
  s.now += 601;
  const out: HandleResult = { changes: [], log: [] };
  const changes = expireLeases(s.leases, s.now, out);
  assert.equal(changes.length, 1);
  assert.deepEqual(out.executes, [{ command: '/usr/local/bin/on-expiry', args: [address] }]);
});

test("ISC keeps the client's vendor class with the lease (set vendor-class-identifier)", () => {
  const s = new Server(
    treeOf('authoritative; subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }'),
  );
  const { ack } = s.dora({ mac: A, options: [vci('MSFT 5.0')] });
  const lease = ack.changes.find((c) => c.reason === 'commit')!.lease;
  assert.deepEqual(lease.variables, [
    { name: 'vendor-class-identifier', value: { type: 'data', data: new Uint8Array(Buffer.from('MSFT 5.0')) } },
  ]);
});

test('a parameter set by an expression (default-lease-time) takes effect', () => {
  const s = new Server(
    treeOf(`authoritative; subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20;
      if option vendor-class-identifier = "short" { default-lease-time 1200; } }`),
  );
  const offer = s.send({ mac: A, type: 1, options: [vci('short')] });
  const lt = optionOf(offer, 51)!;
  assert.equal(Buffer.from(lt).readUInt32BE(0), 1200);
});

test("a release drops the lease's variables, as ISC drops its bindings", () => {
  const s = new Server(
    treeOf('authoritative; subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }'),
  );
  const { address } = s.dora({ mac: A, options: [vci('MSFT 5.0')] });
  const rel = s.send({ mac: A, type: 7, ciaddr: address });
  const lease = rel.changes.find((c) => c.reason === 'release')!.lease;
  assert.equal(lease.variables, undefined);
});

test('an expired lease keeps its variables in the lease file, as ISC writes it', () => {
  const s = new Server(
    treeOf(
      'authoritative; default-lease-time 600; subnet 192.168.1.0 netmask 255.255.255.0 { range 192.168.1.10 192.168.1.20; }',
    ),
  );
  s.dora({ mac: A, options: [vci('MSFT 5.0')] });
  s.now += 601;
  const changes = expireLeases(s.leases, s.now);
  assert.equal(changes[0]?.lease.bindingState, 'free');
  assert.deepEqual(changes[0]?.lease.variables, [
    { name: 'vendor-class-identifier', value: { type: 'data', data: new Uint8Array(Buffer.from('MSFT 5.0')) } },
  ]);
});
