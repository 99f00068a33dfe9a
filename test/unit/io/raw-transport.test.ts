// The raw transport over a fake addon with several interfaces, and the choice between raw and UDP: no root,
// no sockets (the UDP side is injected).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NativeAddon, NativeCallback, NativeHandle, NativeLoad } from '../../../src/io/native.js';
import { TP_STATUS_CSUMNOTREADY } from '../../../src/io/packet-socket.js';
import { isFallbackError, isRawPacket, openBestTransport } from '../../../src/io/raw-fallback.js';
import { openRawTransport, type RawReceivedPacket, type UdpSender } from '../../../src/io/raw-transport.js';
import type { ReceivedPacket, ServedInterface, Transport } from '../../../src/io/transport.js';
import { buildFrame, parseFrame } from '../../../src/wire/frame.js';
import { errnoError } from './fake-addon.js';

interface FakeLink {
  ifindex: number;
  mac: Buffer;
  deliver: NativeCallback;
  sent: Buffer[];
  closed: boolean;
}

/** An addon with one fake link per interface name; `failOn` names the interfaces whose open throws. */
function multiAddon(failOn: Record<string, NodeJS.ErrnoException> = {}) {
  const links = new Map<string, FakeLink>();
  const byHandle = new Map<NativeHandle, FakeLink>();
  const addon: NativeAddon = {
    abiVersion: 2,
    packetOpen(ifname, _ethertype, _filter, cb) {
      const err = failOn[ifname];
      if (err) throw err;
      const n = links.size + 1;
      const link: FakeLink = {
        ifindex: 10 + n,
        mac: Buffer.from([2, 0, 0, 0, 0, n]),
        deliver: cb,
        sent: [],
        closed: false,
      };
      const handle = { n } as unknown as NativeHandle;
      links.set(ifname, link);
      byHandle.set(handle, link);
      return { handle, ifindex: link.ifindex, hwtype: 1, mac: link.mac };
    },
    packetSend(h, frame) {
      byHandle.get(h)?.sent.push(Buffer.from(frame));
      return frame.length;
    },
    icmpOpen() {
      throw new Error('unused');
    },
    icmpSend() {
      throw new Error('unused');
    },
    close(h) {
      const link = byHandle.get(h);
      if (link) link.closed = true;
    },
    setRef() {},
    udpOpen() {
      throw new Error('unused: the tests inject the UDP side');
    },
    udpSend() {
      throw new Error('unused');
    },
    udpClose() {},
  };
  const load: NativeLoad = { ok: true, addon, path: 'fake' };
  return { load, links };
}

function recordingUdp() {
  const sent: { address: number; port: number; payload: string }[] = [];
  let closed = 0;
  const sender: UdpSender = {
    send: (payload, address, port) => {
      sent.push({ address, port, payload: Buffer.from(payload).toString() });
    },
    close: async () => {
      closed++;
    },
  };
  return { sent, sender, closed: () => closed };
}

const IFACES: ServedInterface[] = [
  { name: 'srv0', index: 0, addresses: [0xc0000201], masks: [0xffffff00], networkName: '192.0.2.0/24' },
  { name: 'srv1', index: 0, addresses: [0xc6336401], masks: [0xffffff00], networkName: '198.51.100.0/24' },
];
const CLIENT_MAC = Buffer.from([2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee]);

/** A DHCPDISCOVER-shaped frame: 0.0.0.0:68 -> 255.255.255.255:67 from CLIENT_MAC. */
function discoverFrame(text: string): Buffer {
  const params = { srcMac: CLIENT_MAC, dstMac: Buffer.alloc(6, 0xff), srcIp: 0, dstIp: 0xffffffff };
  return Buffer.from(buildFrame({ ...params, srcPort: 68, dstPort: 67 }, Buffer.from(text)));
}

test('receives on each interface with its name, index, source MAC and addresses; bad frames counted once', async () => {
  const { load, links } = multiAddon();
  const udp = recordingUdp();
  const got: RawReceivedPacket[] = [];
  const errors: string[] = [];
  const t = await openRawTransport({
    interfaces: IFACES,
    port: 67,
    onPacket: (p) => got.push(p),
    onError: (e) => errors.push(e.message),
    native: load,
    openUdp: async () => udp.sender,
  });
  assert.deepEqual(
    t.interfaces.map((i) => [i.name, i.index, [...(i.mac ?? [])]]),
    [
      ['srv0', 11, [2, 0, 0, 0, 0, 1]],
      ['srv1', 12, [2, 0, 0, 0, 0, 2]],
    ],
  );
  assert.deepEqual(t.describe(), [
    'Listening on LPF/srv0/02:00:00:00:00:01/192.0.2.0/24',
    'Sending on   LPF/srv0/02:00:00:00:00:01/192.0.2.0/24',
    'Listening on LPF/srv1/02:00:00:00:00:02/198.51.100.0/24',
    'Sending on   LPF/srv1/02:00:00:00:00:02/198.51.100.0/24',
    'Sending on   Socket/fallback/fallback-net',
  ]);

  const corrupt = discoverFrame('bad sum');
  corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1); // UDP checksum now wrong
  links.get('srv1')?.deliver(undefined, [discoverFrame('one'), corrupt, corrupt], [0, 0, 0]);
  // The same corruption with a checksum the kernel left to offload is not checked, so it is delivered.
  links.get('srv0')?.deliver(undefined, [corrupt], [TP_STATUS_CSUMNOTREADY]);

  assert.deepEqual(
    got.map((p) => [Buffer.from(p.payload).toString(), p.iface.name, p.ifindex, p.sourceAddress, p.sourcePort]),
    [
      ['one', 'srv1', 12, 0, 68],
      [Buffer.from(corrupt.subarray(42)).toString(), 'srv0', 11, 0, 68],
    ],
  );
  assert.deepEqual([...(got[0]?.sourceMac ?? [])], [...CLIENT_MAC]);
  assert.equal(got[0]?.destinationAddress, 0xffffffff);
  assert.equal(got[0]?.iface, t.interfaces[1], 'the same object the transport lists');
  assert.equal(t.badFrames.get('bad-udp-checksum'), 2);
  assert.equal(errors.length, 1, 'one line per cause and interface');
  assert.match(errors[0] ?? '', /^srv1: dropped a bad frame \(UDP checksum/);
  await t.close();
});

test('sends link and broadcast replies as frames on the receiving interface, client and relay over UDP', async () => {
  const { load, links } = multiAddon();
  const udp = recordingUdp();
  const t = await openRawTransport({
    interfaces: IFACES,
    port: 6767,
    onPacket: () => {},
    native: load,
    openUdp: async () => udp.sender,
  });
  const [srv0, srv1] = t.interfaces;
  const payload = Buffer.from('reply');
  await t.send(payload, { kind: 'link', address: 0xc6336432, htype: 1, hardware: CLIENT_MAC }, srv1);
  await t.send(payload, { kind: 'broadcast' }, srv0);
  await t.send(payload, { kind: 'client', address: 0xc0000209 }, srv0);
  await t.send(payload, { kind: 'relay', address: 0xcb007101 }, undefined);

  const [link] = links.get('srv1')?.sent ?? [];
  const l = parseFrame(link ?? new Uint8Array());
  assert.ok(l.ok);
  assert.deepEqual(
    [[...(l.datagram.dstMac ?? [])], [...(l.datagram.srcMac ?? [])], l.datagram.srcIp, l.datagram.dstIp],
    [[...CLIENT_MAC], [2, 0, 0, 0, 0, 2], 0xc6336401, 0xc6336432],
  );
  assert.deepEqual([l.datagram.srcPort, l.datagram.dstPort], [6767, 6768]);
  const [bcast] = links.get('srv0')?.sent ?? [];
  const b = parseFrame(bcast ?? new Uint8Array());
  assert.ok(b.ok);
  assert.deepEqual([[...(b.datagram.dstMac ?? [])], b.datagram.dstIp], [[255, 255, 255, 255, 255, 255], 0xffffffff]);
  assert.deepEqual(udp.sent, [
    { address: 0xc0000209, port: 6768, payload: 'reply' },
    { address: 0xcb007101, port: 6767, payload: 'reply' },
  ]);

  await assert.rejects(t.send(payload, { kind: 'broadcast' }, undefined), /receiving interface unknown/);
  const stranger = { ...IFACES[0]!, name: 'eth9' };
  await assert.rejects(t.send(payload, { kind: 'broadcast' }, stranger), /eth9 is not served/);
  await t.close();
  await t.close();
  assert.deepEqual(
    [...links.values()].map((x) => x.closed),
    [true, true],
  );
  assert.equal(udp.closed(), 1);
  await assert.rejects(t.send(payload, { kind: 'broadcast' }, srv0), /closed/);
});

test('a failing interface closes the sockets already opened and rejects with its errno', async () => {
  const { load, links } = multiAddon({ srv1: errnoError('ENODEV', 'bind') });
  const udp = recordingUdp();
  await assert.rejects(
    openRawTransport({
      interfaces: IFACES,
      port: 67,
      onPacket: () => {},
      native: load,
      openUdp: async () => udp.sender,
    }),
    { code: 'ENODEV' },
  );
  assert.equal(links.get('srv0')?.closed, true);
});

function fakeUdpTransport(opened: { count: number }) {
  return async (): Promise<Transport> => {
    opened.count++;
    return { kind: 'udp', interfaces: IFACES, describe: () => [], send: async () => {}, close: async () => {} };
  };
}

test('openBestTransport falls back to UDP once, with the reason, when packet sockets are not permitted', async () => {
  const cases: [NativeLoad, RegExp][] = [
    [multiAddon({ srv0: errnoError('EPERM') }).load, /\(raw packet sockets need root or CAP_NET_RAW \(socket EPERM/],
    [{ ok: false, reason: 'native addon not built (x.node)', path: 'x.node' }, /native packet addon is not available/],
  ];
  for (const [native, reason] of cases) {
    const lines: string[] = [];
    const opened = { count: 0 };
    const t = await openBestTransport({
      interfaces: IFACES,
      port: 6767,
      onPacket: () => {},
      onError: () => {},
      log: (l) => lines.push(l),
      native,
      openUdp: fakeUdpTransport(opened),
    });
    assert.equal(t.kind, 'udp');
    assert.equal(opened.count, 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /^packet sockets not permitted \(/);
    assert.match(lines[0] ?? '', reason);
    assert.match(lines[0] ?? '', /; serving on UDP sockets: relayed clients and broadcast replies only$/);
  }
});

test('openBestTransport: prefer udp says so; other errors are not a reason to fall back', async () => {
  const lines: string[] = [];
  const opened = { count: 0 };
  const base = {
    interfaces: IFACES,
    port: 67,
    onPacket: () => {},
    onError: () => {},
    log: (l: string) => lines.push(l),
  };
  const t = await openBestTransport({ ...base, prefer: 'udp', openUdp: fakeUdpTransport(opened) });
  assert.equal(t.kind, 'udp');
  assert.deepEqual(lines, [
    'packet sockets not used (UDP sockets requested); serving on UDP sockets: relayed clients and broadcast replies only',
  ]);
  const relayLine = 'relaying over UDP sockets: replies to clients are broadcast';
  await openBestTransport({ ...base, prefer: 'udp', udpOnly: relayLine, openUdp: fakeUdpTransport(opened) });
  assert.equal(lines[1], `packet sockets not used (UDP sockets requested); ${relayLine}`, 'a daemon says its own');
  const native = multiAddon({ srv0: errnoError('EMFILE') }).load;
  await assert.rejects(openBestTransport({ ...base, native, openUdp: fakeUdpTransport(opened) }), { code: 'EMFILE' });
  assert.equal(opened.count, 2);
  assert.equal(isFallbackError(errnoError('ENODEV')), true);
  assert.equal(isFallbackError(new Error('plain')), false);
});

test('isRawPacket tells raw packets (MAC, ifindex) from UDP ones', () => {
  const udpPacket: ReceivedPacket = { payload: new Uint8Array(), iface: undefined, sourceAddress: 0, sourcePort: 68 };
  assert.equal(isRawPacket(udpPacket), false);
  const raw: RawReceivedPacket = {
    ...udpPacket,
    iface: IFACES[0]!,
    ifindex: 3,
    sourceMac: CLIENT_MAC,
    destinationAddress: 0xffffffff,
  };
  assert.equal(isRawPacket(raw), true);
});

test('hot-plug: an interface added later is served, a re-addressed one keeps its socket, a removed one is closed', async () => {
  const { load, links } = multiAddon();
  const udp = recordingUdp();
  const got: RawReceivedPacket[] = [];
  const t = await openRawTransport({
    interfaces: [IFACES[0]!],
    port: 67,
    onPacket: (p) => got.push(p),
    native: load,
    openUdp: async () => udp.sender,
  });
  assert.deepEqual(await t.addInterface(IFACES[1]!), [
    'Listening on LPF/srv1/02:00:00:00:00:02/198.51.100.0/24',
    'Sending on   LPF/srv1/02:00:00:00:00:02/198.51.100.0/24',
  ]);
  assert.deepEqual(
    t.interfaces.map((i) => i.name),
    ['srv0', 'srv1'],
  );
  links.get('srv1')?.deliver(undefined, [discoverFrame('late')], [0]);
  assert.equal(got.at(-1)?.iface.name, 'srv1');

  // srv0 gains another address (same link, same index): the socket stays, packets carry the new record.
  const srv0Socket = links.get('srv0');
  const readdressed = {
    ...IFACES[0]!,
    index: 11,
    addresses: [0xc0000201, 0xc0000202],
    masks: [0xffffff00, 0xffffff00],
  };
  await t.addInterface(readdressed);
  assert.equal(links.get('srv0'), srv0Socket, 'no new socket');
  assert.equal(srv0Socket?.closed, false);
  srv0Socket?.deliver(undefined, [discoverFrame('again')], [0]);
  assert.deepEqual(got.at(-1)?.iface.addresses, [0xc0000201, 0xc0000202]);
  assert.deepEqual([...(got.at(-1)?.iface.mac ?? [])], [2, 0, 0, 0, 0, 1], 'the MAC stays the socket’s');

  assert.deepEqual(await t.removeInterface('srv1'), [
    'No longer listening on LPF/srv1/02:00:00:00:00:02/198.51.100.0/24',
    'No longer sending on   LPF/srv1/02:00:00:00:00:02/198.51.100.0/24',
  ]);
  assert.deepEqual(await t.removeInterface('srv1'), []);
  const gone = links.get('srv1');
  assert.equal(gone?.closed, true);
  const before = got.length;
  gone?.deliver(undefined, [discoverFrame('stale')], [0]);
  assert.equal(got.length, before, 'nothing from a removed interface');
  await assert.rejects(t.send(Buffer.from('x'), { kind: 'broadcast' }, IFACES[1]), /srv1 is not served/);

  // Back with another index (deleted and created again): a new socket.
  await t.addInterface({ ...IFACES[1]!, index: 40 });
  assert.notEqual(links.get('srv1'), gone);
  assert.equal(links.get('srv1')?.closed, false);
  await t.close();
  await assert.rejects(t.addInterface(IFACES[1]!), /closed/);
});
